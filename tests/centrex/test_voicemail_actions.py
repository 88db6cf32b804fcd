"""Actions on one message: mark heard / new, move to Old, delete (with confirmation)."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent
from centrex.voicemail.models import DeletedVoicemail, VoicemailMessage
from tests.factories import enable_voicemail, make_message

pytestmark = pytest.mark.django_db

ACTIONS = ["heard", "unheard", "move-to-old", "delete"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def message(alice):
    enable_voicemail(alice)
    return make_message(alice)


@pytest.mark.parametrize("action", ACTIONS)
def test_anonymous_visitors_are_sent_to_login(client, message, action):
    url = f"/centrex/voicemail/{message.pk}/{action}/"
    assert client.post(url)["Location"] == f"/login/?next={url}"


@pytest.mark.parametrize("action", ["heard", "unheard", "move-to-old"])
def test_actions_change_nothing_on_get(alice_client, message, action):
    assert alice_client.get(f"/centrex/voicemail/{message.pk}/{action}/").status_code == 405
    message.refresh_from_db()
    assert not message.heard and message.folder == "INBOX"


@pytest.mark.parametrize("action", ACTIONS)
def test_another_accounts_message_is_not_found_and_untouched(client, bob, message, action):
    enable_voicemail(bob, mailbox="1002")
    client.force_login(bob.user)
    assert client.post(f"/centrex/voicemail/{message.pk}/{action}/").status_code == 404
    message.refresh_from_db()
    assert not message.heard and message.folder == "INBOX"


@pytest.mark.parametrize("action", ACTIONS)
def test_with_voicemail_off_every_action_is_refused(alice_client, alice, message, action):
    alice.voicemail_enabled = False
    alice.save()
    response = alice_client.post(f"/centrex/voicemail/{message.pk}/{action}/")
    assert response.status_code == 403
    assert "Poczta głosowa jest wyłączona" in response.content.decode()
    message.refresh_from_db()
    assert not message.heard and message.folder == "INBOX"


def test_mark_heard_and_back_to_new(alice_client, message):
    response = alice_client.post(f"/centrex/voicemail/{message.pk}/heard/")
    assert response.status_code == 302
    assert response["Location"] == f"/centrex/voicemail/#message-{message.pk}"
    message.refresh_from_db()
    assert message.heard and message.folder == "INBOX"
    html = alice_client.get("/centrex/voicemail/").content.decode()
    assert "Wiadomość oznaczono jako odsłuchaną." in html
    assert "0 nowych wiadomości" in html

    alice_client.post(f"/centrex/voicemail/{message.pk}/unheard/")
    message.refresh_from_db()
    assert not message.heard
    kinds = list(AuditEvent.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["voicemail.heard", "voicemail.unheard"]


def test_move_to_old_files_it_as_heard(alice_client, message):
    alice_client.post(f"/centrex/voicemail/{message.pk}/move-to-old/")
    message.refresh_from_db()
    assert message.folder == "Old" and message.heard
    html = alice_client.get("/centrex/voicemail/").content.decode()
    old = html.split('data-testid="folder-Old"', 1)[1].split("</section>", 1)[0]
    assert f'id="message-{message.pk}"' in old
    assert f"/centrex/voicemail/{message.pk}/move-to-old/" not in html
    event = AuditEvent.objects.get(kind="voicemail.moved")
    assert event.data["from_folder"] == "INBOX" and event.data["to_folder"] == "Old"


def test_delete_asks_for_confirmation_first(alice_client, message):
    response = alice_client.get(f"/centrex/voicemail/{message.pk}/delete/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Usunąć wiadomość?" in html and "Jan Kowalski" in html
    assert f'action="/centrex/voicemail/{message.pk}/delete/"' in html
    assert VoicemailMessage.objects.filter(pk=message.pk).exists()


def test_delete_removes_the_message_and_its_audio_for_good(
    alice_client, alice, message, django_capture_on_commit_callbacks
):
    storage, name = message.audio.storage, message.audio.name
    assert storage.exists(name)
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(f"/centrex/voicemail/{message.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == "/centrex/voicemail/"
    assert not VoicemailMessage.objects.filter(pk=message.pk).exists()
    assert not storage.exists(name)
    assert DeletedVoicemail.objects.filter(account=alice, msg_id=message.msg_id).exists()
    assert AuditEvent.objects.filter(kind="voicemail.deleted", account=alice).exists()
    assert "Wiadomość została usunięta." in alice_client.get("/centrex/voicemail/").content.decode()
    assert alice_client.get(f"/centrex/voicemail/{message.pk}/audio/").status_code == 404


def test_delete_does_not_accept_put(alice_client, message):
    assert alice_client.put(f"/centrex/voicemail/{message.pk}/delete/").status_code == 405


def test_a_missing_message_is_not_found(alice_client, message):
    assert alice_client.post("/centrex/voicemail/999999/heard/").status_code == 404
