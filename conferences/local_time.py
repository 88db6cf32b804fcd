"""Local times on the days the clocks change, and the real length of a conference.

A conference lasts its duration in real time. Python adds a timedelta to an aware datetime on
its wall clock when the time zone stays the same, so `start + timedelta(minutes=90)` for 01:30
in Warsaw on the night the clocks jump from 02:00 to 03:00 gives 03:00 local, only 30 minutes
later. `end_after` therefore adds on the UTC moment: 01:30 + 90 minutes ends at 04:00 local.

A start typed as a local date and time (`to_moment`) can be:
- an ordinary time: one moment;
- skipped, when the clocks go forward (02:30 on the last Sunday of March in Warsaw): no such
  moment exists, and zoneinfo would quietly shift it, so it raises `NonexistentTime`;
- repeated, when the clocks go back (02:30 on the last Sunday of October in Warsaw): two
  moments an hour apart, so without a `fold` (PEP 495: 0 is the first, 1 the second) it
  raises `AmbiguousTime` and the person is asked which one they mean.

Dates near the ends of the calendar (year 1, year 9999) cannot be moved to UTC or past the
end; those raise `OutOfRange` rather than OverflowError.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo


class NonexistentTime(ValueError):
    """The local time is skipped when the clocks go forward."""


class AmbiguousTime(ValueError):
    """The local time happens twice when the clocks go back; the first or the second?"""

    def __init__(self, first: datetime, second: datetime):
        super().__init__(f"{first:%Y-%m-%d %H:%M} happens twice")
        self.first = first  # both aware in the local zone, fold 0 and fold 1
        self.second = second


class OutOfRange(ValueError):
    """Too close to year 1 or year 9999 to compute with."""


def end_after(start: datetime, minutes: int) -> datetime:
    """The moment (aware UTC) `minutes` of real time after `start`."""
    try:
        return start.astimezone(UTC) + timedelta(minutes=minutes)
    except OverflowError:
        raise OutOfRange("past the end of the calendar") from None


def to_moment(naive: datetime, zone: tzinfo, fold: int | None = None) -> datetime:
    """The aware UTC moment of a local wall-clock time in `zone` (see the module docstring)."""
    try:
        first = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
        second = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
        # A time that exists comes back as itself from UTC; a skipped one comes back shifted.
        exists = first.astimezone(zone).replace(tzinfo=None) == naive
    except OverflowError:
        raise OutOfRange("outside the calendar in UTC") from None
    if not exists:
        raise NonexistentTime(f"{naive:%Y-%m-%d %H:%M} is skipped")
    if first == second:
        return first
    if fold is None:
        raise AmbiguousTime(first.astimezone(zone), second.astimezone(zone))
    return second if fold else first


def is_repeated(moment: datetime, zone: tzinfo) -> bool:
    """Whether the local time of `moment` in `zone` happens twice that day."""
    local = moment.astimezone(zone)
    other = local.replace(fold=1 - local.fold)
    return other.utcoffset() != local.utcoffset()


def offset_label(moment: datetime, zone: tzinfo) -> str:
    """The UTC offset of `moment` in `zone`, as people write it: "UTC+2", "UTC-3:30"."""
    offset = moment.astimezone(zone).utcoffset() or timedelta(0)
    minutes = round(offset.total_seconds() / 60)
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def clock_offsets(start: datetime, end: datetime | None, zone: tzinfo) -> tuple[str, str] | None:
    """(start offset, end offset) when local times alone would mislead, else None.

    That is when the clocks change between start and end (01:30–04:00 is 90 minutes on the
    night they go forward), or when the start or the end is a local time that happens twice.
    """
    if end is None:
        return None
    start_offset, end_offset = offset_label(start, zone), offset_label(end, zone)
    if start_offset != end_offset or is_repeated(start, zone) or is_repeated(end, zone):
        return start_offset, end_offset
    return None
