"""Which way an Asterisk call went, told from the account's own numbers and the dialplan.

Master.csv does not say whether a call came in or went out; it says where the call entered
the dialplan (`dcontext`) and which numbers it was between. In this order:

1. `dcontext` matches an inbound context (`--inbound-context`, plus the usual names of
   trunk contexts below): inbound. The operator's dialplan is the authority on where calls
   from outside arrive.
2. Otherwise, the account's own numbers (PhoneNumber): both ends its own: internal; the
   destination is its own: inbound; the source is: outbound.
3. Otherwise `dcontext` matches an outbound context (`--outbound-context`, plus the usual
   names of contexts for the customer's phones): outbound, except that a destination that
   is not a telephone number (an extension such as 1001, a feature code such as *97) is
   internal.
4. Otherwise the direction is unknown: the call is imported, reported, and never charged.
   Guessing "outbound" would bill customers for calls they received.

Patterns are shell-style and case-insensitive ("from-trunk*" matches "from-trunk-orange").
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable

from accounts.models import CallRecord

INBOUND = CallRecord.Direction.INBOUND.value
OUTBOUND = CallRecord.Direction.OUTBOUND.value
INTERNAL = CallRecord.Direction.INTERNAL.value
UNKNOWN = CallRecord.Direction.UNKNOWN.value

# Names that Asterisk's sample dialplan, FreePBX and common PBX setups give these contexts.
INBOUND_CONTEXTS = (
    "from-trunk*",
    "from-pstn*",
    "from-external*",
    "from-did*",
    "ext-did*",
    "incoming*",
    "inbound*",
)
OUTBOUND_CONTEXTS = (
    "from-internal*",
    "outbound-allroutes",
    "outrt-*",
    "macro-dialout*",
    "outgoing*",
    "outbound*",
)
# A telephone number has at least this many digits; fewer is an extension or a short code.
SHORTEST_NUMBER = 7
NOT_DIGITS = re.compile(r"[^0-9]")


def digits(number: str) -> str:
    """A number as the account's numbers are stored: digits only ("+48 22…" → "4822…")."""
    number = number.strip()
    if number.startswith("00"):
        number = number[2:]
    return NOT_DIGITS.sub("", number)


class DirectionRules:
    def __init__(self, inbound: Iterable[str] = (), outbound: Iterable[str] = ()):
        self.inbound = _matcher([*INBOUND_CONTEXTS, *inbound])
        self.outbound = _matcher([*OUTBOUND_CONTEXTS, *outbound])
        self._contexts: dict[str, str] = {}

    def direction(self, context: str, src: str, dst: str, own_numbers: frozenset[str]) -> str:
        kind = self._context_kind(context)
        if kind == INBOUND:
            return INBOUND
        if own_numbers:
            from_own = digits(src) in own_numbers
            to_own = digits(dst) in own_numbers
            if from_own and to_own:
                return INTERNAL
            if to_own:
                return INBOUND
            if from_own:
                return OUTBOUND
        if kind == OUTBOUND:
            return OUTBOUND if _is_telephone_number(dst) else INTERNAL
        return UNKNOWN

    def _context_kind(self, context: str) -> str:
        kind = self._contexts.get(context)
        if kind is None:
            name = context.strip().lower()
            if self.inbound.match(name):
                kind = INBOUND
            elif self.outbound.match(name):
                kind = OUTBOUND
            else:
                kind = UNKNOWN
            self._contexts[context] = kind
        return kind


def _matcher(patterns: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{fnmatch.translate(p.strip().lower())})" for p in patterns))


def _is_telephone_number(number: str) -> bool:
    number = number.strip().removeprefix("+")
    return number.isascii() and number.isdigit() and len(number) >= SHORTEST_NUMBER
