"""/centrex/screening/new/: adding a rule, and every way the form can be filled in wrong."""

from __future__ import annotations

from datetime import time

import pytest

from accounts.models import AuditEvent
from centrex.screening.models import ALL_DAYS, ScreeningRule
from tests import factories
from tests.centrex.screening_texts import DISABLED_PL
from tests.factories import FRI, MON, SAT, SUN, days, enable_screening, make_rule

pytestmark = pytest.mark.django_db
URL = "/centrex/screening/new/"


def valid(**overrides) -> dict:
    data = {
        "name": "Zastrzeżone nocą",
        "enabled": "on",
        "caller_patterns": "anonymous",
        "called_number": "",
        "window": "scheduled",
        "days": [str(MON), str(FRI)],
        "time_from": "22:00",
        "time_to": "06:00",
        "action": "reject",
        "forward_to": "",
        "ring_seconds": "20",
    }
    data.update(overrides)
    return data


@pytest.fixture
def customer(alice):
    alice.phone = "+48223809888"
    alice.save()
    return enable_screening(alice)


def test_anonymous_visitors_are_sent_to_login(client):
    assert client.get(URL)["Location"] == f"/login/?next={URL}"
    assert client.post(URL, valid())["Location"] == f"/login/?next={URL}"
    assert not ScreeningRule.objects.exists()


def test_it_does_not_accept_put(alice_client, customer):
    assert alice_client.put(URL).status_code == 405


def test_with_the_feature_off_the_form_is_refused(alice_client, alice):
    response = alice_client.get(URL)
    assert response.status_code == 403
    assert DISABLED_PL in response.content.decode()


def test_with_the_feature_off_nothing_is_saved(alice_client, alice):
    response = alice_client.post(URL, valid())
    assert response.status_code == 403
    assert DISABLED_PL in response.content.decode()
    assert not ScreeningRule.objects.exists()
    assert not AuditEvent.objects.filter(kind__startswith="screening.").exists()


def test_the_form_offers_the_accounts_numbers_and_no_voicemail_without_it(alice_client, customer):
    factories.make_hunt_group(customer, name="Biuro", number="+48223809800")
    html = alice_client.get(URL).content.decode()
    assert 'value="+48223809888"' in html and 'value="+48223809800"' in html
    assert 'value="reject"' in html and 'value="forward"' in html
    assert 'value="voicemail"' not in html and 'value="ring_voicemail"' not in html


def test_voicemail_actions_are_offered_when_voicemail_is_enabled(alice_client, customer):
    enable_screening(customer, voicemail=True)
    html = alice_client.get(URL).content.decode()
    assert 'value="voicemail"' in html and 'value="ring_voicemail"' in html


def test_a_valid_rule_is_added_at_the_end_and_audited(alice_client, customer):
    make_rule(customer, "+4822%", name="Pierwsza")
    response = alice_client.post(URL, valid(), follow=True)
    assert response.redirect_chain == [("/centrex/screening/", 302)]
    assert "Dodano regułę „Zastrzeżone nocą”." in response.content.decode()
    rule = ScreeningRule.objects.get(name="Zastrzeżone nocą")
    assert rule.account == customer
    assert rule.patterns == ["anonymous"]
    assert rule.days == days(MON, FRI)
    assert (rule.time_from, rule.time_to) == (time(22), time(6))
    assert rule.action == "reject" and rule.enabled
    assert [r.name for r in customer.screening_rules.order_by("position")] == [
        "Pierwsza",
        "Zastrzeżone nocą",
    ]
    event = AuditEvent.objects.get(kind="screening.rule_created")
    assert event.account == customer and event.actor == customer.user
    assert event.data["patterns"] == ["anonymous"] and event.data["time_from"] == "22:00"


def test_always_ignores_whatever_was_typed_in_days_and_times(alice_client, customer):
    alice_client.post(URL, valid(window="always", days=[], time_from="25:99", time_to=""))
    rule = ScreeningRule.objects.get()
    assert rule.days == ALL_DAYS and rule.time_from is None and rule.is_always


def test_whole_days_need_no_times(alice_client, customer):
    alice_client.post(URL, valid(days=[str(SAT), str(SUN)], time_from="", time_to=""))
    rule = ScreeningRule.objects.get()
    assert rule.days == days(SAT, SUN) and rule.time_from is None and rule.time_to is None


def test_a_forward_rule_stores_the_number_in_international_form(alice_client, customer):
    alice_client.post(URL, valid(action="forward", forward_to="601 234 567"))
    assert ScreeningRule.objects.get().forward_to == "+48601234567"


def test_the_forward_number_is_dropped_for_other_actions(alice_client, customer):
    alice_client.post(URL, valid(action="reject", forward_to="nonsense"))
    assert ScreeningRule.objects.get().forward_to == ""


