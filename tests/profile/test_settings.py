"""Mój profil → Ustawienia (/profile/settings/): time zone, language, low-balance alert, SIP password."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.conf import settings

from accounts import time_zones
from accounts.models import Account, AuditEvent
from tests import factories

URL = "/profile/settings/"
SIP_URL = "/profile/settings/sip-password/"
ALICE_SIP = "qjbnwds9Alice"


def form_data(**overrides) -> dict[str, str]:
    data = {"time_zone": "Europe/Warsaw", "language": "pl", "low_balance_threshold": ""}
    data.update(overrides)
    return data


def text_of(response) -> str:
    """The page with runs of white space made single (Polish dates have two spaces)."""
    return " ".join(response.content.decode().split())


def reload(account: Account) -> Account:
    return Account.objects.get(pk=account.pk)


@pytest.fixture
def alice(alice):
    alice.sip_password = ALICE_SIP
    alice.save()
    return alice


def test_it_sends_anonymous_visitors_to_login(client):
    for url in (URL, SIP_URL):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")


def test_anonymous_visitors_cannot_change_anything(client, alice):
    client.post(URL, form_data(time_zone="Asia/Tokyo"))
    client.post(SIP_URL)
    alice = reload(alice)
    assert alice.time_zone == "Europe/Warsaw"
    assert alice.sip_password == ALICE_SIP


def test_it_shows_the_settings_in_polish(alice_client):
    response = alice_client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Strefa czasowa" in page
    assert "Język interfejsu Web" in page
    assert "Hasło SIP" in page
    assert "Próg powiadomienia o niskim saldzie" in page
    assert "dostępne środki (saldo plus limit kredytowy)" in page
    assert 'aria-current="page" href="/profile/settings/">Ustawienia</a>' in page


def test_it_offers_the_accounts_country_first_then_every_zone_without_aliases(alice_client):
    field = alice_client.get(URL).context["form"].fields["time_zone"]
    groups = [(str(label), items) for label, items in field.choices]
    assert groups[0] == ("Twój kraj (Polska)", [("Europe/Warsaw", "Europe/Warsaw")])
    assert groups[1][0] == "Najczęściej wybierane strefy"
    assert [label for label, _items in groups[2:5]] == ["Afryka", "Ameryka", "Antarktyda"]
    offered = {value for _label, items in groups for value, _name in items}
    assert offered == time_zones.canonical_names()
    assert "Europe/Kyiv" in offered and "Africa/Asmara" in offered
    assert not offered & {"Europe/Kiev", "Africa/Asmera", "Poland", "US/Eastern", "Etc/UTC"}


def test_an_account_in_another_country_sees_its_zones_first(alice_client, alice):
    alice.country = "US"
    alice.save()
    field = alice_client.get(URL).context["form"].fields["time_zone"]
    label, items = next(iter(field.choices))
    assert str(label) == "Twój kraj (Stany Zjednoczone Ameryki)"
    assert items[0] == ("America/New_York", "America/New_York") and len(items) > 20


def test_it_selects_the_accounts_time_zone_once(alice_client, alice):
    alice.time_zone = "Europe/Prague"
    alice.save()
    page = alice_client.get(URL).content.decode()
    # Europe/Prague is in the common group and in the Europe group: selected only once.
    assert page.count('value="Europe/Prague" selected') == 1


def test_it_rejects_other_methods(alice_client):
    for url in (URL, SIP_URL):
        assert alice_client.put(url).status_code == 405
        assert alice_client.delete(url).status_code == 405


def test_it_saves_the_time_zone_and_audits_it(alice_client, alice):
    response = alice_client.post(URL, form_data(time_zone="America/New_York"), follow=True)
    assert response.redirect_chain == [(URL, 302)]
    assert "Twoje ustawienia zostały zapisane." in response.content.decode()
    assert reload(alice).time_zone == "America/New_York"
    event = AuditEvent.objects.get()
    assert (event.kind, event.account, event.data["fields"]) == (
        "profile.change",
        alice,
        ["time_zone"],
    )


def test_every_page_shows_times_in_the_new_time_zone(alice_client, alice):
    factories.make_call(alice, started_at=datetime(2026, 1, 15, 12, 0, tzinfo=UTC))
    assert "15-01-2026 13:00" in text_of(alice_client.get("/"))  # Warsaw, UTC+1

    alice_client.post(URL, form_data(time_zone="America/New_York"))

    page = text_of(alice_client.get("/"))
    assert "15-01-2026 07:00" in page  # New York, UTC-5
    assert "15-01-2026 13:00" not in page


def test_the_new_language_applies_from_the_very_next_page(alice_client, alice):
    response = alice_client.post(URL, form_data(language="en"))
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert reload(alice).language == "en"

    page = alice_client.get(response["Location"]).content.decode()
    assert "Your settings have been saved." in page
    assert ">General</a>" in page
    assert "Dashboard" in alice_client.get("/").content.decode()


def test_it_saves_the_low_balance_threshold_and_rearms_the_alert(alice_client, alice):
    alice.low_balance_alert_sent = True
    alice.save()

    alice_client.post(URL, form_data(low_balance_threshold="12,50"))

    alice = reload(alice)
    assert alice.low_balance_threshold == Decimal("12.50")
    assert alice.low_balance_alert_sent is False
    assert AuditEvent.objects.get().data["fields"] == ["low_balance_threshold"]


def test_it_shows_the_threshold_in_the_polish_number_format(alice_client, alice):
    alice.low_balance_threshold = Decimal("12.50")
    alice.save()
    assert 'value="12,50"' in alice_client.get(URL).content.decode()


def test_an_unchanged_threshold_keeps_the_alert_state(alice_client, alice):
    alice.low_balance_threshold = Decimal("12.50")
    alice.low_balance_alert_sent = True
    alice.save()

    alice_client.post(URL, form_data(low_balance_threshold="12,5", language="en"))

    alice = reload(alice)
    assert alice.low_balance_alert_sent is True
    assert AuditEvent.objects.get().data["fields"] == ["language"]


def test_an_empty_threshold_switches_the_alert_off(alice_client, alice):
    alice.low_balance_threshold = Decimal("12.50")
    alice.save()
    alice_client.post(URL, form_data(low_balance_threshold=""))
    assert reload(alice).low_balance_threshold is None


def test_it_leaves_another_account_untouched(alice_client, bob):
    alice_client.post(URL, form_data(time_zone="Asia/Tokyo", language="en"))
    alice_client.post(SIP_URL)
    bob = reload(bob)
    assert (bob.time_zone, bob.language, bob.sip_password) == ("Europe/Warsaw", "pl", "")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time_zone", "Mars/Olympus_Mons", "Wybierz poprawną wartość."),
        ("time_zone", "localtime", "Wybierz poprawną wartość."),
        ("time_zone", "Europe/Warsaw\x00", "Wybierz poprawną wartość."),
        ("time_zone", "", "To pole jest wymagane."),
        ("language", "de", "Wybierz poprawną wartość."),
        ("language", "<script>", "Wybierz poprawną wartość."),
        ("low_balance_threshold", "-1", "Wpisz kwotę równą 0 lub większą."),
        ("low_balance_threshold", "dużo", "Wpisz kwotę, np. 125,50"),
        ("low_balance_threshold", "1" * 13, "Wpisz kwotę mniejszą niż miliard."),
        ("low_balance_threshold", "1,234", "Wpisz kwotę z najwyżej dwoma miejscami po przecinku."),
    ],
)
def test_it_rejects_bad_input_and_saves_nothing(alice_client, alice, field, value, message):
    data = form_data(language="en")
    data[field] = value
    response = alice_client.post(URL, data)

    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors[field])
    assert message in errors
    page = response.content.decode()
    assert f'href="#id_{field}"' in page.split('data-testid="error-summary"', 1)[1]
    assert reload(alice).language == "pl"
    assert not AuditEvent.objects.exists()


def test_it_keeps_what_the_customer_typed_when_a_field_is_wrong(alice_client):
    response = alice_client.post(
        URL, form_data(time_zone="Asia/Tokyo", language="xx", low_balance_threshold="7,25")
    )
    page = response.content.decode()
    assert 'value="Asia/Tokyo" selected' in page
    assert 'value="7,25"' in page


def test_missing_fields_are_errors_not_crashes(alice_client):
    response = alice_client.post(URL, {})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"time_zone", "language"}


# The SIP password


def test_it_hides_the_sip_password_by_default(alice_client):
    page = alice_client.get(URL).content.decode()
    assert ALICE_SIP not in page
    assert "Pokaż hasło SIP" in page


def test_it_reveals_the_sip_password_on_request(alice_client):
    page = alice_client.get(URL + "?show_sip=1").content.decode()
    assert ALICE_SIP in page
    assert "Ukryj hasło SIP" in page


def test_the_page_with_the_sip_password_is_not_cached(alice_client):
    response = alice_client.get(URL + "?show_sip=1")
    assert "no-store" in response["Cache-Control"]


def test_it_never_shows_another_accounts_sip_password(alice_client, bob):
    bob.sip_password = "BobsSecretSip1"
    bob.save()
    assert "BobsSecretSip1" not in alice_client.get(URL + "?show_sip=1").content.decode()


def test_asking_for_a_new_sip_password_only_asks_for_confirmation(alice_client, alice):
    response = alice_client.get(SIP_URL)
    assert response.status_code == 200
    assert "Tak, wygeneruj nowe hasło SIP" in response.content.decode()
    assert reload(alice).sip_password == ALICE_SIP
    assert not AuditEvent.objects.exists()


def test_confirming_generates_a_strong_new_sip_password(alice_client, alice):
    response = alice_client.post(SIP_URL, follow=True)

    new = reload(alice).sip_password
    assert new != ALICE_SIP
    assert len(new) == 20
    assert new.isalnum()
    assert any(c.isupper() for c in new)
    assert any(c.islower() for c in new)
    assert any(c.isdigit() for c in new)
    assert response.redirect_chain == [(URL + "?show_sip=1#sip-password", 302)]
    page = response.content.decode()
    assert new in page
    assert "Wygenerowano nowe hasło SIP." in page


def test_a_new_sip_password_is_audited_without_the_password(alice_client, alice):
    alice_client.post(SIP_URL)
    event = AuditEvent.objects.get()
    assert (event.kind, event.account, event.actor) == ("profile.sip_password", alice, alice.user)
    new = reload(alice).sip_password
    assert new not in str(event.data) and new not in event.message


def test_the_sip_password_is_stored_encrypted(alice_client, alice):
    from django.db import connection

    alice_client.post(SIP_URL)
    new = reload(alice).sip_password
    with connection.cursor() as cursor:
        cursor.execute("SELECT sip_password FROM accounts_account WHERE id = %s", [alice.pk])
        (stored,) = cursor.fetchone()
    assert new not in stored


def test_the_settings_form_cannot_set_the_sip_password(alice_client, alice):
    alice_client.post(URL, form_data(sip_password="weak"))
    assert reload(alice).sip_password == ALICE_SIP


# What a phone needs to sign in


def test_it_shows_what_a_phone_needs_to_sign_in(alice_client, alice, settings):
    settings.SIP_DOMAIN = "sip.example.net"
    settings.SIP_PROXY = "udp:sip.example.net:5060"
    page = alice_client.get(URL).content.decode()
    assert f'<code data-testid="sip-login">{alice.account_id}</code>' in page
    assert '<code data-testid="sip-domain">sip.example.net</code>' in page
    assert '<code data-testid="sip-proxy">udp:sip.example.net:5060</code>' in page
    assert "<dt>Hasło SIP</dt>" in page
    # The password itself only on request, as before.
    assert ALICE_SIP not in page
    assert ALICE_SIP in alice_client.get(URL + "?show_sip=1").content.decode()


def test_the_sip_login_is_the_accounts_own(alice_client, bob):
    page = alice_client.get(URL).content.decode()
    assert bob.account_id not in page
