"""The call screening decision (centrex.screening.decision): the order of rules, the
switches, and the warnings about rules that can never apply (shadows)."""

from __future__ import annotations

from django.utils import translation

from centrex.screening.decision import Reason, decide, ordered_rules
from centrex.screening.models import ScreeningRule, ScreeningSettings
from centrex.screening.shadows import find_shadowed
from tests import factories
from tests.factories import (
    FRI,
    MON,
    SAT,
    SUN,
    THU,
    TUE,
    WED,
    days,
    enable_screening,
    make_rule,
    warsaw,
)

Action = ScreeningRule.Action


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
