"""manage.py import_voicemail: the recordings in every format voicemail.conf's format= names,
converted with sox into a WAV the browser plays, the switch's file kept for download.

The fixtures are made by sox itself, in the layouts of Asterisk's formats/ modules: wav49
(`.WAV`) is GSM 6.10 in a WAV file (format 49, 65-byte blocks of 320 samples, a fact chunk),
`gsm` raw 33-byte GSM frames, `ulaw`/`alaw` raw G.711, `sln` raw 16-bit little-endian PCM,
all at 8 kHz; `sln16` and `wav16` at 16 kHz. The tests that convert are skipped without sox,
as the browser tests are without Chromium (and fail in CI, which installs it).
"""

from __future__ import annotations

import io
import os
import shutil
import struct
import subprocess
import wave
from pathlib import Path

import pytest

from centrex.voicemail.models import MailboxSettings, VoicemailMessage
from centrex.voicemail.services import delete_message
from tests.centrex.test_import_voicemail import aged, media_files, run
from tests.factories import enable_voicemail, wav_bytes, write_spool_message

pytestmark = pytest.mark.django_db

SOX = shutil.which("sox")
needs_sox = pytest.mark.usefixtures("sox")

# sox's output options for each extension app_voicemail gives a format.
ENCODINGS = {
    "WAV": ("-t", "wav", "-e", "gsm-full-rate"),
    "gsm": ("-t", "gsm"),
    "ulaw": ("-t", "ul"),
    "alaw": ("-t", "al"),
    "sln": ("-t", "raw", "-e", "signed-integer", "-b", "16", "-L"),
    "sln16": ("-t", "raw", "-e", "signed-integer", "-b", "16", "-L", "-r", "16000"),
    "vox": ("-t", "vox"),
    "au": ("-t", "au", "-e", "mu-law"),
    "ogg": ("-t", "ogg"),
    "wav": ("-t", "wav", "-e", "mu-law"),  # a .wav that is not PCM
}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PORTAL_URL = "https://konto.example.com"


@pytest.fixture
def spool(tmp_path):
    return tmp_path / "spool"


@pytest.fixture
def sox():
    """Debian's sox: skipped without it on a developer's machine, a failure in CI."""
    if SOX is None:
        if os.environ.get("CI"):
            pytest.fail("sox must be installed in CI (see .ci/run)")
        pytest.skip("sox is not installed: apt-get install sox")
    return SOX


@pytest.fixture
def without_sox(monkeypatch):
    """A machine where sox is not installed."""
    monkeypatch.setattr("centrex.voicemail.importer.find_sox", lambda: None)
    monkeypatch.setattr("centrex.management.commands.import_voicemail.find_sox", lambda: None)


def recording(ext: str, tmp_path: Path, seconds: int = 2) -> bytes:
    """A 440 Hz tone in the format Asterisk records as `msg0000.<ext>`, made with sox."""
    assert SOX
    tone, out = tmp_path / "source.wav", tmp_path / f"tone.{ext}"
    subprocess.run(
        [SOX, "-n", "-r", "8000", "-c", "1", "-b", "16", str(tone), "synth", str(seconds)]
        + ["sine", "440"],
        check=True,
    )
    subprocess.run([SOX, str(tone), *ENCODINGS[ext], str(out)], check=True)
    return out.read_bytes()


def asterisk_wav49(blocks: int) -> bytes:
    """A WAV49 file byte for byte as formats/format_wav_gsm.c writes it (write_header, then
    update_header), its GSM blocks silent: 50 blocks are 2 seconds. No sox needed."""
    data = bytes(65 * blocks)
    # Format 49, mono, 8000 Hz, 1625 bytes/s, block align (written as 4 bytes by Asterisk),
    # "2" bits per sample, 320 samples per block.
    fmt = struct.pack("<HHIIIHH", 49, 1, 8000, 1625, 65, 2, 320)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"fact" + struct.pack("<II", 4, 320 * blocks) + b"data" + struct.pack("<I", len(data))
    return b"RIFF" + struct.pack("<I", len(body) + len(data)) + body + data


def write_message(spool: Path, recordings: dict[str, bytes], number: int = 0, **fields) -> Path:
    """msgNNNN.txt and one recording per format, as format=… of voicemail.conf makes them."""
    txt = write_spool_message(spool, "1001", "INBOX", number, audio=b"", **fields)
    for ext, data in recordings.items():
        txt.with_name(f"msg{number:04d}.{ext}").write_bytes(data)
    return txt


def stored_wav(message: VoicemailMessage) -> wave.Wave_read:
    with message.audio.open("rb") as stored:
        return wave.open(io.BytesIO(stored.read()), "rb")


