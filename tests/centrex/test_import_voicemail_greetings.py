"""manage.py import_voicemail: the mailboxes' greetings, kept in step with the spool.

The layout is app_voicemail.c's: beside the folders, `unavail` (played when nobody answers,
VoiceMail(u)), `busy` (VoiceMail(b)), `greet` (the recorded name, "vm-rec-name") and `temp`
(played instead of both while it exists; the customer removes it from the phone menu), each
once per format= of voicemail.conf: `unavail.wav`, `unavail.WAV` (GSM in WAV), `unavail.gsm`.
Asterisk records a greeting in place, so one that changed in the last minute waits.
"""

from __future__ import annotations

import io
import os
import wave
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.utils import translation

from accounts.models import AuditEvent
from centrex.voicemail.models import VoicemailGreeting
from centrex.voicemail.recordings import Converter
from tests.centrex.test_import_voicemail import aged, media_files, run
from tests.centrex.test_import_voicemail_formats import (
    asterisk_wav49,
    recording,
    sox,  # noqa: F401 (the fixture needs_sox asks for)
)
from tests.factories import enable_voicemail, wav_bytes, write_spool_message

pytestmark = pytest.mark.django_db

needs_sox = pytest.mark.usefixtures("sox")
AN_HOUR_AGO = 3600


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PORTAL_URL = "https://konto.example.com"


@pytest.fixture
def spool(tmp_path) -> Path:
    return tmp_path / "spool"


@pytest.fixture
def run_committed(django_capture_on_commit_callbacks):
    """run(), with the import's on-commit work (deleting replaced files) done as a real commit
    would do it."""

    def run_and_commit(spool: Path, *args: str) -> tuple[str, str, int]:
        with django_capture_on_commit_callbacks(execute=True):
            return run(spool, *args)

    return run_and_commit


def write_greeting(
    spool: Path, kind: str, data: bytes, ext: str = "wav", *, mailbox: str = "1001", age=3600
) -> Path:
    """`<spool>/default/<mailbox>/<kind>.<ext>`, last written `age` seconds ago."""
    box = spool / "default" / mailbox
    box.mkdir(parents=True, exist_ok=True)
    path = box / f"{kind}.{ext}"
    path.write_bytes(data)
    if age:
        aged(path, seconds=age)
    return path


def greeting_summary(out: str) -> str:
    return next(line for line in out.splitlines() if line.startswith("Greetings: "))


def stored_audio(greeting: VoicemailGreeting) -> bytes:
    with greeting.audio.open("rb") as stored:
        return stored.read()


# Importing


def test_a_pcm_wav_greeting_is_imported_as_the_switch_wrote_it(alice, spool):
    enable_voicemail(alice)
    audio = wav_bytes(seconds=3)
    path = write_greeting(spool, "unavail", audio)
    out, err, status = run(spool)
    assert status == 0, err
    assert greeting_summary(out).startswith("Greetings: 1 imported, 0 updated")
    greeting = VoicemailGreeting.objects.get(account=alice)
    assert greeting.kind == "unavail" and greeting.duration == 3
    assert stored_audio(greeting) == audio
    assert not greeting.original and greeting.original_format == ""
    assert greeting.recorded_at == datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    event = AuditEvent.objects.get(kind="voicemail.greeting_imported")
    assert event.account == alice and event.actor_kind == "operator"


def test_every_kind_asterisk_records_is_imported_beside_the_messages(alice, spool):
    enable_voicemail(alice)
    write_spool_message(spool, "1001", "INBOX", 0)
    for kind in ("unavail", "busy", "greet", "temp"):
        write_greeting(spool, kind, wav_bytes())
    out, err, status = run(spool)
    assert status == 0, err
    assert "Imported 1 " in out and "Greetings: 4 imported" in out
    kinds = set(alice.voicemail_greetings.values_list("kind", flat=True))
    assert kinds == {"unavail", "busy", "greet", "temp"}


@needs_sox
@pytest.mark.parametrize("ext", ["WAV", "gsm"])
def test_a_gsm_greeting_is_converted_and_the_switchs_file_kept(alice, spool, tmp_path, ext):
    enable_voicemail(alice)
    original = recording(ext, tmp_path)
    write_greeting(spool, "busy", original, ext)
    out, err, status = run(spool)
    assert status == 0, err
    greeting = VoicemailGreeting.objects.get(account=alice, kind="busy")
    with wave.open(io.BytesIO(stored_audio(greeting))) as played:
        assert (played.getnchannels(), played.getsampwidth(), played.getframerate()) == (1, 2, 8000)
    assert greeting.duration == 2 and greeting.original_format == ext
    with greeting.original.open("rb") as kept:
        assert kept.read() == original


