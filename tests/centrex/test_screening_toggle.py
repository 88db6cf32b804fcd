"""/centrex/screening/<id>/toggle/: enabling and disabling one rule."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent
from tests.centrex.screening_texts import DISABLED_PL
from tests.factories import enable_screening, make_rule

pytestmark = pytest.mark.django_db


@pytest.fixture
def rule(alice):
    enable_screening(alice)
    return make_rule(alice, "+4822%", name="Warszawa")


def url(rule) -> str:
    return f"/centrex/screening/{rule.pk}/toggle/"


def test_anonymous_visitors_are_sent_to_login(client, rule):
    assert client.post(url(rule), {"enabled": "0"})["Location"] == f"/login/?next={url(rule)}"
    rule.refresh_from_db()
    assert rule.enabled


def test_it_does_not_accept_get(alice_client, rule):
    assert alice_client.get(url(rule)).status_code == 405


def test_disabling_and_enabling_a_rule_is_audited(alice_client, rule):
    response = alice_client.post(url(rule), {"enabled": "0"}, follow=True)
    assert "Wyłączono regułę „Warszawa”." in response.content.decode()
    rule.refresh_from_db()
    assert not rule.enabled
    alice_client.post(url(rule), {"enabled": "1"})
    rule.refresh_from_db()
    assert rule.enabled
    assert list(AuditEvent.objects.order_by("id").values_list("kind", flat=True)) == [
        "screening.rule_disabled",
        "screening.rule_enabled",
    ]


def test_asking_twice_changes_nothing_the_second_time(alice_client, rule):
    alice_client.post(url(rule), {"enabled": "0"})
    alice_client.post(url(rule), {"enabled": "0"})
    assert AuditEvent.objects.count() == 1


def test_a_value_other_than_on_or_off_changes_nothing(alice_client, rule):
    response = alice_client.post(url(rule), {"enabled": "maybe"}, follow=True)
    assert "Wybierz, czy włączyć, czy wyłączyć regułę." in response.content.decode()
    rule.refresh_from_db()
    assert rule.enabled and not AuditEvent.objects.exists()


def test_another_accounts_rule_is_not_found(alice_client, rule, bob):
    enable_screening(bob)
    foreign = make_rule(bob, "%")
    assert alice_client.post(url(foreign), {"enabled": "0"}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.enabled


def test_with_the_feature_off_nothing_changes(alice_client, alice, rule):
    alice.call_screening_enabled = False
    alice.save()
    response = alice_client.post(url(rule), {"enabled": "0"})
    assert response.status_code == 403 and DISABLED_PL in response.content.decode()
    rule.refresh_from_db()
    assert rule.enabled
