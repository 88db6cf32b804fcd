"""/centrex/screening/block/: "block this number" from the call history."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent
from centrex.screening.models import ScreeningRule, ScreeningSettings
from tests.centrex.screening_texts import DISABLED_PL
from tests.factories import enable_screening, make_rule

pytestmark = pytest.mark.django_db
URL = "/centrex/screening/block/"


@pytest.fixture
def customer(alice):
    return enable_screening(alice)


def blocklist(account) -> ScreeningRule:
    return account.screening_rules.get(is_blocklist=True)


def test_anonymous_visitors_are_sent_to_login(client):
    assert client.post(URL, {"number": "+48221234567"})["Location"] == f"/login/?next={URL}"
    assert not ScreeningRule.objects.exists()


def test_it_does_not_accept_get(alice_client, customer):
    assert alice_client.get(URL, {"number": "+48221234567"}).status_code == 405


def test_the_first_block_creates_a_reject_rule_at_the_top(alice_client, customer):
    make_rule(customer, "%", name="Wszyscy", action=ScreeningRule.Action.RING)
    response = alice_client.post(URL, {"number": "+48221234567"}, follow=True)
    assert response.redirect_chain == [("/centrex/screening/", 302)]
    assert (
        "+48221234567 jest zablokowany: nowa reguła „Zablokowane numery” odrzuca "
        "połączenia z tego numeru." in response.content.decode()
    )
    rules = list(customer.screening_rules.order_by("position"))
    assert [r.name for r in rules] == ["Zablokowane numery", "Wszyscy"]
    assert rules[0].action == ScreeningRule.Action.REJECT
    assert rules[0].patterns == ["+48221234567"]
    event = AuditEvent.objects.get(kind="screening.number_blocked")
    assert event.account == customer and event.data["number"] == "+48221234567"


def test_further_blocks_extend_the_same_rule(alice_client, customer):
    alice_client.post(URL, {"number": "+48221234567"})
    response = alice_client.post(URL, {"number": "601 234 567"}, follow=True)
    assert "dodany do reguły „Zablokowane numery”" in response.content.decode()
    assert blocklist(customer).patterns == ["+48221234567", "601234567"]
    assert customer.screening_rules.count() == 1


def test_a_number_blocked_already_is_not_added_twice(alice_client, customer):
    alice_client.post(URL, {"number": "+48221234567"})
    response = alice_client.post(URL, {"number": "0048221234567"}, follow=True)
    assert "jest już zablokowany" in response.content.decode()
    assert blocklist(customer).patterns == ["+48221234567"]
    assert AuditEvent.objects.filter(kind="screening.number_blocked").count() == 1


def test_calls_without_a_number_can_be_blocked(alice_client, customer):
    alice_client.post(URL, {"number": "anonymous"})
    assert blocklist(customer).patterns == ["anonymous"]


@pytest.mark.parametrize("number", ["", "abc", "+4822%", "<script>"])
def test_something_that_is_no_number_is_refused(alice_client, customer, number):
    response = alice_client.post(URL, {"number": number}, follow=True)
    assert response.status_code == 200
    assert "nie jest numerem telefonu" in response.content.decode()
    assert not ScreeningRule.objects.exists()
    assert not AuditEvent.objects.exists()


def test_it_returns_to_the_page_it_came_from(alice_client, customer):
    response = alice_client.post(URL, {"number": "+48221234567", "next": "/calls/?page=2"})
    assert response["Location"] == "/calls/?page=2"


@pytest.mark.parametrize("number", ["+48221234567", "not a number"])
def test_a_next_that_is_no_path_of_the_site_returns_to_the_rules(alice_client, customer, number):
    # "calls" was once taken for the name of a URL pattern: NoReverseMatch, a 500, whether the
    # number was blocked, already blocked or refused.
    alice_client.post(URL, {"number": "+48221234567"})
    response = alice_client.post(URL, {"number": number, "next": "calls"})
    assert response.status_code == 302
    assert response["Location"] == "/centrex/screening/"


@pytest.mark.parametrize("next_url", ["https://evil.example/", "//evil.example/x", "javascript:x"])
def test_it_never_returns_to_another_site(alice_client, customer, next_url):
    response = alice_client.post(URL, {"number": "+48221234567", "next": next_url})
    assert response["Location"] == "/centrex/screening/"


def test_it_warns_when_the_block_cannot_take_effect(alice_client, customer):
    alice_client.post(URL, {"number": "+48221234567"})
    ScreeningRule.objects.filter(is_blocklist=True).update(enabled=False)
    ScreeningSettings.objects.create(account=customer, enabled=False)
    response = alice_client.post(URL, {"number": "+48601234567"}, follow=True)
    html = response.content.decode()
    assert "Selektywne kierowanie połączeń jest wyłączone: włącz je" in html
    assert "Reguła „Zablokowane numery” jest wyłączona: włącz ją" in html


def test_it_warns_when_a_rule_above_handles_the_number_first(alice_client, customer):
    alice_client.post(URL, {"number": "+48221234567"})
    make_rule(customer, "+4860%", name="Komórki", action=ScreeningRule.Action.RING)
    ScreeningRule.objects.filter(is_blocklist=True).update(position=5)  # below "Komórki"
    response = alice_client.post(URL, {"number": "+48601234567"}, follow=True)
    assert "Reguła 1 „Komórki” powyżej też pasuje do tego numeru" in response.content.decode()


def test_with_the_feature_off_nothing_is_blocked(alice_client, alice):
    response = alice_client.post(URL, {"number": "+48221234567"})
    assert response.status_code == 403 and DISABLED_PL in response.content.decode()
    assert not ScreeningRule.objects.exists()
    assert not AuditEvent.objects.exists()
