"""/centrex/screening/<id>/edit/: changing a rule."""

from __future__ import annotations

import re

import pytest

from accounts.models import AuditEvent
from centrex.screening.models import ScreeningRule
from centrex.screening.services import block_number
from tests.centrex.screening_texts import DISABLED_PL
from tests.factories import SAT, SUN, days, enable_screening, make_rule

pytestmark = pytest.mark.django_db


@pytest.fixture
def rule(alice):
    enable_screening(alice, voicemail=True)
    return make_rule(
        alice,
        "+48601234567",
        "anonymous",
        name="Szef w weekend",
        action=ScreeningRule.Action.VOICEMAIL,
        days=days(SAT, SUN),
    )


def url(rule) -> str:
    return f"/centrex/screening/{rule.pk}/edit/"


def form_data(**overrides) -> dict:
    data = {
        "name": "Szef w weekend",
        "enabled": "on",
        "caller_patterns": "+48601234567\nanonymous",
        "called_number": "",
        "window": "scheduled",
        "days": [str(SAT), str(SUN)],
        "time_from": "",
        "time_to": "",
        "action": "voicemail",
        "forward_to": "",
        "ring_seconds": "20",
    }
    data.update(overrides)
    return data


def test_anonymous_visitors_are_sent_to_login(client, rule):
    assert client.get(url(rule))["Location"] == f"/login/?next={url(rule)}"


def test_it_does_not_accept_delete(alice_client, rule):
    assert alice_client.delete(url(rule)).status_code == 405


def test_the_form_shows_the_rule_as_saved(alice_client, rule):
    html = alice_client.get(url(rule)).content.decode()
    assert "Edytuj regułę „Szef w weekend”" in html
    assert "+48601234567\nnumer zastrzeżony</textarea>" in html
    assert re.search(r'value="scheduled"\s+id="id_window_1"[^>]*checked', html)
    assert re.search(r'value="5"\s+id="id_days_5"[^>]*checked', html)
    assert re.search(r'value="6"\s+id="id_days_6"[^>]*checked', html)
    assert not re.search(r'value="0"\s+id="id_days_0"[^>]*checked', html)


def test_another_accounts_rule_is_not_found(alice_client, alice, bob):
    enable_screening(alice)
    enable_screening(bob)
    foreign = make_rule(bob, "%", name="Reguła Boba")
    assert alice_client.get(url(foreign)).status_code == 404
    assert alice_client.post(url(foreign), form_data(name="Przejęta")).status_code == 404
    foreign.refresh_from_db()
    assert foreign.name == "Reguła Boba"
    assert not AuditEvent.objects.exists()


def test_a_rule_id_that_does_not_exist_is_not_found(alice_client, rule):
    assert alice_client.get("/centrex/screening/999999/edit/").status_code == 404


def test_with_the_feature_off_nothing_changes(alice_client, alice, rule):
    alice.call_screening_enabled = False
    alice.save()
    response = alice_client.post(url(rule), form_data(name="Zmieniona"))
    assert response.status_code == 403
    assert DISABLED_PL in response.content.decode()
    rule.refresh_from_db()
    assert rule.name == "Szef w weekend"


def test_changes_are_saved_and_audited(alice_client, rule):
    response = alice_client.post(
        url(rule), form_data(name="Szef zawsze", window="always", action="ring_voicemail")
    )
    assert response["Location"] == "/centrex/screening/"
    rule.refresh_from_db()
    assert rule.name == "Szef zawsze" and rule.is_always and rule.action == "ring_voicemail"
    event = AuditEvent.objects.get(kind="screening.rule_changed")
    assert event.data["changes"]["name"] == ["Szef w weekend", "Szef zawsze"]
    assert event.data["changes"]["days"] == [[5, 6], [0, 1, 2, 3, 4, 5, 6]]


def test_saving_without_changes_writes_no_audit_event(alice_client, rule):
    alice_client.post(url(rule), form_data())
    assert not AuditEvent.objects.filter(kind="screening.rule_changed").exists()


def test_invalid_input_shows_the_form_again_and_changes_nothing(alice_client, rule):
    response = alice_client.post(url(rule), form_data(caller_patterns="szef"))
    assert response.status_code == 200
    assert "„szef”: wpisz tylko cyfry" in response.content.decode()
    rule.refresh_from_db()
    assert rule.patterns == ["+48601234567", "anonymous"]


def test_a_voicemail_rule_must_change_its_action_once_voicemail_is_disabled(
    alice_client, alice, rule
):
    alice.voicemail_enabled = False
    alice.save()
    assert 'value="voicemail"' not in alice_client.get(url(rule)).content.decode()
    response = alice_client.post(url(rule), form_data())
    assert "action" in response.context["form"].errors
    assert alice_client.post(url(rule), form_data(action="reject")).status_code == 302


def test_the_blocked_numbers_rule_stops_collecting_numbers_once_it_no_longer_rejects(
    alice_client, alice
):
    enable_screening(alice)
    block_number(alice, "+48221234567")
    blocklist = ScreeningRule.objects.get(is_blocklist=True)
    alice_client.post(
        url(blocklist),
        form_data(caller_patterns="+48221234567", window="always", action="ring"),
    )
    blocklist.refresh_from_db()
    assert not blocklist.is_blocklist
