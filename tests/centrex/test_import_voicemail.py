"""manage.py import_voicemail SPOOL_DIR: messages from the switch's spool into the mailboxes.

The themes have files of their own: test_import_voicemail_txt.py (the .txt: broken files,
encodings, ids), test_import_voicemail_formats.py (recordings, sox),
test_import_voicemail_spool.py (folders, links and FIFOs, messages still being written) and
test_import_voicemail_greetings.py (the mailboxes' greetings). The helpers here are shared.
"""

from __future__ import annotations

import os
import shutil
import smtplib
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.models import AuditEvent
from centrex.voicemail.models import DeletedVoicemail, MailboxSettings, VoicemailMessage
from centrex.voicemail.services import delete_message
from tests.factories import enable_voicemail, wav_bytes, write_spool_message

pytestmark = pytest.mark.django_db

# The operator's sample spool, beside the checkout (see shared/data/README.md).
SAMPLE_SPOOL = Path(__file__).resolve().parents[3] / "shared" / "data" / "asterisk-voicemail"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PORTAL_URL = "https://konto.example.com"


@pytest.fixture
def spool(tmp_path) -> Path:
    return tmp_path / "spool"


def media_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def aged(*paths: Path, seconds: float = 3600) -> None:
    """Make files look as if written `seconds` ago (a .txt without its duration= line that
    was written just now is still being written, and is left for the next run)."""
    then = time.time() - seconds
    for path in paths:
        os.utime(path, (then, then), follow_symlinks=False)


