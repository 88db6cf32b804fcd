"""/centrex/voicemail/settings/: notification e-mail, what it carries, delete after e-mail,
greeting."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent
from centrex.voicemail.models import MailboxSettings
from tests.factories import enable_voicemail

pytestmark = pytest.mark.django_db

URL = "/centrex/voicemail/settings/"
VALID = {
    "notification_email": "alicja@example.com",
    "email_mode": "attach",
    "delete_after_email": "on",
    "greeting": "absence",
}


def test_anonymous_visitors_are_sent_to_login(client):
    assert client.get(URL)["Location"] == f"/login/?next={URL}"


def test_it_does_not_accept_put(alice_client, alice):
    enable_voicemail(alice)
    assert alice_client.put(URL).status_code == 405


def test_with_voicemail_off_the_form_is_refused_and_nothing_saved(alice_client, alice):
    response = alice_client.get(URL)
    assert response.status_code == 403
    assert "Poczta głosowa jest wyłączona" in response.content.decode()
    assert alice_client.post(URL, VALID).status_code == 403
    assert not MailboxSettings.objects.exists()


def test_it_shows_the_defaults_with_the_accounts_e_mail(alice_client, alice):
    enable_voicemail(alice)
    response = alice_client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert f'value="{alice.email}"' in html
    assert "Powitanie" in html and "dłuższa nieobecność" in html


def test_it_saves_the_settings_and_audits_them(alice_client, alice):
    enable_voicemail(alice)
    response = alice_client.post(URL, VALID)
    assert response.status_code == 302 and response["Location"] == "/centrex/voicemail/"
    saved = MailboxSettings.objects.get(account=alice)
    assert saved.notification_email == "alicja@example.com"
    assert saved.email_mode == "attach" and saved.delete_after_email
    assert saved.greeting == "absence"
    event = AuditEvent.objects.get(kind="voicemail.settings_changed")
    assert event.account == alice and event.actor == alice.user
    assert (
        "Ustawienia poczty głosowej zostały zapisane."
        in alice_client.get("/centrex/voicemail/").content.decode()
    )


def test_saving_the_settings_again_unchanged_audits_nothing(alice_client, alice):
    enable_voicemail(alice)
    alice_client.post(URL, VALID)
    first = AuditEvent.objects.get(kind="voicemail.settings_changed")
    assert first.data["greeting"] == ["standard", "absence"]  # what changed, from and to
    response = alice_client.post(URL, VALID)
    assert response.status_code == 302
    assert AuditEvent.objects.filter(kind="voicemail.settings_changed").count() == 1


def test_the_defaults_saved_as_they_are_audit_nothing(alice_client, alice):
    enable_voicemail(alice)
    defaults = {"notification_email": alice.email, "email_mode": "notify", "greeting": "standard"}
    assert alice_client.post(URL, defaults).status_code == 302
    assert not AuditEvent.objects.exists()


def test_delete_after_e_mail_without_the_audio_attached_is_refused(alice_client, alice):
    enable_voicemail(alice)
    response = alice_client.post(URL, {**VALID, "email_mode": "notify"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="error-summary"' in html
    assert "tylko wtedy, gdy e-mail zawiera nagranie" in html
    assert 'value="alicja@example.com"' in html  # what the customer typed is kept
    assert not MailboxSettings.objects.exists()


def test_delete_after_e_mail_needs_an_address(alice_client, alice):
    enable_voicemail(alice)
    response = alice_client.post(URL, {**VALID, "notification_email": ""})
    assert response.status_code == 200
    assert "Podaj adres e-mail" in response.content.decode()
    assert not MailboxSettings.objects.exists()


def test_a_bad_e_mail_address_is_shown_at_the_field(alice_client, alice):
    enable_voicemail(alice)
    response = alice_client.post(URL, {**VALID, "notification_email": "alicja@"})
    assert response.status_code == 200
    assert "Wpisz adres e-mail w postaci nazwa@example.com." in response.content.decode()


def test_an_unknown_choice_is_an_error_not_a_crash(alice_client, alice):
    enable_voicemail(alice)
    response = alice_client.post(URL, {**VALID, "greeting": "<script>", "email_mode": "x"})
    assert response.status_code == 200
    assert response.content.decode().count("is-invalid") >= 2
    assert not MailboxSettings.objects.exists()


def test_an_empty_address_means_no_e_mails(alice_client, alice):
    enable_voicemail(alice)
    alice_client.post(
        URL, {"notification_email": "", "email_mode": "notify", "greeting": "standard"}
    )
    saved = MailboxSettings.objects.get(account=alice)
    assert saved.notification_email == "" and not saved.delete_after_email
    assert "bez e-maili" in alice_client.get("/centrex/voicemail/").content.decode()


def test_an_empty_post_shows_the_errors(alice_client, alice):
    enable_voicemail(alice)
    response = alice_client.post(URL, {})
    assert response.status_code == 200
    assert 'data-testid="error-summary"' in response.content.decode()
    assert not MailboxSettings.objects.exists()
