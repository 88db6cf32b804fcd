"""Phone numbers as call screening compares them: one international form per number.

Spaces, dashes, dots and brackets are ignored. A leading ``+`` or ``00`` means an international
number; anything else is a national number of the account's country (its trunk prefix, where
the country has one, is dropped). Numbers are compared in one international form, so
``221234567``, ``+48221234567`` and ``0048221234567`` are the same Polish number.
"""

from __future__ import annotations

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts import validators
from accounts.models import Account
from centrex.screening.models import ANONYMOUS

# The operator is Polish: an account without a (known) country dials as in Poland.
DEFAULT_REGION = "PL"
# What switches send instead of a caller number when the caller withholds it.
ANONYMOUS_CALLER_IDS = frozenset(
    {"", ANONYMOUS, "restricted", "private", "unknown", "unavailable", "withheld"}
)

_SEPARATORS = re.compile(r"[\s\-./()]+")
_NUMBER = re.compile(r"^(?:\+|00)?[0-9]+$")


def region_of(account: Account) -> str:
    region = (account.country or "").upper()
    return region if phonenumbers.country_code_for_region(region) else DEFAULT_REGION


def anonymous_words() -> set[str]:
    """The words accepted for "no caller number": English and the active language's."""
    return {ANONYMOUS, clean_text(str(_("anonymous")))}


def _international(text: str, region: str) -> str:
    """Digits (and x/%) of a cleaned number or pattern in international form, without "+"."""
    if text.startswith("+"):
        return text[1:]
    if text.startswith("00"):
        return text[2:]
    if text in ("", "%"):
        return text  # "%" alone is any number, not "any number of my country"
    metadata = phonenumbers.PhoneMetadata.metadata_for_region(region)
    trunk = metadata.national_prefix if metadata else None
    if trunk and text.startswith(trunk):
        text = text[len(trunk) :]
    return f"{phonenumbers.country_code_for_region(region)}{text}"


def clean_text(text: str | None) -> str:
    return _SEPARATORS.sub("", text or "").lower()


def number_key(raw: str | None, region: str) -> str | None:
    """A caller or called number as the rules see it: international digits, None if anonymous.

    A caller ID that is neither anonymous nor a number (a SIP name, say) gives "", which no
    number pattern matches.
    """
    text = clean_text(raw)
    if text.startswith("tel:"):
        text = text[4:]
    if text in ANONYMOUS_CALLER_IDS or text in anonymous_words():
        return None
    if not _NUMBER.match(text):
        return ""
    return _international(text, region)


def is_number(raw: str) -> bool:
    """True for a phone number as typed (digits, maybe + or 00, separators allowed)."""
    return bool(_NUMBER.match(clean_text(raw)))


def clean_number(raw: str) -> str:
    """A typed number without separators; the caller checks `is_number` first."""
    return clean_text(raw)


def forward_target(raw: str, account: Account) -> str:
    """Where a rule may forward the account's calls: a callable number in E.164, and not one of
    the account's own numbers (that would send the call round in a loop).

    The customer's rule form and the staff's both call this, so both refuse the same targets.
    """
    if not (raw or "").strip():
        raise ValidationError(_("Enter the number to forward calls to."), code="forward_required")
    number = validators.normalize_phone(raw, region_of(account))
    region = region_of(account)
    own = {number_key(n, region) for n in account_numbers(account)}
    if number_key(number, region) in own:
        raise ValidationError(
            _(
                "This is one of your own numbers: forwarding to it would send the call round "
                "in a loop. Enter another number."
            ),
            code="forward_loop",
        )
    return number


def account_numbers(account: Account) -> list[str]:
    """The account's own numbers a call can come in on: its phone and its hunt groups."""
    numbers = [account.phone] if account.phone else []
    for number in account.hunt_groups.order_by("name").values_list("number", flat=True):
        if number and number not in numbers:
            numbers.append(number)
    return numbers
