"""LocalClock gives what datetime.astimezone gives, at every instant around clock changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from accounts.calls.local_times import LocalClock

ZONES = [
    "Europe/Warsaw",
    "America/St_Johns",  # -03:30 / -02:30
    "Asia/Kathmandu",  # +05:45
    "Australia/Lord_Howe",  # a half-hour clock change, at half past a UTC hour
    "UTC",
]


def _instants_around(year: int, zone: ZoneInfo):
    """A year of instants: every minute (and an odd second) on the days the zone's clock
    changes, every 97 minutes on the others."""
    start = datetime(year, 1, 1, tzinfo=UTC)
    for day in range(366):
        base = start + timedelta(days=day)
        changes = (
            base.astimezone(zone).utcoffset()
            != (base + timedelta(days=1)).astimezone(zone).utcoffset()
        )
        for minute in range(0, 24 * 60, 1 if changes else 97):
            yield base + timedelta(minutes=minute, seconds=minute % 60)


@pytest.mark.parametrize("name", ZONES)
def test_it_agrees_with_astimezone_through_a_year_of_clock_changes(name):
    zone = ZoneInfo(name)
    clock = LocalClock(zone)
    for moment in _instants_around(2026, zone):
        local = moment.astimezone(zone)
        assert clock.iso(moment) == local.isoformat(timespec="seconds"), moment
        assert clock.wall_at(int(moment.timestamp())) == local.replace(tzinfo=None), moment


def test_an_unanswered_call_has_no_answer_time():
    assert LocalClock(ZoneInfo("Europe/Warsaw")).iso(None) == ""


def test_the_autumn_hour_that_repeats_keeps_its_two_offsets():
    clock = LocalClock(ZoneInfo("Europe/Warsaw"))
    # 25 October 2026: 03:00 CEST becomes 02:00 CET at 01:00 UTC.
    assert clock.iso(datetime(2026, 10, 25, 0, 30, tzinfo=UTC)) == "2026-10-25T02:30:00+02:00"
    assert clock.iso(datetime(2026, 10, 25, 1, 30, tzinfo=UTC)) == "2026-10-25T02:30:00+01:00"
