"""Caller number patterns in the operator's syntax: checking what was typed, and matching.

- exact digits: ``+48221234567``, ``0048221234567`` or, within the account's country,
  ``221234567``;
- a prefix ending in ``%``: ``+4822%`` (``%`` alone: any number that is shown);
- ``x`` for any one digit: ``60xxxxxxx``;
- ``anonymous``: a call without a caller number.
Spaces, dashes, dots and brackets are ignored. Patterns are compared with numbers in one
international form (see `centrex.screening.numbers`), so for a Polish account ``48%`` means
the Radom area code while ``+48%`` means every Polish number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from centrex.screening.models import ANONYMOUS
from centrex.screening.numbers import _international, anonymous_words, clean_text

if TYPE_CHECKING:
    from collections.abc import Iterable

# Longer than any E.164 number (15 digits), room for internal prefixes; longer is a typo.
MAX_PATTERN_DIGITS = 20

_PATTERN = re.compile(r"^(?:\+|00)?[0-9x]*%?$")
_PATTERN_SPLIT = re.compile(r"[\n\r,;]+")


@dataclass(frozen=True)
class Pattern:
    """A compiled caller pattern: `literal` holds international digits and x."""

    text: str
    anonymous: bool = False
    literal: str = ""
    open_ended: bool = False

    def matches(self, key: str | None) -> bool:
        if self.anonymous or key is None:
            return self.anonymous and key is None
        if not key:
            return False
        if self.open_ended:
            if len(key) < len(self.literal):
                return False
        elif len(key) != len(self.literal):
            return False
        return all(p == "x" or p == k for p, k in zip(self.literal, key, strict=False))

    def covers(self, other: Pattern) -> bool:
        """True when every caller `other` matches is matched by this pattern too."""
        if self.anonymous or other.anonymous:
            return self.anonymous and other.anonymous
        if self.open_ended:
            if len(other.literal) < len(self.literal):
                return False
        elif other.open_ended or len(other.literal) != len(self.literal):
            return False
        return all(p == "x" or p == q for p, q in zip(self.literal, other.literal, strict=False))


def parse_pattern(raw: str) -> str:
    """One pattern as typed → its stored form, or ValidationError saying how to fix it."""
    text = clean_text(raw)
    if text in anonymous_words():
        return ANONYMOUS
    shown = raw.strip()
    if not text:
        raise ValidationError(_("Enter a caller number or pattern."), code="empty")
    if re.search(r"[^0-9x%+]", text):
        raise ValidationError(
            _(
                "“%(pattern)s”: use only digits, x for any one digit and %% at the end "
                "(letters and other signs are not allowed)."
            ),
            code="invalid_character",
            params={"pattern": shown},
        )
    if "%" in text[:-1]:
        raise ValidationError(
            _("“%(pattern)s”: %% may only stand at the end of a pattern (a prefix ending in %%)."),
            code="percent_in_middle",
            params={"pattern": shown},
        )
    if not _PATTERN.match(text):
        raise ValidationError(
            _("“%(pattern)s”: + may only stand at the beginning of a number."),
            code="misplaced_plus",
            params={"pattern": shown},
        )
    body = text.lstrip("+")
    if body.startswith("00"):
        body = body[2:]
    if not body:
        raise ValidationError(
            _("“%(pattern)s”: enter the digits of a number after the prefix."),
            code="no_digits",
            params={"pattern": shown},
        )
    if len(body.rstrip("%")) > MAX_PATTERN_DIGITS:
        raise ValidationError(
            _("“%(pattern)s”: a number has at most %(max)d digits."),
            code="too_long",
            params={"pattern": shown, "max": MAX_PATTERN_DIGITS},
        )
    return text


def parse_patterns(raw: str) -> list[str]:
    """Patterns typed one per line (or separated by commas) → stored forms, without repeats.

    Raises one ValidationError listing every wrong pattern.
    """
    patterns: list[str] = []
    errors: list[ValidationError] = []
    for part in _PATTERN_SPLIT.split(raw or ""):
        if not part.strip():
            continue
        try:
            pattern = parse_pattern(part)
        except ValidationError as error:
            errors.append(error)
            continue
        if pattern not in patterns:
            patterns.append(pattern)
    if errors:
        raise ValidationError(errors)
    if not patterns:
        raise ValidationError(
            _(
                "Enter at least one caller number or pattern, or “%(anonymous)s” for calls "
                "without a caller number."
            )
            % {"anonymous": _("anonymous")},
            code="required",
        )
    return patterns


def compile_pattern(stored: str, region: str) -> Pattern:
    if stored == ANONYMOUS:
        return Pattern(text=stored, anonymous=True)
    open_ended = stored.endswith("%")
    literal = _international(stored, region)
    return Pattern(text=stored, literal=literal.rstrip("%"), open_ended=open_ended)


def display_pattern(stored: str) -> str:
    return str(_("anonymous")) if stored == ANONYMOUS else stored


def describe_patterns(patterns: Iterable[str]) -> str:
    return ", ".join(display_pattern(p) for p in patterns)
