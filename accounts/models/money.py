"""Money's shape in the database: every amount is numeric(12, 2)."""

from __future__ import annotations

from typing import TypedDict


class _Digits(TypedDict):
    max_digits: int
    decimal_places: int


# Every amount of money: numeric(12, 2).
MONEY: _Digits = {"max_digits": 12, "decimal_places": 2}
