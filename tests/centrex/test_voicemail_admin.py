"""Voicemail in the operator's admin: settings, PIN reset, messages (read and delete only)."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent
from centrex.voicemail.models import DeletedVoicemail, MailboxSettings, VoicemailMessage
from centrex.voicemail.services import change_pin
from tests.factories import enable_voicemail, make_message

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_staff_see_the_messages_of_every_account(staff_client, alice):
    enable_voicemail(alice)
    make_message(alice, caller_number="48601765432")
    response = staff_client.get("/admin/centrex/voicemailmessage/")
    assert response.status_code == 200
    assert "48601765432" in response.content.decode()


# A superuser, who holds every permission: only the admin's own refusal can give the 403.
def test_staff_cannot_make_up_messages(admin_client):
    assert admin_client.get("/admin/centrex/voicemailmessage/add/").status_code == 403


def test_deleting_a_message_in_the_admin_is_audited_and_final(
    staff_client, alice, django_capture_on_commit_callbacks
):
    enable_voicemail(alice)
    message = make_message(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            f"/admin/centrex/voicemailmessage/{message.pk}/delete/", {"post": "yes"}
        )
    assert response.status_code == 302
    assert not VoicemailMessage.objects.exists()
    assert DeletedVoicemail.objects.filter(msg_id=message.msg_id).exists()
    event = AuditEvent.objects.get(kind="voicemail.deleted")
    assert event.actor_kind == "staff"


def test_staff_can_clear_a_forgotten_pin(staff_client, alice):
    change_pin(alice, "4831", actor="test")
    settings = MailboxSettings.objects.get(account=alice)
    response = staff_client.post(
        "/admin/centrex/mailboxsettings/",
        {"action": "clear_pins", "_selected_action": [settings.pk]},
    )
    assert response.status_code == 302
    settings.refresh_from_db()
    assert not settings.has_pin
    assert AuditEvent.objects.get(kind="voicemail.pin_cleared").actor_kind == "staff"


def test_the_admin_refuses_delete_after_e_mail_without_attachment(staff_client, alice):
    response = staff_client.post(
        "/admin/centrex/mailboxsettings/add/",
        {
            "account": alice.pk,
            "notification_email": "a@example.com",
            "email_mode": "notify",
            "delete_after_email": "on",
            "greeting": "standard",
        },
    )
    assert response.status_code == 200
    assert "tylko wtedy, gdy e-mail zawiera nagranie" in response.content.decode()
    assert not MailboxSettings.objects.exists()


def test_settings_saved_in_the_admin_are_audited(staff_client, alice):
    response = staff_client.post(
        "/admin/centrex/mailboxsettings/add/",
        {
            "account": alice.pk,
            "notification_email": "a@example.com",
            "email_mode": "attach",
            "greeting": "personal",
        },
    )
    assert response.status_code == 302
    assert MailboxSettings.objects.get(account=alice).greeting == "personal"
    assert AuditEvent.objects.get(kind="voicemail.settings_changed").actor_kind == "staff"


def test_the_settings_list_shows_whether_a_pin_is_set(staff_client, alice):
    change_pin(alice, "4831", actor="test")
    response = staff_client.get("/admin/centrex/mailboxsettings/")
    assert response.status_code == 200
    assert "icon-yes.svg" in response.content.decode()
    assert "4831" not in response.content.decode()
