"""The time windows of call screening rules (centrex.screening.windows), daylight saving
time in Europe/Warsaw included."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from centrex.screening.decision import decide
from centrex.screening.models import ScreeningRule
from centrex.screening.windows import resolve_local, window_contains, window_minutes
from tests import factories
from tests.factories import (
    FRI,
    MON,
    SAT,
    SUN,
    THU,
    TUE,
    WARSAW,
    WED,
    days,
    enable_screening,
    make_rule,
    warsaw,
)

Action = ScreeningRule.Action


# --- time windows ----------------------------------------------------------------------------


def rule_window(**fields) -> ScreeningRule:
    for name in ("time_from", "time_to"):
        if isinstance(fields.get(name), str):
            hours, minutes = fields[name].split(":")
            fields[name] = time(int(hours), int(minutes))
    return ScreeningRule(caller_patterns="%", **fields)


def test_a_window_within_a_day_includes_its_start_and_excludes_its_end():
    office = rule_window(days=days(MON, TUE, WED, THU, FRI), time_from="08:00", time_to="16:00")
    assert window_contains(office, warsaw(2026, 11, 25, 8, 0))  # Wednesday
    assert window_contains(office, warsaw(2026, 11, 25, 15, 59))
    assert not window_contains(office, warsaw(2026, 11, 25, 16, 0))
    assert not window_contains(office, warsaw(2026, 11, 28, 10, 0))  # Saturday


def test_a_window_across_midnight_belongs_to_the_day_it_starts_on():
    friday_night = rule_window(days=days(FRI), time_from="22:00", time_to="06:00")
    assert window_contains(friday_night, warsaw(2026, 11, 27, 23, 0))  # Friday
    assert window_contains(friday_night, warsaw(2026, 11, 28, 3, 0))  # Saturday
    assert not window_contains(friday_night, warsaw(2026, 11, 28, 6, 0))
    assert not window_contains(friday_night, warsaw(2026, 11, 28, 23, 0))
    assert not window_contains(friday_night, warsaw(2026, 11, 27, 3, 0))  # Thursday's
    assert not window_contains(friday_night, warsaw(2026, 11, 26, 23, 0))  # Thursday


def test_a_sunday_night_window_ends_on_monday_morning():
    sunday_night = rule_window(days=days(SUN), time_from="22:00", time_to="06:00")
    assert window_contains(sunday_night, warsaw(2026, 11, 30, 2, 0))  # Monday
    assert window_minutes(sunday_night) & 1  # Monday 00:00 is in the bit set


def test_whole_days_without_times():
    weekend = rule_window(days=days(SAT, SUN))
    assert window_contains(weekend, warsaw(2026, 11, 28, 0, 0))
    assert window_contains(weekend, warsaw(2026, 11, 29, 23, 59))
    assert not window_contains(weekend, warsaw(2026, 11, 30, 0, 0))


def test_windows_are_read_in_the_accounts_time_zone(db):
    account = enable_screening(factories.make_account(time_zone="America/New_York"))
    make_rule(account, "%", days=days(MON), time_from="09:00", time_to="10:00")
    # Monday 14:30 UTC is 09:30 in New York (and 15:30 in Warsaw).
    at = datetime(2026, 11, 30, 14, 30, tzinfo=UTC)
    assert decide(account, "+48221234567", at=at).action == Action.REJECT
    assert decide(account, "+48221234567", at=at.replace(hour=16)).rings


# --- daylight saving time in Europe/Warsaw ---------------------------------------------------
# 2026: clocks go forward on 29 March at 02:00 (to 03:00) and back on 25 October at 03:00.


def test_the_hour_skipped_in_march_is_read_as_the_moment_an_hour_later():
    local = resolve_local(date(2026, 3, 29), time(2, 30), WARSAW)
    assert local.nonexistent
    assert local.moment.astimezone(UTC) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert (local.moment.hour, local.moment.minute) == (3, 30)


def test_the_hour_repeated_in_october_is_marked_ambiguous():
    local = resolve_local(date(2026, 10, 25), time(2, 30), WARSAW)
    assert local.ambiguous and not local.nonexistent
    assert local.moment.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_an_ordinary_time_is_neither_skipped_nor_repeated():
    local = resolve_local(date(2026, 10, 24), time(2, 30), WARSAW)
    assert not local.ambiguous and not local.nonexistent


def test_no_call_falls_in_the_skipped_hour(alice):
    enable_screening(alice)
    make_rule(alice, "%", name="W nocy", days=days(SUN), time_from="02:00", time_to="03:00")
    make_rule(
        alice,
        "%",
        name="Później",
        action=Action.FORWARD,
        forward_to="+48601234567",
        days=days(SUN),
        time_from="03:00",
        time_to="04:00",
    )
    before = datetime(2026, 3, 29, 0, 59, tzinfo=UTC)  # 01:59 CET
    after = datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # 03:00 CEST
    assert decide(alice, "+48221234567", at=before).rings
    assert decide(alice, "+48221234567", at=after).rule.name == "Później"


def test_both_occurrences_of_the_repeated_hour_get_the_same_answer(alice):
    enable_screening(alice)
    make_rule(alice, "%", name="Noc", days=days(SUN), time_from="02:00", time_to="03:00")
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
    second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET
    assert decide(alice, "+48221234567", at=first).rule.name == "Noc"
    assert decide(alice, "+48221234567", at=second).rule.name == "Noc"
    assert decide(alice, "+48221234567", at=second.replace(hour=2)).rings  # 03:30


def test_a_night_window_spans_the_spring_change(alice):
    enable_screening(alice)
    make_rule(alice, "anonymous", days=days(SAT), time_from="22:00", time_to="06:00")
    # Sunday 05:30 CEST: still Saturday night's window although the night was an hour shorter.
    assert decide(alice, "", at=datetime(2026, 3, 29, 3, 30, tzinfo=UTC)).action == (Action.REJECT)
    assert decide(alice, "", at=datetime(2026, 3, 29, 4, 0, tzinfo=UTC)).rings  # 06:00