@needs_sox
def test_a_greeting_in_asterisks_own_wav49_layout_is_converted(alice, spool):
    enable_voicemail(alice)
    write_greeting(spool, "unavail", asterisk_wav49(blocks=50), "WAV")
    out, err, status = run(spool)
    assert status == 0, err
    assert VoicemailGreeting.objects.get().duration == 2


@needs_sox
def test_of_several_formats_the_pcm_wav_is_played(alice, spool, tmp_path):
    # voicemail.conf's sample: format=wav49|gsm|wav
    enable_voicemail(alice)
    pcm = wav_bytes(seconds=2)
    write_greeting(spool, "unavail", recording("WAV", tmp_path), "WAV")
    write_greeting(spool, "unavail", recording("gsm", tmp_path), "gsm")
    write_greeting(spool, "unavail", pcm, "wav")
    out, err, status = run(spool)
    assert status == 0, err
    greeting = VoicemailGreeting.objects.get()
    assert stored_audio(greeting) == pcm and not greeting.original


def test_without_sox_a_gsm_greeting_waits_saying_why(alice, spool, monkeypatch):
    enable_voicemail(alice)
    monkeypatch.setattr("centrex.voicemail.importer.find_sox", lambda: None)
    write_greeting(spool, "unavail", asterisk_wav49(blocks=50), "WAV")
    write_greeting(spool, "busy", wav_bytes())
    out, err, status = run(spool)
    assert status == 1
    unavail = spool / "default" / "1001" / "unavail"
    assert f"Skipped {unavail}: unavail.WAV: GSM WAV must be converted for the browser" in err
    assert list(VoicemailGreeting.objects.values_list("kind", flat=True)) == ["busy"]


# Reruns: unchanged, recorded again, removed


@needs_sox
def test_a_rerun_changes_nothing_and_converts_nothing(
    alice, spool, tmp_path, monkeypatch, settings
):
    enable_voicemail(alice)
    write_greeting(spool, "unavail", recording("gsm", tmp_path), "gsm")
    write_greeting(spool, "greet", wav_bytes())
    run(spool)
    before = list(VoicemailGreeting.objects.order_by("kind").values())
    files = sorted(media_files(settings))
    events = AuditEvent.objects.count()

    def no_sox_please(*args, **kwargs):
        raise AssertionError("sox ran for a greeting already imported")

    def no_reading_please(*args, **kwargs):
        raise AssertionError("a greeting whose files are as imported was read again")

    monkeypatch.setattr("centrex.voicemail.recordings.subprocess.run", no_sox_please)
    monkeypatch.setattr("centrex.voicemail.spool_files.Spool.open", no_reading_please)
    out, err, status = run(spool)
    assert status == 0, err
    assert greeting_summary(out).startswith(
        "Greetings: 0 imported, 0 updated (recorded again), 0 removed (no longer on the switch), "
        "2 unchanged"
    )
    assert list(VoicemailGreeting.objects.order_by("kind").values()) == before
    assert sorted(media_files(settings)) == files
    assert AuditEvent.objects.count() == events


def test_a_greeting_touched_but_not_recorded_again_is_left_as_it_was(alice, spool):
    # e.g. copied again with cp, which gives the copy a new modification time.
    enable_voicemail(alice)
    path = write_greeting(spool, "unavail", wav_bytes())
    run(spool)
    before = list(VoicemailGreeting.objects.values())
    events = AuditEvent.objects.count()
    aged(path, seconds=120)
    out, err, status = run(spool)
    assert status == 0, err
    assert (
        "0 imported, 0 updated (recorded again), 0 removed (no longer on the switch), 1 unchanged"
        in out
    )
    assert list(VoicemailGreeting.objects.values()) == before
    assert AuditEvent.objects.count() == events


def test_a_greeting_recorded_again_replaces_the_old_one(alice, spool, settings, run_committed):
    enable_voicemail(alice)
    write_greeting(spool, "unavail", wav_bytes(seconds=1))
    run_committed(spool)
    old = VoicemailGreeting.objects.get()
    new_audio = wav_bytes(seconds=4)
    write_greeting(spool, "unavail", new_audio, age=120)
    out, err, status = run_committed(spool)
    assert status == 0, err
    assert "Greetings: 0 imported, 1 updated (recorded again)" in out
    greeting = VoicemailGreeting.objects.get()
    assert greeting.pk == old.pk  # the same row: the page's player keeps its address
    assert stored_audio(greeting) == new_audio and greeting.duration == 4
    assert greeting.content_hash != old.content_hash
    assert [p.name for p in media_files(settings)] == [Path(greeting.audio.name).name]
    assert AuditEvent.objects.filter(kind="voicemail.greeting_replaced", account=alice).exists()