@needs_sox
@pytest.mark.parametrize(
    ("ext", "rate"),
    [
        ("WAV", 8000),
        ("gsm", 8000),
        ("ulaw", 8000),
        ("alaw", 8000),
        ("sln", 8000),
        ("sln16", 16000),
        ("vox", 8000),
        ("au", 8000),
        ("ogg", 8000),
        ("wav", 8000),
    ],
)
def test_each_format_is_converted_to_a_pcm_wav_and_the_original_kept(
    alice, spool, tmp_path, ext, rate
):
    enable_voicemail(alice)
    original = recording(ext, tmp_path)
    write_message(spool, {ext: original}, duration=0)
    out, err, status = run(spool)
    assert status == 0, err
    assert "1 converted with sox" in out
    message = VoicemailMessage.objects.get()
    audio = stored_wav(message)
    assert (audio.getnchannels(), audio.getsampwidth(), audio.getframerate()) == (1, 2, rate)
    assert audio.getnframes() / rate == pytest.approx(2, abs=0.05)
    assert message.duration == 2  # from the recording: the .txt said 0
    assert message.original_format == ext
    with message.original.open("rb") as kept:
        assert kept.read() == original


@needs_sox
def test_a_wav49_file_exactly_as_asterisk_writes_it_is_converted(alice, spool):
    enable_voicemail(alice)
    write_message(spool, {"WAV": asterisk_wav49(blocks=50)}, duration=2)
    out, err, status = run(spool)
    assert status == 0, err
    audio = stored_wav(VoicemailMessage.objects.get())
    assert audio.getnframes() == 16000 and audio.getframerate() == 8000


def test_a_pcm_wav_is_stored_as_the_switch_wrote_it(alice, spool):
    enable_voicemail(alice)
    audio = wav_bytes(seconds=2, rate=16000)
    write_message(spool, {"wav16": audio})
    out, err, status = run(spool)
    assert status == 0, err
    message = VoicemailMessage.objects.get()
    with message.audio.open("rb") as stored:
        assert stored.read() == audio
    assert not message.original and message.original_format == ""
    assert "0 converted with sox" in out


@needs_sox
def test_of_several_formats_the_pcm_wav_is_used_as_it_is(alice, spool, tmp_path, settings):
    # voicemail.conf's sample: format=wav49|gsm|wav
    enable_voicemail(alice)
    pcm = wav_bytes(seconds=2)
    write_message(spool, {"WAV": recording("WAV", tmp_path), "gsm": b"x" * 33, "wav": pcm})
    out, err, status = run(spool)
    assert status == 0, err
    message = VoicemailMessage.objects.get()
    with message.audio.open("rb") as stored:
        assert stored.read() == pcm
    assert not message.original
    assert len(media_files(settings)) == 1


@needs_sox
def test_without_a_pcm_wav_the_best_format_is_converted(alice, spool, tmp_path):
    enable_voicemail(alice)
    formats = {ext: recording(ext, tmp_path) for ext in ("WAV", "gsm", "ulaw")}
    write_message(spool, formats)
    run(spool)
    assert VoicemailMessage.objects.get().original_format == "ulaw"  # G.711 beats GSM


@needs_sox
def test_a_broken_best_format_gives_way_to_the_next(alice, spool, tmp_path):
    enable_voicemail(alice)
    write_message(spool, {"wav": b"RIFF garbage", "WAV": recording("WAV", tmp_path)})
    out, err, status = run(spool)
    assert status == 0, err
    assert VoicemailMessage.objects.get().original_format == "WAV"


def test_without_sox_pcm_wav_is_imported_and_the_rest_waits_saying_why(
    alice, spool, without_sox, settings
):
    enable_voicemail(alice)
    write_message(spool, {"wav": wav_bytes()}, number=0, msg_id="pcm")
    gsm = write_message(spool, {"WAV": asterisk_wav49(blocks=50)}, number=1, msg_id="gsm")
    out, err, status = run(spool)
    assert status == 1
    assert "sox is not installed: only PCM WAV recordings can be imported" in out
    assert (
        f"Skipped {gsm}: msg0001.WAV: GSM WAV must be converted for the browser, and sox is "
        "not installed (apt-get install sox); left for a run after that" in err
    )
    assert list(VoicemailMessage.objects.values_list("msg_id", flat=True)) == ["pcm"]
    assert len(media_files(settings)) == 1


@needs_sox
def test_once_sox_is_installed_the_messages_that_waited_are_imported(
    alice, spool, monkeypatch, mailoutbox
):
    enable_voicemail(alice)
    write_message(spool, {"WAV": asterisk_wav49(blocks=50)})
    monkeypatch.setattr("centrex.voicemail.importer.find_sox", lambda: None)
    assert run(spool)[2] == 1
    monkeypatch.undo()
    out, err, status = run(spool)
    assert status == 0, err
    assert "Imported 1" in out and VoicemailMessage.objects.get().original_format == "WAV"
    assert len(mailoutbox) == 1  # announced once, when it was imported


