"""The checks every entry point shares: a form, a CSV import, a command and the admin give the
same verdict for the same input, because they all call these.

Each function takes what a person typed and returns the value to store, or raises
ValidationError with a code and a message that says how to put it right (translated; the
operators' commands show it in English).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import cache

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts import time_zones

# Numbers typed without a country prefix are Polish: the operator is.
PHONE_REGION = "PL"
CENT = Decimal("0.01")
# Amounts are numeric(12, 2); anything this large is a typing mistake, not a payment.
MAX_AMOUNT = Decimal("1000000000")
# The limits are PositiveSmallIntegerFields.
SMALLINT_MAX = 32767
# A conference is a call between at least two people.
MIN_CONFERENCE_PARTICIPANTS = 2
MAILBOX_MAX_LENGTH = 32


# --- Phone numbers -------------------------------------------------------------------------------


def normalize_phone(value: str, region: str = PHONE_REGION) -> str:
    """A phone number in international E.164 form (+48221234567).

    Spaces, dashes, dots and brackets are allowed; a number without + or 00 belongs to
    `region`. An extension is refused rather than dropped: the number stored must be the
    number dialled.
    """
    invalid = ValidationError(
        _(
            "Enter a phone number with its area code, such as 22 123 45 67, or in international "
            "form, such as +48 22 123 45 67."
        ),
        code="invalid_phone",
    )
    text = value.strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as error:
        raise invalid from error
    if number.extension:
        raise ValidationError(_("Enter the number without an extension."), code="phone_extension")
    if not phonenumbers.is_possible_number(number):
        raise invalid
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _(
                "This number does not exist in the numbering plan of its country. Check the "
                "digits and the country prefix."
            ),
            code="unknown_phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def e164_digits(value: str, region: str = PHONE_REGION) -> str:
    """A telephone number of an account as stored: its E.164 digits without "+" (48221234567)."""
    return normalize_phone(value, region).removeprefix("+")


def validate_e164_digits(value: str) -> None:
    """The stored form itself: digits only, as e164_digits gives them."""
    try:
        valid = value.isascii() and value.isdigit() and e164_digits("+" + value) == value
    except ValidationError:
        valid = False
    if not valid:
        raise ValidationError(
            _("Enter the number in international form, digits only, such as 48221234567."),
            code="invalid_e164",
        )


# --- Time zones ----------------------------------------------------------------------------------


@cache
def validate_time_zone(value: str) -> str:
    """The zone named by `value` (accounts.time_zones); an alias (Europe/Kiev, Poland) gives
    the zone it names."""
    name = time_zones.canonical(value.strip())
    if name is None:
        raise ValidationError(
            _("Choose a time zone by its name, such as Europe/Warsaw."), code="invalid_time_zone"
        )
    return name


# --- Money ---------------------------------------------------------------------------------------


def parse_amount(value: str) -> Decimal:
    """An amount as people type it: "1234.50", "1234,50", "1 234,50", "-12.50"."""
    text = value.strip().replace(" ", "").replace("\u00a0", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite():
        raise ValidationError(
            _("Enter an amount such as 125.50 (a comma works as well as a dot)."),
            code="invalid_amount",
        )
    return validate_amount(amount)


def validate_amount(amount: Decimal) -> Decimal:
    """At most two decimal places, and below one billion either way."""
    # The size first: quantizing 1e30 to cents exceeds Decimal's precision and raises.
    if abs(amount) >= MAX_AMOUNT:
        raise ValidationError(_("Enter an amount below one billion."), code="too_large")
    if amount != amount.quantize(CENT):
        raise ValidationError(
            _("Enter an amount with at most two decimal places."), code="decimal_places"
        )
    return amount


def validate_credit_limit(amount: Decimal) -> Decimal:
    validate_amount(amount)
    if amount < 0:
        raise ValidationError(
            _("The credit limit is an amount of zero or more (0: no credit)."),
            code="negative_credit_limit",
        )
    return amount


# --- Limits staff set ----------------------------------------------------------------------------


def validate_max_participants(value: int) -> None:
    if not MIN_CONFERENCE_PARTICIPANTS <= value <= SMALLINT_MAX:
        raise ValidationError(
            _(
                "The maximum number of participants must be between %(min)d and %(max)d: a "
                "conference needs at least %(min)d people."
            ),
            code="participants",
            params={"min": MIN_CONFERENCE_PARTICIPANTS, "max": SMALLINT_MAX},
        )


def validate_max_conferences(value: int) -> None:
    if not 0 <= value <= SMALLINT_MAX:
        raise ValidationError(
            _("The maximum number of conferences must be between 0 and %(max)d."),
            code="conferences",
            params={"max": SMALLINT_MAX},
        )


def validate_mailbox(value: str) -> str:
    """A voicemail mailbox number's form (whether it is free is the account's business)."""
    mailbox = value.strip()
    if not (mailbox.isascii() and mailbox.isdigit() and len(mailbox) <= MAILBOX_MAX_LENGTH):
        raise ValidationError(
            _("A mailbox number is 1 to %(max)d digits."),
            code="mailbox_format",
            params={"max": MAILBOX_MAX_LENGTH},
        )
    return mailbox


def parse_whole_number(value: str) -> int:
    """A whole number as typed in a file or on a command line ("25")."""
    text = value.strip()
    if not (text.isascii() and text.lstrip("-").isdigit() and len(text) <= 12):
        raise ValidationError(_("Enter a whole number, such as 10."), code="not_a_number")
    return int(text)
