"""/centrex/screening/<id>/move/: moving a rule up or down the list."""

from __future__ import annotations

import random

import pytest
from django.db import connection
from django.test import Client

from accounts.models import AuditEvent
from centrex.screening.decision import ordered_rules
from tests.centrex.screening_texts import DISABLED_PL
from tests.concurrency import run_concurrently
from tests.factories import enable_screening, make_rule

pytestmark = pytest.mark.django_db


@pytest.fixture
def rules(alice):
    enable_screening(alice)
    return [make_rule(alice, name=name) for name in ("A", "B", "C")]


def url(rule) -> str:
    return f"/centrex/screening/{rule.pk}/move/"


def names(account) -> list[str]:
    return [rule.name for rule in ordered_rules(account)]


def test_anonymous_visitors_are_sent_to_login(client, rules):
    response = client.post(url(rules[2]), {"direction": "up"})
    assert response["Location"] == f"/login/?next={url(rules[2])}"


def test_it_does_not_accept_get(alice_client, rules):
    assert alice_client.get(url(rules[0])).status_code == 405


def test_moving_up_and_down(alice_client, alice, rules):
    response = alice_client.post(url(rules[2]), {"direction": "up"}, follow=True)
    assert "Przesunięto regułę „C” w górę." in response.content.decode()
    assert names(alice) == ["A", "C", "B"]
    alice_client.post(url(rules[0]), {"direction": "down"})
    assert names(alice) == ["C", "A", "B"]
    assert AuditEvent.objects.filter(kind="screening.rule_moved").count() == 2


def test_the_first_rule_stays_first(alice_client, alice, rules):
    response = alice_client.post(url(rules[0]), {"direction": "up"}, follow=True)
    assert "Reguła „A” jest już pierwsza." in response.content.decode()
    assert names(alice) == ["A", "B", "C"]
    assert not AuditEvent.objects.exists()


def test_a_direction_other_than_up_or_down_changes_nothing(alice_client, alice, rules):
    response = alice_client.post(url(rules[1]), {"direction": "sideways"}, follow=True)
    assert response.status_code == 200
    assert "Wybierz, czy przesunąć regułę w górę, czy w dół." in response.content.decode()
    assert names(alice) == ["A", "B", "C"]


def test_another_accounts_rule_is_not_found(alice_client, rules, bob):
    enable_screening(bob)
    make_rule(bob, name="X")
    foreign = make_rule(bob, name="Y")
    assert alice_client.post(url(foreign), {"direction": "up"}).status_code == 404
    assert names(bob) == ["X", "Y"]


def test_with_the_feature_off_nothing_moves(alice_client, alice, rules):
    alice.call_screening_enabled = False
    alice.save()
    response = alice_client.post(url(rules[2]), {"direction": "up"})
    assert response.status_code == 403 and DISABLED_PL in response.content.decode()
    assert names(alice) == ["A", "B", "C"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL's concurrent transactions"
)
def test_rules_moved_at_the_same_moment_never_deadlock(alice):
    # The outside test saw PostgreSQL abort one of two reorderings with a deadlock (a 500).
    # Several browsers moving the same account's rules at once must each get their answer.
    enable_screening(alice)
    rules = [make_rule(alice, name=name) for name in "ABCDEF"]
    browsers = []
    for _ in range(6):
        browser = Client()
        browser.force_login(alice.user)
        browsers.append(browser)

    def move_many(index: int) -> list[int]:
        chooser = random.Random(index)  # a different, repeatable sequence in each thread
        statuses = []
        for _ in range(15):
            rule = chooser.choice(rules)
            direction = chooser.choice(["up", "down"])
            statuses.append(browsers[index].post(url(rule), {"direction": direction}).status_code)
        return statuses

    results = run_concurrently(move_many, range(len(browsers)))  # re-raises a thread's 500
    assert {status for statuses in results for status in statuses} == {302}
    # Whatever the order now, it is still the six rules at positions 0–5.
    assert sorted(names(alice)) == list("ABCDEF")
    assert sorted(rule.position for rule in ordered_rules(alice)) == list(range(6))
