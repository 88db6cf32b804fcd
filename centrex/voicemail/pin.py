"""The mailbox PIN: digits only, 4 to 8 of them, and not one that is easy to guess."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PIN_MIN_LENGTH = 4
PIN_MAX_LENGTH = 8

# Keypad patterns and favourites that the simple rules below do not catch.
COMMON_PINS = frozenset({"2580", "0852", "1122", "1379", "1397", "2468", "1357", "1004", "2000"})

PIN_ERRORS = {
    "not_digits": _("The PIN may contain digits only (0–9)."),
    "length": _("The PIN must have from 4 to 8 digits."),
    "repeated": _("The PIN is too easy to guess: do not repeat the same digit or group of digits."),
    "sequence": _("The PIN is too easy to guess: do not use digits in a row, like 1234 or 9876."),
    "common": _("The PIN is too easy to guess: it is one of the most common PINs."),
    "mailbox": _("The PIN must not be the mailbox number."),
}


def _is_repeated(pin: str) -> bool:
    """1111, 1212, 123123: the whole PIN is one short group of digits, repeated."""
    n = len(pin)
    return any(n % size == 0 and pin == pin[:size] * (n // size) for size in range(1, n // 2 + 1))


def _is_sequence(pin: str) -> bool:
    """1234, 6789, 8901, 4321, 0987: each digit one up (or one down) from the one before."""
    steps = {(int(b) - int(a)) % 10 for a, b in zip(pin, pin[1:], strict=False)}
    return steps in ({1}, {9})


def validate_pin(pin: str, *, mailbox: str | None = None) -> None:
    """Raise ValidationError (with a code from PIN_ERRORS) unless `pin` is an acceptable PIN."""
    if not pin.isascii() or not pin.isdigit():
        raise ValidationError(PIN_ERRORS["not_digits"], code="not_digits")
    if not PIN_MIN_LENGTH <= len(pin) <= PIN_MAX_LENGTH:
        raise ValidationError(PIN_ERRORS["length"], code="length")
    if _is_repeated(pin):
        raise ValidationError(PIN_ERRORS["repeated"], code="repeated")
    if _is_sequence(pin):
        raise ValidationError(PIN_ERRORS["sequence"], code="sequence")
    if pin in COMMON_PINS:
        raise ValidationError(PIN_ERRORS["common"], code="common")
    if mailbox and pin == mailbox:
        raise ValidationError(PIN_ERRORS["mailbox"], code="mailbox")
