"""What the call-record readers make of a row: a ParsedCall, or Rejected with the reason.

The readers of both formats (`asterisk_csv`, `konto_csv`) check their cells with the functions
here, so a duration, a number or a charge gets the same verdict in either format.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal

from django.core.exceptions import ValidationError

from accounts import validators
from accounts.fields import max_length
from accounts.models import CallRecord

NO_CHARGE = Decimal("0.00")
# E.164 numbers have at most 15 digits; anything past 32 is not a number a switch dialled.
MAX_NUMBER = 32
# Records of calls before 2000 or after 2100 are a broken clock, not a call.
FIRST_YEAR = 2000
LAST_YEAR = 2100
# A record of a call longer than a day is a switch's broken timer, not a call to bill.
MAX_SECONDS = 24 * 60 * 60
MAX_SOURCE_ID = max_length(CallRecord, "source_id")
MAX_SOURCE = max_length(CallRecord, "source")
MAX_DESCRIPTION = max_length(CallRecord, "description")

# A call's identity: (source, source id).
CallKey = tuple[str, str]


class Rejected(Exception):
    """A row that cannot be imported, and why."""

    def __init__(self, message: str, column: str = ""):
        super().__init__(message)
        self.column = column


@dataclass(slots=True)
class ParsedCall:
    line: int
    account_code: str
    source: str
    source_id: str
    started_at: datetime
    answered_at: datetime | None
    duration: int
    billed_seconds: int
    caller: str
    callee: str
    direction: str
    disposition: str
    description: str
    charge: Decimal
    currency: str = ""
    account_pk: int = 0
    # Legs of one call share the key (Asterisk's linkedid or uniqueid); "" for a call alone.
    call_key: str = ""
    # Where the call entered the dialplan (Asterisk's dcontext), to tell its direction.
    context: str = ""


@dataclass(frozen=True)
class Rejection:
    line: int
    message: str
    column: str = ""

    def __str__(self) -> str:
        where = f"line {self.line}, column {self.column}" if self.column else f"line {self.line}"
        return f"{where}: {self.message}"


# --- Reading cells -------------------------------------------------------------------------------


def read_iso_time(value: str, column: str, zone: tzinfo) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise Rejected(
            f"{value!r} is not a date and time like 2026-11-24T10:15:00+01:00", column
        ) from None
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        # Stored, a year-1 call breaks every page that converts it to the account's zone.
        raise Rejected(
            f"{value}: a year before {FIRST_YEAR} or after {LAST_YEAR} is not a real call", column
        )
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def read_seconds(value: str, column: str) -> int:
    # The usual cell first, as Asterisk writes it: plain ASCII digits, a day or less.
    if len(value) <= 6 and value.isascii() and value.isdigit():
        seconds = int(value)
        if seconds <= MAX_SECONDS:
            return seconds
    value = value.strip()
    if value.isascii() and value.isdigit():
        # Compared as text first: int() of a thousand digits is slow, and no call is that long.
        if len(value) <= 6 and (seconds := int(value)) <= MAX_SECONDS:
            return seconds
        raise Rejected(
            f"{value[:20]}{'…' if len(value) > 20 else ''} seconds is more than a day: "
            "not a call the switch could have timed",
            column,
        )
    if value.startswith("-") and value[1:].isascii() and value[1:].isdigit():
        raise Rejected(f"a negative number of seconds ({value[:20]})", column)
    raise Rejected(f"{value[:40]!r} is not a whole number of seconds", column)


def read_number(value: str, column: str) -> str:
    value = value.strip()
    if len(value) > MAX_NUMBER:
        raise Rejected(f"longer than {MAX_NUMBER} characters: not a telephone number", column)
    return value


def check_no_nul(fields: list[str], names: tuple[str, ...]) -> None:
    """A NUL byte in a field is a corrupt file; stored, it would break pages and databases."""
    for name, value in zip(names, fields, strict=False):
        if "\x00" in value:
            raise Rejected("a NUL byte: the record is corrupt", name)


def read_charge(value: str, column: str) -> Decimal:
    """A charge as people and our own export write it ("0.12", "0,12"): zero or more."""
    try:
        amount = validators.parse_amount(value)
    except ValidationError as error:
        raise Rejected(f"{value!r}: {' '.join(error.messages)}", column) from None
    if amount < 0:
        raise Rejected(f"{value!r}: a charge is an amount of zero or more", column)
    return amount