def run(spool: Path, *args: str) -> tuple[str, str, int]:
    """Run the command; (stdout, stderr, exit status)."""
    out, err = StringIO(), StringIO()
    try:
        call_command("import_voicemail", str(spool), *args, stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue() + str(error), error.returncode
    return out.getvalue(), err.getvalue(), 0


@pytest.mark.skipif(
    not SAMPLE_SPOOL.is_dir(), reason="the shared sample spool is not beside the checkout"
)
def test_it_imports_the_operators_sample_spool(alice, tmp_path, mailoutbox):
    enable_voicemail(alice, mailbox="1001")
    shutil.copytree(SAMPLE_SPOOL, tmp_path / "sample")
    out, err, status = run(tmp_path / "sample")
    assert status == 0, err
    assert "Imported 3 (0 e-mailed only), 0 already present, 0 rejected" in out
    messages = {m.caller_name: m for m in VoicemailMessage.objects.filter(account=alice)}
    assert set(messages) == {"Jan Kowalski", "", "Biuro, NASK"}
    assert messages["Jan Kowalski"].caller_number == "48501234567"
    assert messages["Jan Kowalski"].duration == 4
    assert messages["Jan Kowalski"].folder == "INBOX" and not messages["Jan Kowalski"].heard
    assert messages[""].caller_number == "48226543210"
    assert messages["Biuro, NASK"].folder == "Old" and messages["Biuro, NASK"].heard
    # origtime is what counts (the sample's human-readable origdate says otherwise).
    assert messages["Biuro, NASK"].received_at.isoformat() == "2026-11-12T10:40:00+00:00"
    # The two new ones are announced; the one in Old was heard on the phone already.
    assert len(mailoutbox) == 2


def test_it_imports_new_messages_with_their_audio(alice, spool, settings):
    enable_voicemail(alice)
    audio = wav_bytes(seconds=3)
    write_spool_message(spool, "1001", "INBOX", 0, audio=audio, duration=3)
    out, err, status = run(spool)
    assert status == 0, err
    message = VoicemailMessage.objects.get(account=alice)
    assert message.msg_id == "1794733200-00000000"
    assert message.caller_name == "Jan Kowalski" and message.caller_number == "48501234567"
    assert message.received_at.isoformat() == "2026-11-15T09:00:00+00:00"
    assert message.duration == 3 and message.mailbox == "1001"
    with message.audio.open("rb") as stored:
        assert stored.read() == audio
    assert message.audio_size == len(audio)
    event = AuditEvent.objects.get(kind="voicemail.imported")
    assert event.account == alice and event.actor_label == "manage.py import_voicemail"
    assert event.actor_kind == "operator"


def test_running_it_again_imports_nothing_twice(alice, spool, mailoutbox):
    enable_voicemail(alice)
    write_spool_message(spool, "1001", "INBOX", 0, msg_id="1794733200-00000000")
    write_spool_message(spool, "1001", "INBOX", 1, msg_id="1794567601-00000001")
    run(spool)
    out, err, status = run(spool)
    assert status == 0
    assert "Imported 0 (0 e-mailed only), 2 already present, 0 rejected" in out
    assert VoicemailMessage.objects.count() == 2
    assert len(mailoutbox) == 2


def test_a_message_moved_on_the_switch_is_still_the_same_message(alice, spool):
    enable_voicemail(alice)
    write_spool_message(spool, "1001", "INBOX", 0)
    run(spool)
    shutil.rmtree(spool / "default" / "1001" / "INBOX")
    write_spool_message(spool, "1001", "Old", 3)
    out, _, _ = run(spool)
    assert "1 already present" in out
    assert VoicemailMessage.objects.count() == 1


def test_a_message_the_customer_deleted_does_not_come_back(alice, spool):
    enable_voicemail(alice)
    write_spool_message(spool, "1001", "INBOX", 0)
    run(spool)
    delete_message(VoicemailMessage.objects.get())
    out, _, status = run(spool)
    assert status == 0 and "1 already present" in out
    assert not VoicemailMessage.objects.exists()


def test_the_customer_gets_a_notification_in_their_language_and_time_zone(alice, spool, mailoutbox):
    enable_voicemail(alice)
    alice.user.email = "alicja@example.com"
    alice.user.save()
    write_spool_message(spool, "1001", "INBOX", 0, duration=75)
    run(spool)
    [email] = mailoutbox
    assert email.to == ["alicja@example.com"]
    assert email.subject == "Nowa wiadomość głosowa od Jan Kowalski <48501234567>"
    assert "15 listopada 2026 10:00" in email.body  # 09:00 UTC in Europe/Warsaw
    assert "0:01:15" in email.body
    assert "https://konto.example.com/centrex/voicemail/" in email.body
    assert not email.attachments
    html = email.alternatives[0][0]
    assert "Jan Kowalski &lt;48501234567&gt;" in html


def test_an_english_account_gets_an_english_e_mail(alice, spool, mailoutbox):
    enable_voicemail(alice)
    alice.language = "en"
    alice.time_zone = "America/New_York"
    alice.save()
    write_spool_message(spool, "1001", "INBOX", 0)
    run(spool)
    [email] = mailoutbox
    assert email.subject == "New voicemail message from Jan Kowalski <48501234567>"
    assert "Nov. 15, 2026, 04:00" in email.body


def test_the_audio_is_attached_when_the_customer_asked_for_it(alice, spool, mailoutbox):
    enable_voicemail(alice)
    MailboxSettings.objects.create(
        account=alice, notification_email="a@example.com", email_mode="attach"
    )
    audio = wav_bytes(seconds=1)
    write_spool_message(spool, "1001", "INBOX", 0, audio=audio)
    run(spool)
    [email] = mailoutbox
    [(name, content, mimetype)] = email.attachments
    assert name == "voicemail-20261115-100000.wav"
    assert content == audio and mimetype == "audio/wav"
    assert "Nagranie jest załączone do tego e-maila." in email.body
    assert VoicemailMessage.objects.filter(account=alice).exists()


def test_no_address_means_no_e_mail(alice, spool, mailoutbox):
    enable_voicemail(alice)
    MailboxSettings.objects.create(account=alice, notification_email="")
    write_spool_message(spool, "1001", "INBOX", 0)
    out, _, status = run(spool)
    assert status == 0 and "0 e-mails queued" in out
    assert not mailoutbox
    assert VoicemailMessage.objects.count() == 1


def test_delete_after_e_mail_sends_the_audio_and_keeps_only_the_id(
    alice, spool, mailoutbox, settings
):
    enable_voicemail(alice)
    MailboxSettings.objects.create(
        account=alice,
        notification_email="a@example.com",
        email_mode="attach",
        delete_after_email=True,
    )
    audio = wav_bytes(seconds=1)
    write_spool_message(spool, "1001", "INBOX", 0, audio=audio)
    out, _, status = run(spool)
    assert status == 0
    assert "Imported 1 (1 e-mailed only)" in out
    [email] = mailoutbox
    assert email.attachments[0][1] == audio
    assert "ten e-mail jest jej jedyną kopią" in email.body
    assert not VoicemailMessage.objects.exists()
    assert not media_files(settings)
    assert DeletedVoicemail.objects.get(account=alice).reason == "emailed"
    assert AuditEvent.objects.filter(kind="voicemail.emailed").count() == 1

    out, _, _ = run(spool)  # the spool still has it: no second e-mail
    assert "1 already present" in out and len(mailoutbox) == 1


def refusing_mail_server(monkeypatch, error: Exception) -> None:
    def refuse(self, messages):
        raise error

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)