def test_a_rule_for_one_of_the_accounts_numbers(alice_client, customer):
    alice_client.post(URL, valid(called_number="+48223809888"))
    assert ScreeningRule.objects.get().called_number == "+48223809888"


def assert_refused(response, field: str, text: str) -> None:
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="error-summary"' in html
    assert text in html, html
    assert field in response.context["form"].errors
    assert not ScreeningRule.objects.exists()


@pytest.mark.parametrize(
    ("patterns", "text"),
    [
        ("abc", "„abc”: wpisz tylko cyfry"),
        ("48%22", "„48%22”: znak % może stać tylko na końcu"),
        ("   ", "Wpisz co najmniej jeden numer"),
        ("+48+22", "„+48+22”: znak + może stać tylko na początku"),
    ],
)
def test_invalid_caller_patterns_are_refused(alice_client, customer, patterns, text):
    response = alice_client.post(URL, valid(caller_patterns=patterns))
    assert_refused(response, "caller_patterns", text)


def test_what_was_typed_is_kept_after_an_error(alice_client, customer):
    response = alice_client.post(URL, valid(caller_patterns="+4822%\nabc", name="Moja nazwa"))
    html = response.content.decode()
    assert "+4822%\nabc</textarea>" in html
    assert 'value="Moja nazwa"' in html


def test_a_window_without_days_is_refused(alice_client, customer):
    response = alice_client.post(URL, valid(days=[]))
    assert_refused(response, "days", "Wybierz co najmniej jeden dzień tygodnia")


def test_only_one_of_the_times_is_refused(alice_client, customer):
    response = alice_client.post(URL, valid(time_to=""))
    assert_refused(response, "time_to", "Wpisz obie godziny")


def test_equal_times_are_refused(alice_client, customer):
    response = alice_client.post(URL, valid(time_from="08:00", time_to="08:00"))
    assert_refused(response, "time_to", "Godzina końca musi być inna niż godzina początku")


def test_a_time_that_is_no_time_is_refused(alice_client, customer):
    response = alice_client.post(URL, valid(time_from="25:61"))
    assert_refused(response, "time_from", "Wpisz poprawną godzinę")


def test_a_forward_without_a_number_is_refused(alice_client, customer):
    response = alice_client.post(URL, valid(action="forward", forward_to=""))
    assert_refused(response, "forward_to", "Wpisz numer, na który mają być przekierowane")


@pytest.mark.parametrize("number", ["abc", "+48 123", "12345678901234567", "4822%"])
def test_a_forward_target_that_is_no_phone_number_is_refused(alice_client, customer, number):
    response = alice_client.post(URL, valid(action="ring_forward", forward_to=number))
    assert_refused(response, "forward_to", "Wpisz numer telefonu")


def test_forwarding_to_the_accounts_own_number_is_refused(alice_client, customer):
    response = alice_client.post(URL, valid(action="forward", forward_to="22 380 98 88"))
    assert_refused(response, "forward_to", "To jeden z Twoich numerów")


def test_voicemail_is_refused_while_voicemail_is_disabled(alice_client, customer):
    response = alice_client.post(URL, valid(action="voicemail"))
    assert_refused(response, "action", "Wybierz jedno z podanych działań")


def test_a_called_number_that_is_not_the_accounts_is_refused(alice_client, customer, bob):
    group = factories.make_hunt_group(bob, number="+48223809777")
    response = alice_client.post(URL, valid(called_number=group.number))
    assert_refused(response, "called_number", "Wybierz poprawną wartość")


def test_a_ring_time_out_of_range_is_refused_for_ring_then_actions(alice_client, customer):
    response = alice_client.post(
        URL, valid(action="ring_forward", forward_to="+48601234567", ring_seconds="500")
    )
    assert_refused(response, "ring_seconds", "120")


def test_a_missing_name_is_refused(alice_client, customer):
    response = alice_client.post(URL, valid(name=""))
    assert_refused(response, "name", "To pole jest wymagane")


def test_a_duplicate_rule_is_saved_with_a_warning(alice_client, customer):
    make_rule(customer, "anonymous", name="Zastrzeżone zawsze")
    response = alice_client.post(URL, valid(), follow=True)
    html = response.content.decode()
    assert ScreeningRule.objects.count() == 2
    assert "Powtarza regułę 1 „Zastrzeżone zawsze”" in html


def test_a_conflicting_rule_is_saved_with_a_warning(alice_client, customer):
    make_rule(customer, "anonymous", name="Zastrzeżone zawsze")
    response = alice_client.post(URL, valid(action="ring"), follow=True)
    assert ScreeningRule.objects.count() == 2
    assert "Nigdy nie działa: reguła 1 „Zastrzeżone zawsze”" in response.content.decode()
