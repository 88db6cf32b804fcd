"""/centrex/screening/test/: "What happens if…", the switch's decision for a described call."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent
from centrex.screening.models import ScreeningRule, ScreeningSettings
from tests import factories
from tests.centrex.screening_texts import DISABLED_PL
from tests.factories import FRI, MON, SAT, SUN, THU, TUE, WED, days, enable_screening, make_rule

pytestmark = pytest.mark.django_db
URL = "/centrex/screening/test/"
Action = ScreeningRule.Action


@pytest.fixture
def policy(alice):
    """ "Reject anonymous at night, send my boss to voicemail on weekends"."""
    enable_screening(alice, voicemail=True)
    make_rule(
        alice,
        "anonymous",
        name="Zastrzeżone nocą",
        days=days(MON, TUE, WED, THU, FRI, SAT, SUN),
        time_from="22:00",
        time_to="07:00",
    )
    make_rule(
        alice, "+48601234567", name="Szef w weekend", action=Action.VOICEMAIL, days=days(SAT, SUN)
    )
    return alice


def ask(client, **params):
    return client.get(URL, params)


def test_anonymous_visitors_are_sent_to_login(client):
    assert client.get(URL)["Location"] == f"/login/?next={URL}"


def test_it_does_not_accept_post(alice_client, policy):
    assert alice_client.post(URL, {"caller": "1"}).status_code == 405


def test_with_the_feature_off_it_is_refused(alice_client, alice):
    response = ask(alice_client, caller="", date="2026-11-28", time="23:00")
    assert response.status_code == 403
    assert DISABLED_PL in response.content.decode()


def test_the_empty_form_asks_about_now(alice_client, policy):
    response = alice_client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="tester-result"' not in html
    assert 'type="date" name="date"' in html and 'type="time" name="time"' in html


def test_an_anonymous_call_at_night_is_rejected(alice_client, policy):
    html = ask(alice_client, caller="", date="2026-11-25", time="03:00").content.decode()
    assert (
        "Połączenie od: numer zastrzeżony" in html and "(środa)" in html
    )  # mid-sentence: lowercase
    assert "Pasuje reguła 1 „Zastrzeżone nocą”." in html
    assert "Połączenie zostaje odrzucone." in html


def test_the_boss_goes_to_voicemail_on_a_saturday(alice_client, policy):
    html = ask(alice_client, caller="601 234 567", date="2026-11-28", time="12:00").content.decode()
    assert "Pasuje reguła 2 „Szef w weekend”." in html
    assert "Połączenie trafia do poczty głosowej." in html


def test_the_boss_rings_on_a_weekday(alice_client, policy):
    html = ask(
        alice_client, caller="+48601234567", date="2026-11-25", time="12:00"
    ).content.decode()
    assert "Żadna reguła nie pasuje do tego połączenia." in html
    assert "Twój telefon dzwoni." in html


def test_disabled_rules_that_would_match_are_mentioned(alice_client, policy):
    ScreeningRule.objects.filter(name="Zastrzeżone nocą").update(enabled=False)
    html = ask(alice_client, caller="", date="2026-11-25", time="03:00").content.decode()
    assert "Reguła 1 „Zastrzeżone nocą” też by pasowała, ale jest wyłączona." in html
    assert "Twój telefon dzwoni." in html


def test_with_the_master_switch_off_the_phone_rings(alice_client, policy):
    ScreeningSettings.objects.create(account=policy, enabled=False)
    html = ask(alice_client, caller="", date="2026-11-25", time="03:00").content.decode()
    assert "Selektywne kierowanie połączeń jest wyłączone, więc żadna reguła nie działa." in html


def test_a_rule_for_one_number_needs_that_called_number(alice_client, policy):
    group = factories.make_hunt_group(policy, number="+48223809800")
    make_rule(policy, "%", name="Infolinia", called_number=group.number, action=Action.REJECT)
    with_number = ask(
        alice_client, caller="+48121234567", called=group.number, date="2026-11-25", time="12:00"
    ).content.decode()
    without = ask(
        alice_client, caller="+48121234567", date="2026-11-25", time="12:00"
    ).content.decode()
    assert "Pasuje reguła 3 „Infolinia”." in with_number
    assert "Żadna reguła nie pasuje" in without


def test_the_skipped_hour_in_march_is_explained_and_answered(alice_client, policy):
    make_rule(policy, "%", name="Niedziela 3–4", days=days(SUN), time_from="03:00", time_to="04:00")
    response = ask(alice_client, caller="+48121234567", date="2026-03-29", time="02:30")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="dst-note"' in html
    assert "02:30 nie istnieje" in html and "03:30" in html
    assert "Pasuje reguła 3 „Niedziela 3–4”." in html


def test_the_repeated_hour_in_october_is_explained(alice_client, policy):
    html = ask(alice_client, caller="", date="2026-10-25", time="02:30").content.decode()
    assert 'data-testid="dst-note"' in html
    assert "02:30 występuje dwukrotnie" in html
    assert "Pasuje reguła 1 „Zastrzeżone nocą”." in html


def test_times_are_in_the_accounts_time_zone(alice_client, policy):
    policy.time_zone = "America/New_York"
    policy.save()
    html = ask(alice_client, caller="", date="2026-11-25", time="23:30").content.decode()
    assert "Pasuje reguła 1" in html


@pytest.mark.parametrize(
    ("params", "field", "text"),
    [
        (
            {"caller": "Jan Kowalski", "date": "2026-11-25", "time": "12:00"},
            "caller",
            "Wpisz numer telefonu",
        ),
        (
            {"caller": "+4822%", "date": "2026-11-25", "time": "12:00"},
            "caller",
            "Wpisz numer telefonu",
        ),
        ({"caller": "", "date": "2026-13-45", "time": "12:00"}, "date", "Wpisz poprawną datę"),
        ({"caller": "", "date": "9999-12-31", "time": "23:59"}, "date", "Wpisz datę z lat"),
        ({"caller": "", "date": "0001-01-01", "time": "00:00"}, "date", "Wpisz datę z lat"),
        ({"caller": "", "date": "2026-11-25", "time": "noon"}, "time", "Wpisz poprawną godzinę"),
        ({"caller": "", "date": "", "time": ""}, "date", "To pole jest wymagane"),
        (
            {"caller": "", "called": "+48999999999", "date": "2026-11-25", "time": "12:00"},
            "called",
            "Wybierz poprawną wartość",
        ),
    ],
)
def test_invalid_questions_show_the_form_with_the_error(alice_client, policy, params, field, text):
    response = ask(alice_client, **params)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="error-summary"' in html and text in html
    assert field in response.context["form"].errors
    assert 'data-testid="tester-result"' not in html


def test_asking_changes_nothing(alice_client, policy):
    ask(alice_client, caller="", date="2026-11-25", time="03:00")
    assert not AuditEvent.objects.exists()
    assert not ScreeningSettings.objects.exists()


def test_the_answer_is_in_english_for_english_accounts(alice_client, policy):
    policy.language = "en"
    policy.save()
    html = ask(alice_client, caller="", date="2026-11-25", time="03:00").content.decode()
    assert "Rule 1 “Zastrzeżone nocą” matches." in html
    assert "The call is rejected." in html