def retries_fall_due() -> None:
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())


def test_while_the_mail_server_is_down_a_delete_after_e_mail_message_waits_in_the_queue(
    alice, spool, mailoutbox, monkeypatch, task_queue
):
    enable_voicemail(alice)
    MailboxSettings.objects.create(
        account=alice,
        notification_email="a@example.com",
        email_mode="attach",
        delete_after_email=True,
    )
    audio = wav_bytes(seconds=1)
    write_spool_message(spool, "1001", "INBOX", 0, audio=audio)
    out, err, status = run(spool)
    assert status == 0 and err == ""
    assert "Imported 1 (1 e-mailed only)" in out
    assert DeletedVoicemail.objects.get(account=alice).reason == "emailed"

    with monkeypatch.context() as patched:
        refusing_mail_server(patched, smtplib.SMTPServerDisconnected("connection lost"))
        task_queue()
    assert mailoutbox == []
    retries_fall_due()
    task_queue()
    [email] = mailoutbox  # the queue kept the only copy of the recording
    assert email.attachments[0][1] == audio


def test_a_notification_the_mail_server_refuses_is_retried_and_the_message_stays(
    alice, spool, mailoutbox, monkeypatch, task_queue
):
    enable_voicemail(alice)
    write_spool_message(spool, "1001", "INBOX", 0)
    out, err, status = run(spool)
    assert status == 0
    assert VoicemailMessage.objects.count() == 1

    with monkeypatch.context() as patched:
        refusing_mail_server(patched, smtplib.SMTPException("mailbox unavailable"))
        task_queue()
    retries_fall_due()
    task_queue()
    assert len(mailoutbox) == 1
    assert VoicemailMessage.objects.count() == 1


def test_unknown_mailboxes_are_reported_and_the_rest_imported(alice, spool):
    enable_voicemail(alice)
    write_spool_message(spool, "1001", "INBOX", 0)
    stranger = write_spool_message(spool, "4242", "INBOX", 0)
    out, err, status = run(spool)
    assert status == 1
    assert f"Skipped {stranger}: no account has mailbox 4242" in err
    assert "Imported 1 (0 e-mailed only), 0 already present, 1 rejected" in out
    assert VoicemailMessage.objects.get().account == alice


def test_a_mailbox_whose_account_has_voicemail_off_is_reported(alice, spool):
    alice.mailbox = "1001"
    alice.save()
    write_spool_message(spool, "1001", "INBOX", 0)
    out, err, status = run(spool)
    assert status == 1 and "voicemail is disabled for account" in err
    assert not VoicemailMessage.objects.exists()


