"""Changes to call screening (centrex.screening.services): moving and saving rules, and
"block this number"."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from accounts.models import AuditEvent
from centrex.screening.decision import decide, ordered_rules
from centrex.screening.models import ScreeningRule
from centrex.screening.services import BLOCKLIST_NAME, block_number, move_rule, save_rule
from tests.factories import (
    enable_screening,
    make_rule,
)

Action = ScreeningRule.Action


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
