"""The call screening decision (centrex.screening): patterns, time windows, DST, the order of
rules, the switches, and the warnings about rules that can never apply."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts.models import AuditEvent
from centrex.screening.decision import Reason, decide, ordered_rules
from centrex.screening.models import ScreeningRule, ScreeningSettings
from centrex.screening.numbers import number_key
from centrex.screening.patterns import Pattern, compile_pattern, parse_pattern, parse_patterns
from centrex.screening.services import BLOCKLIST_NAME, block_number, move_rule, save_rule
from centrex.screening.shadows import find_shadowed
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


def compiled(text: str, region: str = "PL") -> Pattern:
    return compile_pattern(parse_pattern(text), region)


def matches(pattern: str, caller: str | None, region: str = "PL") -> bool:
    return compiled(pattern, region).matches(number_key(caller, region))


# --- patterns --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("+48 22 123-45-67", "+48221234567"),
        ("(22) 123.45.67", "221234567"),
        ("+4822%", "+4822%"),
        ("60XXXXXXX", "60xxxxxxx"),
        ("%", "%"),
        ("Anonymous", "anonymous"),
        ("0049301234%", "0049301234%"),
    ],
)
def test_patterns_are_stored_without_separators(typed, stored):
    assert parse_pattern(typed) == stored


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("abc", "invalid_character"),
        ("+48 22 12a 45 67", "invalid_character"),
        ("48%22", "percent_in_middle"),
        ("%%", "percent_in_middle"),
        ("48+22", "misplaced_plus"),
        ("+", "no_digits"),
        ("00", "no_digits"),
        ("1" * 21, "too_long"),
        ("   ", "empty"),
    ],
)
def test_invalid_patterns_are_refused_with_a_reason(typed, code):
    with pytest.raises(ValidationError) as error:
        parse_pattern(typed)
    assert error.value.code == code


def test_the_polish_word_for_anonymous_is_accepted_in_polish():
    with translation.override("pl"):
        assert parse_pattern("Numer zastrzeżony") == "anonymous"


def test_a_list_of_patterns_is_split_on_lines_and_commas_without_repeats():
    assert parse_patterns("+4822%, 601234567\n\n+4822%;anonymous") == [
        "+4822%",
        "601234567",
        "anonymous",
    ]


def test_every_wrong_pattern_of_a_list_is_reported_at_once():
    with pytest.raises(ValidationError) as error:
        parse_patterns("abc\n+4822%\n4%8")
    assert len(error.value.messages) == 2
    assert "abc" in error.value.messages[0]
    assert "4%8" in error.value.messages[1]


def test_an_empty_list_of_patterns_is_refused():
    with pytest.raises(ValidationError) as error:
        parse_patterns(" \n , ")
    assert error.value.code == "required"


@pytest.mark.parametrize(
    "caller", ["+48221234567", "0048221234567", "221234567", "+48 22 123 45 67", "tel:+48221234567"]
)
def test_an_exact_number_matches_however_the_caller_is_written(caller):
    assert matches("+48221234567", caller)
    assert matches("22 123 45 67", caller)


@pytest.mark.parametrize("caller", ["+48221234568", "+482212345670", "+4822123456", None, ""])
def test_an_exact_number_matches_nothing_else(caller):
    assert not matches("+48221234567", caller)


def test_a_prefix_matches_the_numbers_that_start_with_it():
    assert matches("+4822%", "+48221234567")
    assert matches("+4822%", "221234567")
    assert matches("+4822%", "+4822")  # % stands for any number of digits, none included
    assert not matches("+4822%", "+48601234567")


def test_a_national_prefix_is_not_the_country_code():
    # 48 is both Poland's country code and Radom's area code.
    assert matches("48%", "+48481234567")
    assert not matches("48%", "+48221234567")
    assert matches("+48%", "+48221234567")
    assert not matches("+48%", "+49301234567")


def test_x_stands_for_exactly_one_digit():
    assert matches("60xxxxxxx", "601234567")
    assert matches("60xxxxxxx", "+48609999999")
    assert not matches("60xxxxxxx", "6012345678")
    assert not matches("60xxxxxxx", "701234567")
    assert matches("+4860x%", "+486051")


def test_a_lone_percent_matches_every_number_but_not_a_withheld_one():
    assert matches("%", "+48221234567")
    assert matches("%", "+12025550123")
    assert not matches("%", None)
    assert not matches("%", "")


@pytest.mark.parametrize("caller", [None, "", "anonymous", "Anonymous", "restricted", "Unknown"])
def test_anonymous_matches_calls_without_a_caller_number(caller):
    assert matches("anonymous", caller)


def test_anonymous_does_not_match_a_number():
    assert not matches("anonymous", "+48221234567")


def test_a_caller_id_that_is_no_number_matches_no_number_pattern():
    assert not matches("%", "sip:alice@example.com")
    assert not matches("anonymous", "sip:alice@example.com")


def test_national_numbers_follow_the_accounts_country_and_its_trunk_prefix():
    # In Germany national numbers are dialled with a leading 0.
    assert matches("030%", "+4930123456", region="DE")
    assert matches("+4930%", "030123456", region="DE")
    assert not matches("030%", "+48301234567", region="DE")


@pytest.mark.parametrize(
    ("wide", "narrow"),
    [
        ("+4822%", "+48221234567"),
        ("+4822%", "+48221%"),
        ("+4822%", "2212x4567"),
        ("%", "+4822%"),
        ("60xxxxxxx", "601234567"),
        ("60x%", "6012%"),
        ("anonymous", "anonymous"),
    ],
)
def test_a_wider_pattern_covers_a_narrower_one(wide, narrow):
    assert compiled(wide).covers(compiled(narrow))


@pytest.mark.parametrize(
    ("narrow", "wide"),
    [
        ("+48221234567", "+4822%"),
        ("+48221%", "+4822%"),
        ("601234567", "60xxxxxxx"),
        ("+4822%", "%"),
        ("%", "anonymous"),
        ("anonymous", "%"),
        ("6012345678", "60xxxxxxx"),
    ],
)
def test_a_narrower_pattern_does_not_cover_a_wider_one(narrow, wide):
    assert not compiled(narrow).covers(compiled(wide))


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


# --- the decision ----------------------------------------------------------------------------


def test_the_first_matching_rule_wins(alice):
    enable_screening(alice)
    make_rule(alice, "+4822%", name="Warszawa", action=Action.REJECT)
    make_rule(alice, "%", name="Wszyscy", action=Action.FORWARD, forward_to="+48601234567")
    decision = decide(alice, "+48221234567", at=warsaw(2026, 11, 25))
    assert (decision.rule.name, decision.rule_number, decision.action) == (
        "Warszawa",
        1,
        Action.REJECT,
    )
    other = decide(alice, "+48121234567", at=warsaw(2026, 11, 25))
    assert (other.rule_number, other.action, other.forward_to) == (
        2,
        Action.FORWARD,
        "+48601234567",
    )


def test_without_a_matching_rule_the_phone_rings(alice):
    enable_screening(alice)
    make_rule(alice, "+4822%")
    decision = decide(alice, "+48121234567", at=warsaw(2026, 11, 25))
    assert decision.rings and decision.reason == Reason.NO_MATCH
    assert decision.rule is None


def test_disabled_rules_are_skipped_but_reported(alice):
    enable_screening(alice)
    make_rule(alice, "%", name="Wyłączona", enabled=False)
    make_rule(alice, "%", name="Działa", action=Action.FORWARD, forward_to="+48601234567")
    decision = decide(alice, "+48221234567", at=warsaw(2026, 11, 25))
    assert decision.rule.name == "Działa"
    assert [(n, r.name) for n, r in decision.disabled_matches] == [(1, "Wyłączona")]


def test_with_the_master_switch_off_no_rule_applies(alice):
    enable_screening(alice)
    make_rule(alice, "%")
    ScreeningSettings.objects.create(account=alice, enabled=False)
    decision = decide(alice, "+48221234567", at=warsaw(2026, 11, 25))
    assert decision.rings and decision.reason == Reason.SWITCHED_OFF


def test_without_the_feature_no_rule_applies(alice):
    make_rule(alice, "%")
    decision = decide(alice, "+48221234567", at=warsaw(2026, 11, 25))
    assert decision.rings and decision.reason == Reason.FEATURE_OFF


def test_voicemail_rules_ring_the_phone_while_voicemail_is_disabled(alice):
    enable_screening(alice, voicemail=False)
    make_rule(alice, "%", action=Action.VOICEMAIL)
    make_rule(alice, "%", action=Action.REJECT)
    decision = decide(alice, "+48221234567", at=warsaw(2026, 11, 25))
    assert decision.rings and decision.reason == Reason.VOICEMAIL_OFF
    assert decision.rule_number == 1
    enable_screening(alice, voicemail=True)
    assert decide(alice, "+48221234567").action == Action.VOICEMAIL


def test_ring_then_actions_say_how_long_the_phone_rings(alice):
    enable_screening(alice, voicemail=True)
    make_rule(
        alice, "%", action=Action.RING_THEN_FORWARD, forward_to="+48601234567", ring_seconds=15
    )
    decision = decide(alice, "+48221234567")
    assert (decision.action, decision.ring_seconds, decision.forward_to) == (
        Action.RING_THEN_FORWARD,
        15,
        "+48601234567",
    )
    with translation.override("pl"):
        assert decision.describe_action() == (
            "Twój telefon dzwoni przez 15 sekund, potem połączenie jest przekierowywane na "
            "numer +48601234567."
        )


def test_a_rule_for_one_of_the_accounts_numbers_matches_only_calls_to_it(alice):
    enable_screening(alice)
    alice.phone = "+48223809888"
    alice.save()
    group = factories.make_hunt_group(alice, number="+48223809800")
    make_rule(alice, "%", called_number=group.number)
    assert decide(alice, "+48121234567", "+48223809800").action == Action.REJECT
    assert decide(alice, "+48121234567", "223809800").action == Action.REJECT
    assert decide(alice, "+48121234567", "+48223809888").rings
    assert decide(alice, "+48121234567", None).rings  # the called number unknown


def test_the_decision_takes_two_queries_however_many_rules(alice, django_assert_num_queries):
    enable_screening(alice)
    for n in range(20):
        make_rule(alice, f"+4812{n:02d}%", days=days(MON), time_from="08:00", time_to="09:00")
    with django_assert_num_queries(2):
        decide(alice, "+48221234567")


# --- rules that never apply ------------------------------------------------------------------


def shadows_of(account) -> dict[str, tuple[int, bool]]:
    rules = ordered_rules(account)
    found = find_shadowed(rules, "PL")
    return {s.rule.name: (s.by_number, s.duplicate) for s in found.values()}


def test_a_repeated_rule_is_reported_as_a_duplicate(alice):
    make_rule(alice, "+4822%", "anonymous", name="A")
    make_rule(alice, "anonymous", "+48 22 1%", name="B")
    assert shadows_of(alice) == {"B": (1, True)}


def test_a_wider_rule_above_hides_a_narrower_one_below(alice):
    make_rule(alice, "+48%", name="Polska", action=Action.REJECT)
    make_rule(
        alice,
        "+4822%",
        name="Warszawa w weekend",
        action=Action.RING,
        days=days(SAT, SUN),
        time_from="10:00",
        time_to="12:00",
    )
    assert shadows_of(alice) == {"Warszawa w weekend": (1, False)}


def test_a_narrower_rule_above_hides_nothing(alice):
    make_rule(alice, "+4822%", name="Warszawa")
    make_rule(alice, "+48%", name="Polska", action=Action.RING)
    make_rule(alice, "%", name="Dni robocze", days=days(MON, TUE, WED, THU, FRI))
    make_rule(alice, "%", name="Zawsze", action=Action.RING)
    assert shadows_of(alice) == {}


def test_a_night_window_hides_a_later_rule_inside_it(alice):
    make_rule(alice, "%", name="Noc", days=days(FRI), time_from="20:00", time_to="08:00")
    make_rule(
        alice,
        "%",
        name="Sobota rano",
        days=days(SAT),
        time_from="01:00",
        time_to="05:00",
        action=Action.RING,
    )
    make_rule(
        alice,
        "%",
        name="Sobota w dzień",
        days=days(SAT),
        time_from="07:00",
        time_to="09:00",
        action=Action.RING,
    )
    assert shadows_of(alice) == {"Sobota rano": (1, False)}


def test_disabled_rules_neither_hide_nor_are_hidden(alice):
    make_rule(alice, "%", name="Wyłączona", enabled=False)
    make_rule(alice, "%", name="Wszyscy")
    make_rule(alice, "%", name="Też wyłączona", enabled=False)
    assert shadows_of(alice) == {}


def test_a_rule_for_one_number_does_not_hide_a_rule_for_all_numbers(alice):
    make_rule(alice, "%", name="Infolinia", called_number="+48223809800")
    make_rule(alice, "%", name="Wszystkie numery", called_number="")
    make_rule(alice, "%", name="Infolinia znowu", called_number="+48223809800")
    assert shadows_of(alice) == {"Infolinia znowu": (1, True)}


# --- changes ---------------------------------------------------------------------------------


def test_moving_a_rule_renumbers_the_list_and_is_audited(alice):
    first, _second, third = (make_rule(alice, name=name) for name in ("A", "B", "C"))
    ScreeningRule.objects.filter(pk=first.pk).update(position=7)  # gaps are fine: B, C, A
    assert move_rule(third, up=True)
    assert [r.name for r in ordered_rules(alice)] == ["C", "B", "A"]
    assert [r.position for r in ordered_rules(alice)] == [0, 1, 2]
    event = AuditEvent.objects.get(kind="screening.rule_moved")
    assert event.data == {"rule": third.pk, "from": 2, "to": 1}


def test_the_first_rule_cannot_move_up_nor_the_last_down(alice):
    first, last = make_rule(alice, name="A"), make_rule(alice, name="B")
    assert not move_rule(first, up=True)
    assert not move_rule(last, up=False)
    assert [r.name for r in ordered_rules(alice)] == ["A", "B"]
    assert not AuditEvent.objects.filter(kind="screening.rule_moved").exists()


def test_saving_a_rule_audits_what_changed(alice):
    rule = make_rule(alice, "+4822%", name="Stara")
    rule.name = "Nowa"
    rule.caller_patterns = "+4822%\nanonymous"
    save_rule(rule, actor=alice.user)
    event = AuditEvent.objects.get(kind="screening.rule_changed")
    assert event.data["changes"] == {
        "name": ["Stara", "Nowa"],
        "patterns": [["+4822%"], ["+4822%", "anonymous"]],
    }
    assert event.actor == alice.user and event.account == alice


def test_blocking_a_number_creates_the_blocked_numbers_rule_at_the_top(alice):
    make_rule(alice, "%", name="Wszyscy", action=Action.RING)
    result = block_number(alice, "+48 22 123 45 67", actor=alice.user)
    assert result.created_rule and result.added
    rules = ordered_rules(alice)
    assert [r.name for r in rules] == [str(BLOCKLIST_NAME), "Wszyscy"]
    assert rules[0].patterns == ["+48221234567"] and rules[0].action == Action.REJECT
    enable_screening(alice)
    assert decide(alice, "221234567").action == Action.REJECT


def test_blocking_more_numbers_extends_the_same_rule(alice):
    block_number(alice, "+48221234567")
    result = block_number(alice, "601234567")
    again = block_number(alice, "0048221234567")
    assert not result.created_rule and result.added
    assert not again.added  # the same number, written differently
    assert ScreeningRule.objects.get(account=alice).patterns == ["+48221234567", "601234567"]
    assert AuditEvent.objects.filter(kind="screening.number_blocked").count() == 2


def test_blocking_something_that_is_no_number_is_refused(alice):
    for bad in ("", "abc", "+4822%", "60xxxxxxx", "1" * 30):
        with pytest.raises(ValidationError):
            block_number(alice, bad)
    assert not ScreeningRule.objects.exists()


def test_a_blocked_numbers_rule_turned_into_something_else_is_no_longer_extended(alice):
    block_number(alice, "+48221234567")
    rule = ScreeningRule.objects.get()
    rule.action = Action.RING
    save_rule(rule)
    block_number(alice, "+48601234567")
    assert ScreeningRule.objects.filter(account=alice).count() == 2
