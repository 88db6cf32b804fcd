"""Time windows of rules: the days and hours a rule applies, in the account's time zone.

Rules compare the *wall-clock* time in the account's time zone. A window that crosses midnight
belongs to the day it starts on: Friday 22:00–06:00 covers Saturday 03:00. Around the changes
of daylight saving time a real call always has a well-defined local time; both occurrences of
the repeated hour in October give the same answer, and the hour skipped in March never occurs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from centrex.screening.models import ALL_DAYS, ScreeningRule

MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY


def _minute(value: time) -> int:
    return value.hour * 60 + value.minute


def window_contains(rule: ScreeningRule, local: datetime) -> bool:
    """Whether the rule's window covers a wall-clock moment in the account's time zone."""
    today = local.weekday()
    on_today = bool(rule.days & (1 << today))
    if rule.time_from is None or rule.time_to is None:
        return on_today
    now = local.time().replace(tzinfo=None)
    start, end = rule.time_from, rule.time_to
    if start < end:
        return on_today and start <= now < end
    # Past midnight (equal times: a full 24 hours from `start`): this day's window from
    # `start` on, or the part of yesterday's window before `end`.
    yesterday = (today - 1) % 7
    return (on_today and now >= start) or (bool(rule.days & (1 << yesterday)) and now < end)


def window_minutes(rule: ScreeningRule) -> int:
    """The minutes of the week (Monday 00:00 = bit 0) the window covers, as a bit set."""
    if rule.time_from is None or rule.time_to is None:
        start_minute, length = 0, MINUTES_PER_DAY
    else:
        start_minute = _minute(rule.time_from)
        length = (_minute(rule.time_to) - start_minute) % MINUTES_PER_DAY or MINUTES_PER_DAY
    full_week = (1 << MINUTES_PER_WEEK) - 1
    bits = 0
    for day in rule.weekdays:
        start = day * MINUTES_PER_DAY + start_minute
        span = ((1 << length) - 1) << start
        # A window that starts on Sunday evening ends on Monday morning: wrap around the week.
        bits |= (span & full_week) | (span >> MINUTES_PER_WEEK)
    return bits


def describe_window(rule: ScreeningRule) -> str:
    if rule.is_always:
        return _("Always")
    days = _("every day") if rule.days == ALL_DAYS else ", ".join(rule.day_names())
    if rule.time_from is None or rule.time_to is None:
        return days
    hours = f"{rule.time_from:%H:%M}–{rule.time_to:%H:%M}"
    if rule.crosses_midnight:
        return _("%(days)s %(hours)s (until the next day)") % {"days": days, "hours": hours}
    return f"{days} {hours}"


@dataclass(frozen=True)
class LocalTime:
    """A date and clock time typed in the account's time zone, resolved to a real moment."""

    moment: datetime  # aware, in the account's zone
    nonexistent: bool = False  # skipped when the clocks moved forward
    ambiguous: bool = False  # repeated when the clocks moved back


def resolve_local(day: date, clock: time, zone: ZoneInfo) -> LocalTime:
    """Interpret a wall-clock date and time, also in the hours that DST skips or repeats.

    A skipped time (02:30 on the last Sunday of March in Europe/Warsaw) is read with the
    offset in force before the change, i.e. it is the moment an hour later by the new clock
    (03:30), as a clock that was not put forward would show it. A repeated time (02:30 on the
    last Sunday of October) is taken at its first occurrence; rules compare clock times, so
    the second one gives the same answer.
    """
    naive = datetime.combine(day, clock.replace(tzinfo=None))
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    round_trip = first.astimezone(UTC).astimezone(zone)
    if round_trip.replace(tzinfo=None) != naive:
        return LocalTime(moment=round_trip, nonexistent=True)
    return LocalTime(moment=first, ambiguous=first.utcoffset() != second.utcoffset())
