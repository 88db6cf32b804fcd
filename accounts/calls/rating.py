"""Rating of Asterisk calls: what `import_cdrs --rate PER_MINUTE --increment FIRST/NEXT` charges.

Master.csv carries no prices, so a charge is the operator's per-minute rate applied to the
billed seconds (billsec), rounded the way operators bill:

- `--increment FIRST/NEXT` (seconds): the first FIRST seconds are billed whole, then each
  started block of NEXT seconds. "1/1" bills by the second (the default), "60/60" by the
  started minute, "60/1" a full first minute and then by the second, "30/6" the usual
  30-second minimum with 6-second steps. A single number N means N/N.
- charge = rate × billed seconds / 60, rounded half up to the cent.

Only answered outbound calls are charged: inbound, internal calls and calls whose direction
could not be told cost nothing. The userfield never carries money (dialplans store the DID
or a tag there).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from accounts import validators

INCREMENT = re.compile(r"\s*([0-9]{1,4})\s*(?:/\s*([0-9]{1,4})\s*)?")
# A rate per minute may need more than two decimals (0.0125); more than six is a typo.
RATE = re.compile(r"\s*[0-9]{1,6}(?:[.,][0-9]{1,6})?\s*")


class RatingError(ValueError):
    """An operator's --rate or --increment that cannot be used (the message says why)."""


@dataclass(frozen=True)
class Tariff:
    per_minute: Decimal = Decimal(0)
    first: int = 1
    step: int = 1

    @classmethod
    def parse(cls, rate: str, increment: str = "1/1") -> Tariff:
        if not RATE.fullmatch(rate):
            raise RatingError(f"--rate {rate!r} is not a price per minute such as 0.12.")
        try:
            per_minute = Decimal(rate.strip().replace(",", "."))
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            raise RatingError(f"--rate {rate!r} is not a price per minute such as 0.12.") from None
        match = INCREMENT.fullmatch(increment)
        if not match:
            raise RatingError(
                f"--increment {increment!r} is not FIRST/NEXT in seconds, such as 60/1 or 1/1."
            )
        first = int(match.group(1))
        step = int(match.group(2) or first)
        if first < 1 or step < 1:
            raise RatingError(f"--increment {increment!r}: both parts must be 1 second or more.")
        return cls(per_minute, first, step)

    def __bool__(self) -> bool:
        return bool(self.per_minute)

    def billable_seconds(self, billsec: int) -> int:
        if billsec <= 0:
            return 0
        if billsec <= self.first:
            return self.first
        blocks = -(-(billsec - self.first) // self.step)  # started blocks, rounded up
        return self.first + blocks * self.step

    def charge(self, billsec: int) -> Decimal:
        seconds = self.billable_seconds(billsec)
        if not seconds or not self.per_minute:
            return Decimal("0.00")
        return (self.per_minute * seconds / 60).quantize(validators.CENT, rounding=ROUND_HALF_UP)

    def describe(self) -> str:
        return f"{self.per_minute} per minute, billed {self.first}/{self.step}"
