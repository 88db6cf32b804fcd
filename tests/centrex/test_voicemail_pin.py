"""/centrex/voicemail/pin/: the mailbox PIN, digits only, not weak, stored hashed."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent
from centrex.voicemail.models import MailboxSettings
from tests.factories import enable_voicemail

pytestmark = pytest.mark.django_db

URL = "/centrex/voicemail/pin/"


def test_anonymous_visitors_are_sent_to_login(client):
    assert client.get(URL)["Location"] == f"/login/?next={URL}"


def test_it_does_not_accept_delete(alice_client, alice):
    enable_voicemail(alice)
    assert alice_client.delete(URL).status_code == 405


def test_with_voicemail_off_the_pin_cannot_be_set(alice_client, alice):
    response = alice_client.post(URL, {"pin": "4831", "pin_confirm": "4831"})
    assert response.status_code == 403
    assert not MailboxSettings.objects.exists()


def test_it_sets_the_pin_hashed_and_audits_without_the_pin(alice_client, alice, argon2):
    enable_voicemail(alice)
    assert "PIN nie został jeszcze ustawiony." in alice_client.get(URL).content.decode()
    response = alice_client.post(URL, {"pin": "4831", "pin_confirm": "4831"})
    assert response.status_code == 302 and response["Location"] == "/centrex/voicemail/"
    saved = MailboxSettings.objects.get(account=alice)
    assert "4831" not in saved.pin_hash and saved.pin_hash.startswith("argon2")
    assert saved.check_pin("4831") and not saved.check_pin("4832")
    event = AuditEvent.objects.get(kind="voicemail.pin_changed")
    assert "4831" not in str(event.data) + event.message
    html = alice_client.get("/centrex/voicemail/").content.decode()
    assert 'data-testid="pin-status">ustawiony' in html


@pytest.mark.parametrize(
    ("pin", "error"),
    [
        ("12a4", "PIN może zawierać tylko cyfry (0–9)."),
        ("４８３１", "PIN może zawierać tylko cyfry (0–9)."),  # full-width digits
        ("483", "PIN musi mieć od 4 do 8 cyfr."),
        ("1234", "nie używaj kolejnych cyfr"),
        ("98765", "nie używaj kolejnych cyfr"),
        ("7890", "nie używaj kolejnych cyfr"),
        ("0000", "nie powtarzaj tej samej cyfry"),
        ("1212", "nie powtarzaj tej samej cyfry"),
        ("2580", "jeden z najczęściej używanych"),
        ("1001", "PIN nie może być numerem skrzynki."),
    ],
)
def test_a_weak_or_malformed_pin_is_refused_with_the_reason(alice_client, alice, pin, error):
    enable_voicemail(alice, mailbox="1001")
    response = alice_client.post(URL, {"pin": pin, "pin_confirm": pin})
    html = response.content.decode()
    assert response.status_code == 200
    assert error in html
    assert 'data-testid="error-summary"' in html
    assert f'value="{pin}"' not in html  # a PIN is never sent back
    assert not MailboxSettings.objects.exists()


def test_a_pin_longer_than_8_digits_is_refused(alice_client, alice):
    enable_voicemail(alice)
    response = alice_client.post(URL, {"pin": "482913745", "pin_confirm": "482913745"})
    assert "PIN musi mieć od 4 do 8 cyfr." in response.content.decode()


def test_the_two_pins_must_match(alice_client, alice):
    enable_voicemail(alice)
    response = alice_client.post(URL, {"pin": "4831", "pin_confirm": "4813"})
    assert "Wpisane PIN-y się różnią." in response.content.decode()
    assert not MailboxSettings.objects.exists()


def test_an_empty_form_says_what_to_enter(alice_client, alice):
    enable_voicemail(alice)
    response = alice_client.post(URL, {})
    html = response.content.decode()
    assert "Wpisz nowy PIN." in html and "Wpisz nowy PIN ponownie." in html


def test_changing_the_pin_keeps_the_other_settings(alice_client, alice):
    enable_voicemail(alice)
    alice_client.post(
        "/centrex/voicemail/settings/",
        {"notification_email": "a@example.com", "email_mode": "attach", "greeting": "name"},
    )
    alice_client.post(URL, {"pin": "4831", "pin_confirm": "4831"})
    alice_client.post(URL, {"pin": "739164", "pin_confirm": "739164"})
    saved = MailboxSettings.objects.get(account=alice)
    assert saved.check_pin("739164") and not saved.check_pin("4831")
    assert saved.greeting == "name" and saved.notification_email == "a@example.com"