@needs_sox
def test_a_converted_greeting_recorded_again_as_pcm_loses_its_old_original(
    alice, spool, tmp_path, settings, run_committed
):
    enable_voicemail(alice)
    gsm = write_greeting(spool, "unavail", recording("gsm", tmp_path), "gsm")
    run_committed(spool)
    gsm.unlink()
    write_greeting(spool, "unavail", wav_bytes())
    assert "1 updated" in run_committed(spool)[0]
    greeting = VoicemailGreeting.objects.get()
    assert not greeting.original and greeting.original_format == ""
    assert len(media_files(settings)) == 1


def test_a_greeting_removed_from_the_switch_is_removed_from_the_portal(
    alice, spool, settings, run_committed
):
    enable_voicemail(alice)
    busy = write_greeting(spool, "busy", wav_bytes())
    write_greeting(spool, "unavail", wav_bytes(seconds=2))
    run_committed(spool)
    busy.unlink()
    out, err, status = run_committed(spool)
    assert status == 0, err
    assert "0 updated (recorded again), 1 removed (no longer on the switch), 1 unchanged" in out
    assert list(alice.voicemail_greetings.values_list("kind", flat=True)) == ["unavail"]
    assert len(media_files(settings)) == 1
    event = AuditEvent.objects.get(kind="voicemail.greeting_removed")
    assert event.data["greeting"] == "busy" and event.actor_kind == "operator"


def test_a_temporary_greeting_comes_and_goes_and_the_others_stay(alice, spool, run_committed):
    enable_voicemail(alice)
    write_greeting(spool, "unavail", wav_bytes())
    temp = write_greeting(spool, "temp", wav_bytes(seconds=2))
    run_committed(spool)
    temporary = VoicemailGreeting.objects.get(kind="temp")
    with translation.override("pl"):
        assert temporary.get_kind_display() == "powitanie tymczasowe"
    assert temporary.duration == 2
    # The customer removes it from the phone menu (0, 4, 2): Asterisk deletes every format.
    temp.unlink()
    assert "1 removed" in run_committed(spool)[0]
    assert list(alice.voicemail_greetings.values_list("kind", flat=True)) == ["unavail"]


def test_a_mailbox_missing_from_the_spool_keeps_its_greetings(alice, spool):
    # A partial copy of the spool, or the wrong one: Asterisk itself never removes a mailbox.
    enable_voicemail(alice)
    write_greeting(spool, "unavail", wav_bytes())
    run(spool)
    (spool / "default" / "1001" / "unavail.wav").unlink()
    (spool / "default" / "1001").rmdir()
    out, err, status = run(spool)
    assert status == 0, err
    assert VoicemailGreeting.objects.filter(account=alice).count() == 1


def test_a_dry_run_counts_but_changes_nothing(alice, spool, settings):
    enable_voicemail(alice)
    busy = write_greeting(spool, "busy", wav_bytes())
    run(spool)
    busy.unlink()
    write_greeting(spool, "unavail", wav_bytes())
    out, err, status = run(spool, "--dry-run")
    assert status == 0, err
    assert "Greetings: 1 would be imported, 0 would be updated" in out
    assert "1 would be removed (no longer on the switch)" in out
    assert list(VoicemailGreeting.objects.values_list("kind", flat=True)) == ["busy"]


# What waits, what is refused, and a bad greeting among good ones


def test_a_greeting_being_recorded_waits_and_the_old_one_stays(alice, spool):
    enable_voicemail(alice)
    old = wav_bytes(seconds=1)
    write_greeting(spool, "unavail", old)
    run(spool)
    # Asterisk writes straight into unavail.wav while the customer speaks.
    write_greeting(spool, "unavail", wav_bytes(seconds=2)[:5000], age=0)
    out, err, status = run(spool)
    assert status == 0, err
    unavail = spool / "default" / "1001" / "unavail"
    assert f"Left for the next run: {unavail}: changed in the last minute" in out
    assert "0 messages left for the next run" in out and "1 left for the next run." in out
    assert stored_audio(VoicemailGreeting.objects.get()) == old