@pytest.mark.parametrize(("ext", "name"), [("g729", "G.729"), ("g722", "G.722"), ("ilbc", "iLBC")])
def test_formats_sox_cannot_read_are_reported_by_name(alice, spool, ext, name):
    enable_voicemail(alice)
    txt = write_message(spool, {ext: b"\x01" * 200})
    _, err, status = run(spool)
    assert status == 1
    assert f"Skipped {txt}: msg0000.{ext}: {name} cannot be converted (sox cannot read it)" in err
    assert not VoicemailMessage.objects.exists()


def test_a_message_without_any_recording_is_reported(alice, spool):
    enable_voicemail(alice)
    txt = write_message(spool, {})
    txt.with_name("msg0000.foo").write_bytes(b"?")
    _, err, status = run(spool)
    assert status == 1 and f"Skipped {txt}: no recording beside the .txt" in err


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"GSM\x00" * 50, "not a WAV file"),
        (b"RIFF\x10\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00", "not a WAV file"),
        (b"", "the file is empty"),
        (wav_bytes(seconds=2)[:2000], "cut off: shorter than its WAV header says"),
        (wav_bytes(seconds=0), "the WAV file holds no sound"),
    ],
)
def test_a_bad_pcm_wav_is_reported_and_nothing_stored(alice, spool, settings, data, reason):
    enable_voicemail(alice)
    txt = write_message(spool, {"wav": data})
    aged(txt.with_suffix(".wav"))
    _, err, status = run(spool)
    assert status == 1
    assert f"Skipped {txt}: msg0000.wav: {reason}" in err
    assert not VoicemailMessage.objects.exists() and not media_files(settings)


def test_a_wav_still_being_copied_in_waits_for_the_next_run(alice, spool):
    # cp and scp write the header (with the final sizes) first; Asterisk moves files in whole.
    enable_voicemail(alice)
    whole = wav_bytes(seconds=2)
    txt = write_message(spool, {"wav": whole[:2000]})
    out, err, status = run(spool)
    assert status == 0, err
    assert f"Left for the next run: {txt}: msg0000.wav is still being copied" in out
    txt.with_suffix(".wav").write_bytes(whole)
    assert "Imported 1" in run(spool)[0]


@needs_sox
def test_what_sox_says_is_reported_when_it_cannot_convert(alice, spool):
    enable_voicemail(alice)
    unknown = bytearray(wav_bytes())
    unknown[20:22] = struct.pack("<H", 0x1234)  # a WAV of an encoding nobody knows
    txt = write_message(spool, {"WAV": bytes(unknown)})
    _, err, status = run(spool)
    assert status == 1
    assert f"Skipped {txt}: msg0000.WAV: sox could not convert it: " in err
    assert "Unknown WAV file encoding" in err


@needs_sox
def test_a_rerun_converts_nothing_again(alice, spool, tmp_path, monkeypatch):
    enable_voicemail(alice)
    write_message(spool, {"gsm": recording("gsm", tmp_path)})
    run(spool)

    def no_sox_please(*args, **kwargs):
        raise AssertionError("sox ran for a message already imported")

    monkeypatch.setattr("centrex.voicemail.recordings.subprocess.run", no_sox_please)
    out, err, status = run(spool)
    assert status == 0, err
    assert "1 already present" in out


@needs_sox
def test_the_e_mail_carries_the_playable_wav(alice, spool, tmp_path, mailoutbox):
    enable_voicemail(alice)
    MailboxSettings.objects.create(
        account=alice, notification_email="a@example.com", email_mode="attach"
    )
    write_message(spool, {"gsm": recording("gsm", tmp_path)})
    run(spool)
    [(name, content, mimetype)] = mailoutbox[0].attachments
    assert name.endswith(".wav") and mimetype == "audio/wav"
    with wave.open(io.BytesIO(content)) as attached:
        assert attached.getframerate() == 8000


@needs_sox
def test_deleting_a_converted_message_deletes_both_files(
    alice, spool, tmp_path, settings, django_capture_on_commit_callbacks
):
    enable_voicemail(alice)
    write_message(spool, {"WAV": recording("WAV", tmp_path)})
    run(spool)
    assert len(media_files(settings)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        delete_message(VoicemailMessage.objects.get())
    assert not media_files(settings)


@needs_sox
def test_a_dry_run_converts_but_stores_nothing(alice, spool, tmp_path, settings):
    enable_voicemail(alice)
    write_message(spool, {"gsm": recording("gsm", tmp_path)})
    out, err, status = run(spool, "--dry-run")
    assert status == 0, err
    assert "Dry run: 1 would be imported" in out and "1 converted with sox" in out
    assert not VoicemailMessage.objects.exists() and not media_files(settings)