def test_a_failure_to_store_the_audio_leaves_no_message(alice, spool, monkeypatch):
    enable_voicemail(alice)
    write_spool_message(spool, "1001", "INBOX", 0)

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("django.core.files.storage.FileSystemStorage._save", disk_full)
    out, err, status = run(spool)
    assert status == 1 and "cannot store the audio" in err
    assert not VoicemailMessage.objects.exists()
    assert not AuditEvent.objects.filter(kind="voicemail.imported").exists()


def test_a_failure_after_the_audio_is_stored_removes_the_file(alice, spool, settings, monkeypatch):
    enable_voicemail(alice)
    write_spool_message(spool, "1001", "INBOX", 0)

    def broken_audit(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("centrex.voicemail.importer.record", broken_audit)
    with pytest.raises(RuntimeError):
        run(spool)
    assert not VoicemailMessage.objects.exists()
    assert not media_files(settings)


def test_a_dry_run_changes_nothing_and_sends_nothing(alice, spool, mailoutbox, settings):
    enable_voicemail(alice)
    write_spool_message(spool, "1001", "INBOX", 0)
    write_spool_message(spool, "9999", "INBOX", 0)
    out, err, status = run(spool, "--dry-run")
    assert "Dry run: 1 would be imported, 0 already present, 1 rejected." in out
    assert status == 1
    assert not VoicemailMessage.objects.exists()
    assert not mailoutbox and not media_files(settings)
    assert not AuditEvent.objects.exists()


def test_another_context_can_be_chosen(alice, spool):
    enable_voicemail(alice)
    write_spool_message(spool, "1001", "INBOX", 0, context="office")
    out, err, status = run(spool, "--context", "office")
    assert status == 0, err
    assert VoicemailMessage.objects.count() == 1


@pytest.mark.parametrize("context", ["../etc", "a/b", ".."])
def test_a_context_must_be_a_folder_name(spool, context, db):
    (spool / "default").mkdir(parents=True)
    _, err, status = run(spool, "--context", context)
    assert status == 1 and "--context must be the name of one folder" in err


def test_a_spool_that_does_not_exist_is_an_error(tmp_path, db):
    _, err, status = run(tmp_path / "nowhere")
    assert status == 1 and "is not a directory" in err


def test_a_spool_without_the_context_folder_says_what_to_give(spool, db):
    (spool / "1001" / "INBOX").mkdir(parents=True)
    _, err, status = run(spool)
    assert status == 1 and "has no 'default' folder" in err


def test_messages_already_heard_on_the_phone_are_imported_without_an_e_mail(
    alice, spool, mailoutbox
):
    enable_voicemail(alice)
    MailboxSettings.objects.create(
        account=alice,
        notification_email="a@example.com",
        email_mode="attach",
        delete_after_email=True,
    )
    write_spool_message(spool, "1001", "Old", 0)
    out, err, status = run(spool)
    assert status == 0, err
    assert "Imported 1 (0 e-mailed only)" in out and "0 e-mails queued" in out
    assert not mailoutbox
    assert VoicemailMessage.objects.get().folder == "Old"


def test_the_summary_says_what_waits_what_was_converted_and_what_was_skipped(alice, spool):
    enable_voicemail(alice)
    write_spool_message(spool, "1001", "INBOX", 0)
    out, err, status = run(spool)
    assert status == 0, err
    assert (
        "0 messages left for the next run (still being written); 0 converted with sox; "
        "0 messages with text read as cp1250 (not UTF-8)." in out
    )
    assert (
        "Greetings: 0 imported, 0 updated (recorded again), 0 removed (no longer on the "
        "switch), 0 unchanged, 0 left for the next run." in out
    )


def test_an_unknown_fallback_encoding_is_refused(spool, db):
    (spool / "default").mkdir(parents=True)
    _, err, status = run(spool, "--fallback-encoding", "polish")
    assert status == 1 and "--fallback-encoding 'polish' is not an encoding" in err