def test_a_greeting_that_changes_while_it_is_read_waits(alice, spool, monkeypatch):
    enable_voicemail(alice)
    path = write_greeting(spool, "unavail", wav_bytes())
    real = Converter.prepare

    def re_recorded_meanwhile(self, *args, **kwargs):
        playable = real(self, *args, **kwargs)
        path.write_bytes(wav_bytes(seconds=2))
        return playable

    monkeypatch.setattr(Converter, "prepare", re_recorded_meanwhile)
    out, err, status = run(spool)
    assert status == 0, err
    assert "unavail.wav changed while being read" in out
    assert not VoicemailGreeting.objects.exists()


def test_a_symlinked_greeting_is_refused_and_never_read(alice, spool, tmp_path, settings):
    enable_voicemail(alice)
    secret = tmp_path / "secret.wav"
    secret.write_bytes(wav_bytes())
    box = spool / "default" / "1001"
    box.mkdir(parents=True)
    (box / "unavail.wav").symlink_to(secret)
    write_greeting(spool, "busy", wav_bytes())
    out, err, status = run(spool)
    assert status == 1
    assert f"Skipped {box / 'unavail.wav'}: a symbolic link: refused" in err
    assert list(VoicemailGreeting.objects.values_list("kind", flat=True)) == ["busy"]
    assert len(media_files(settings)) == 1


def test_a_greeting_that_becomes_a_link_keeps_what_the_portal_had(alice, spool, tmp_path):
    enable_voicemail(alice)
    path = write_greeting(spool, "unavail", wav_bytes())
    run(spool)
    path.unlink()
    path.symlink_to("/etc/passwd")
    out, err, status = run(spool)
    assert status == 1 and "a symbolic link: refused" in err
    assert "0 removed" in out and VoicemailGreeting.objects.count() == 1


def test_a_greeting_that_is_a_fifo_is_refused_without_hanging(alice, spool):
    enable_voicemail(alice)
    box = spool / "default" / "1001"
    box.mkdir(parents=True)
    os.mkfifo(box / "greet.wav")
    out, err, status = run(spool)
    assert status == 1
    assert f"Skipped {box / 'greet.wav'}: a FIFO, not a regular file: refused" in err


def test_a_bad_greeting_is_reported_and_the_rest_imported(alice, spool):
    enable_voicemail(alice)
    write_greeting(spool, "unavail", b"RIFF garbage")
    write_greeting(spool, "busy", wav_bytes())
    write_spool_message(spool, "1001", "INBOX", 0)
    out, err, status = run(spool)
    assert status == 1
    unavail = spool / "default" / "1001" / "unavail"
    assert f"Skipped {unavail}: unavail.wav: not a WAV file" in err
    assert list(VoicemailGreeting.objects.values_list("kind", flat=True)) == ["busy"]
    assert "Imported 1 " in out


def test_folders_and_files_named_like_greetings_are_not_greetings(alice, spool):
    enable_voicemail(alice)
    box = spool / "default" / "1001"
    for folder in ("greet", "busy", "unavail", "temp"):  # Asterisk 1.4 made these, empty
        (box / folder).mkdir(parents=True)
    write_greeting(spool, "unavail", b"an editor's backup", "wav~")
    write_greeting(spool, "greet", b"notes", "txt")
    out, err, status = run(spool)
    assert status == 0, err
    assert not VoicemailGreeting.objects.exists()


def test_greetings_of_a_mailbox_no_account_has_are_reported(alice, spool):
    enable_voicemail(alice)
    write_greeting(spool, "unavail", wav_bytes(), mailbox="1999")
    (spool / "default" / "1998").mkdir(parents=True)  # no greetings, no account: nothing to say
    out, err, status = run(spool)
    assert status == 1
    box = spool / "default" / "1999"
    assert f"Skipped {box}: greetings not imported: no account has mailbox 1999" in err
    assert "1998" not in err
    assert not VoicemailGreeting.objects.exists()


def test_with_voicemail_off_greetings_are_neither_imported_nor_removed(alice, spool):
    enable_voicemail(alice)
    busy = write_greeting(spool, "busy", wav_bytes())
    run(spool)
    alice.voicemail_enabled = False
    alice.save()
    busy.unlink()
    write_greeting(spool, "unavail", wav_bytes())
    out, err, status = run(spool)
    assert status == 1 and "voicemail is disabled for account" in err
    assert list(VoicemailGreeting.objects.values_list("kind", flat=True)) == ["busy"]
