"""/centrex/screening/<id>/delete/: a confirmation page, then the rule is gone."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent
from centrex.screening.models import ScreeningRule
from tests.centrex.screening_texts import DISABLED_PL
from tests.factories import enable_screening, make_rule

pytestmark = pytest.mark.django_db


@pytest.fixture
def rule(alice):
    enable_screening(alice)
    return make_rule(alice, "+4822%", name="Warszawa")


def url(rule) -> str:
    return f"/centrex/screening/{rule.pk}/delete/"


def test_anonymous_visitors_are_sent_to_login(client, rule):
    assert client.post(url(rule))["Location"] == f"/login/?next={url(rule)}"
    assert ScreeningRule.objects.filter(pk=rule.pk).exists()


def test_it_does_not_accept_put(alice_client, rule):
    assert alice_client.put(url(rule)).status_code == 405


def test_it_asks_before_deleting(alice_client, rule):
    response = alice_client.get(url(rule))
    assert response.status_code == 200
    assert "Usunąć regułę „Warszawa”?" in response.content.decode()
    assert ScreeningRule.objects.filter(pk=rule.pk).exists()


def test_deleting_removes_the_rule_and_is_audited(alice_client, alice, rule):
    response = alice_client.post(url(rule), follow=True)
    assert response.redirect_chain == [("/centrex/screening/", 302)]
    assert "Usunięto regułę „Warszawa”." in response.content.decode()
    assert not ScreeningRule.objects.exists()
    event = AuditEvent.objects.get(kind="screening.rule_deleted")
    assert event.account == alice and event.data["name"] == "Warszawa"
    assert event.data["patterns"] == ["+4822%"]


def test_another_accounts_rule_is_not_found(alice_client, rule, bob):
    enable_screening(bob)
    foreign = make_rule(bob, "%")
    assert alice_client.get(url(foreign)).status_code == 404
    assert alice_client.post(url(foreign)).status_code == 404
    assert ScreeningRule.objects.filter(pk=foreign.pk).exists()


def test_with_the_feature_off_nothing_is_deleted(alice_client, alice, rule):
    alice.call_screening_enabled = False
    alice.save()
    response = alice_client.post(url(rule))
    assert response.status_code == 403
    assert DISABLED_PL in response.content.decode()
    assert ScreeningRule.objects.filter(pk=rule.pk).exists()
    assert not AuditEvent.objects.exists()
