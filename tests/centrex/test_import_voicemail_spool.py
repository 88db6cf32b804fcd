"""manage.py import_voicemail: the spool as app_voicemail lays it out — every folder, greetings,
tmp/ and Deleted/, messages still being written, and what is refused (links, FIFOs…).

How a message arrives (app_voicemail.c): recorded into tmp/ (its .txt gets duration= when the
caller hangs up), then, under the folder's `.lock`, the recordings are moved (or copied) into
the folder and the .txt last.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
from pathlib import Path

import pytest

from centrex.voicemail import importer
from centrex.voicemail.models import VoicemailMessage
from centrex.voicemail.spool_files import Refused, Spool
from tests.centrex.test_import_voicemail import aged, media_files, run
from tests.factories import enable_voicemail, message_txt, wav_bytes, write_spool_message

pytestmark = pytest.mark.django_db

FOLDERS = ["INBOX", "Old", "Work", "Family", "Friends", "Cust1", "Cust2", "Cust3", "Cust4"]
FOLDERS += ["Cust5", "Urgent"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PORTAL_URL = "https://konto.example.com"


@pytest.fixture
def spool(tmp_path):
    return tmp_path / "spool"


@pytest.fixture
def no_hanging():
    """Opening a FIFO for reading blocks until a writer comes: fail instead of hanging."""

    def hung(signum, frame):
        raise AssertionError("the import hung (it opened a FIFO?)")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(20)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def _box(spool: Path, mailbox: str = "1001") -> Path:
    return spool / "default" / mailbox


# Folders and greetings


def test_every_folder_asterisk_writes_is_imported(alice, spool):
    enable_voicemail(alice)
    for n, folder in enumerate(FOLDERS):
        write_spool_message(spool, "1001", folder, 0, msg_id=f"id-{n}")
    out, err, status = run(spool)
    assert status == 0, err
    heard = dict(VoicemailMessage.objects.values_list("folder", "heard"))
    assert heard == {folder: folder not in ("INBOX", "Urgent") for folder in FOLDERS}


def test_greetings_tmp_and_deleted_are_not_messages(alice, spool):
    enable_voicemail(alice)
    write_spool_message(spool, "1001", "tmp", 0, txt=message_txt().replace("duration=1\n", ""))
    write_spool_message(spool, "1001", "Deleted", 0, msg_id="old-deleted")
    box = _box(spool)
    for name in ("unavail.wav", "unavail.WAV", "busy.wav", "greet.wav", "temp.wav"):
        (box / name).write_bytes(wav_bytes())
        aged(box / name)
    (box / "greet").mkdir()  # Asterisk 1.4 made empty folders of the greetings' names
    (box / "INBOX").mkdir()
    (box / "INBOX" / "msg0000.txt.lock").write_text("")
    (box / "INBOX" / "msg0001.wav").write_bytes(wav_bytes())  # its .txt is not there yet
    out, err, status = run(spool)
    assert status == 0, err
    assert "Imported 0 (0 e-mailed only), 0 already present, 0 rejected" in out
    assert "Greetings: 4 imported" in out  # (see test_import_voicemail_greetings.py)


def test_an_unknown_folder_is_reported(alice, spool):
    enable_voicemail(alice)
    write_spool_message(spool, "1001", "Spam", 0)
    out, err, status = run(spool)
    assert status == 1
    assert f"Skipped {_box(spool) / 'Spam'}: not a voicemail folder Konto imports" in err


def test_a_message_recorded_in_tmp_is_imported_once_it_is_moved_in(alice, spool, mailoutbox):
    enable_voicemail(alice)
    txt = write_spool_message(
        spool, "1001", "tmp", 0, txt=message_txt().replace("duration=1\n", "")
    )
    assert "Imported 0" in run(spool)[0]
    # The caller hangs up: duration= is written, the recording moved in first, the .txt last.
    txt.write_text(message_txt())
    inbox = _box(spool) / "INBOX"
    inbox.mkdir()
    txt.with_suffix(".wav").rename(inbox / "msg0000.wav")
    txt.rename(inbox / "msg0000.txt")
    assert "Imported 1" in run(spool)[0]
    assert "Imported 0 (0 e-mailed only), 1 already present" in run(spool)[0]
    assert len(mailoutbox) == 1


# Messages the switch is still writing


def test_a_folder_asterisk_has_locked_waits_for_the_next_run(alice, spool):
    enable_voicemail(alice)
    txt = write_spool_message(spool, "1001", "INBOX", 0)
    (txt.parent / ".lock").write_text("")
    out, err, status = run(spool)
    assert status == 0, err
    assert f"Left for the next run: {txt}: Asterisk has locked the folder (.lock)" in out
    assert "Imported 0" in out and "1 message left for the next run" in out
    assert not VoicemailMessage.objects.exists()
    (txt.parent / ".lock").unlink()
    assert "Imported 1" in run(spool)[0]


def test_a_lock_left_behind_by_a_crash_is_ignored(alice, spool):
    enable_voicemail(alice)
    txt = write_spool_message(spool, "1001", "INBOX", 0)
    (txt.parent / ".lock").write_text("")
    aged(txt.parent / ".lock", seconds=600)
    out, err, status = run(spool)
    assert status == 0, err
    assert "Imported 1" in out


def test_a_txt_still_being_written_waits_and_is_imported_once_later(alice, spool, mailoutbox):
    enable_voicemail(alice)
    # A copy into the folder (Asterisk's COPY, or rsync) has written part of the .txt.
    partial = message_txt(duration=4).split("duration=")[0]
    txt = write_spool_message(spool, "1001", "INBOX", 0, txt=partial[:-30])
    out, err, status = run(spool)
    assert status == 0, err
    assert f"Left for the next run: {txt}: the .txt has no duration= line yet" in out
    assert not VoicemailMessage.objects.exists()

    txt.write_text(message_txt(duration=4))
    out, _, _ = run(spool)
    assert "Imported 1" in out
    assert VoicemailMessage.objects.get().duration == 4
    assert "1 already present" in run(spool)[0]
    assert len(mailoutbox) == 1


def test_a_message_that_changes_while_it_is_read_waits(alice, spool, monkeypatch):
    enable_voicemail(alice)
    txt = write_spool_message(spool, "1001", "INBOX", 0)
    prepare = importer.Converter.prepare

    def renumbered_meanwhile(self, *args, **kwargs):
        playable = prepare(self, *args, **kwargs)
        other = txt.with_name("msg0001.txt")
        other.write_text(message_txt(msg_id="another"))
        other.rename(txt)  # the switch moves another message into msg0000
        return playable

    monkeypatch.setattr(importer.Converter, "prepare", renumbered_meanwhile)
    out, err, status = run(spool)
    assert status == 0, err
    assert f"Left for the next run: {txt}: it changed while being read" in out
    assert not VoicemailMessage.objects.exists()
    monkeypatch.undo()
    run(spool)
    assert VoicemailMessage.objects.get().msg_id == "another"


def test_a_message_deleted_by_the_switch_meanwhile_waits_silently(alice, spool, monkeypatch):
    enable_voicemail(alice)
    txt = write_spool_message(spool, "1001", "INBOX", 0)
    scan = importer.scan_spool

    def deleted_after_the_listing(*args):
        items = list(scan(*args))
        txt.unlink()
        return iter(items)

    monkeypatch.setattr(importer, "scan_spool", deleted_after_the_listing)
    out, err, status = run(spool)
    assert status == 0, err
    assert f"Left for the next run: {txt}: gone (moved or deleted by the switch)" in out


# What is refused: nothing outside the spool is read, nothing but regular files is opened


def test_a_symbolic_link_to_a_file_outside_the_spool_is_refused(alice, spool, tmp_path):
    enable_voicemail(alice)
    secret = tmp_path / "secret.txt"
    secret.write_text(message_txt(msg_id="stolen"))
    inbox = _box(spool) / "INBOX"
    inbox.mkdir(parents=True)
    (inbox / "msg0000.txt").symlink_to(secret)
    (inbox / "msg0000.wav").write_bytes(wav_bytes())
    good = write_spool_message(spool, "1001", "INBOX", 1)
    out, err, status = run(spool)
    assert status == 1
    assert f"Skipped {inbox / 'msg0000.txt'}: a symbolic link: refused" in err
    assert VoicemailMessage.objects.get().msg_id in good.read_text()


def test_a_recording_that_is_a_link_refuses_its_message(alice, spool, settings):
    enable_voicemail(alice)
    txt = write_spool_message(spool, "1001", "INBOX", 0, audio=b"")
    txt.with_suffix(".wav").symlink_to("/etc/passwd")
    _, err, status = run(spool)
    assert status == 1
    assert f"Skipped {txt.with_suffix('.wav')}: a symbolic link: refused" in err
    assert not VoicemailMessage.objects.exists() and not media_files(settings)


def test_fifos_and_sockets_are_refused_without_being_opened(alice, spool, no_hanging):
    enable_voicemail(alice)
    fifo_txt = _box(spool) / "INBOX" / "msg0000.txt"
    fifo_txt.parent.mkdir(parents=True)
    os.mkfifo(fifo_txt)
    fifo_wav = write_spool_message(spool, "1001", "INBOX", 1, audio=b"").with_suffix(".wav")
    os.mkfifo(fifo_wav)
    sock_txt = write_spool_message(spool, "1001", "INBOX", 2).with_name("msg0003.txt")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(sock_txt))
    write_spool_message(spool, "1001", "INBOX", 4, msg_id="fine")
    try:
        out, err, status = run(spool)
    finally:
        server.close()
    assert status == 1
    assert f"Skipped {fifo_txt}: a FIFO, not a regular file: refused (never opened)" in err
    assert f"Skipped {fifo_wav}: a FIFO, not a regular file" in err
    assert f"Skipped {sock_txt}: a socket, not a regular file" in err
    assert sorted(VoicemailMessage.objects.values_list("msg_id", flat=True)) == [
        "1794733200-00000000",
        "fine",
    ]


def test_a_txt_that_is_a_folder_is_refused(alice, spool):
    enable_voicemail(alice)
    odd = _box(spool) / "INBOX" / "msg0000.txt"
    odd.mkdir(parents=True)
    _, err, status = run(spool)
    assert status == 1 and f"Skipped {odd}: a directory, not a regular file" in err


def test_a_folder_that_is_a_file_is_refused(alice, spool):
    enable_voicemail(alice)
    _box(spool).mkdir(parents=True)
    (_box(spool) / "INBOX").write_text("")
    _, err, status = run(spool)
    assert status == 1 and f"Skipped {_box(spool) / 'INBOX'}: a file, not a folder" in err


def test_linked_mailboxes_and_folders_are_refused(alice, bob, spool, tmp_path):
    # FreePBX's "device" context links each device to its user's mailbox in "default".
    enable_voicemail(alice)
    enable_voicemail(bob, mailbox="1002")
    write_spool_message(spool, "1001", "INBOX", 0)
    (spool / "default" / "1002").symlink_to(_box(spool))
    outside = tmp_path / "outside" / "INBOX"
    write_spool_message(tmp_path / "outside", "x", "INBOX", 0)
    (_box(spool) / "Old").symlink_to(tmp_path / "outside" / "default" / "x" / "INBOX")
    out, err, status = run(spool)
    assert status == 1
    assert f"Skipped {spool / 'default' / '1002'}: a symbolic link: refused" in err
    assert f"Skipped {_box(spool) / 'Old'}: a symbolic link: refused" in err
    assert list(VoicemailMessage.objects.values_list("account", "folder")) == [(alice.pk, "INBOX")]
    assert not outside.exists()


def test_a_linked_context_folder_is_an_error(spool, tmp_path, db):
    (tmp_path / "elsewhere").mkdir()
    spool.mkdir()
    (spool / "default").symlink_to(tmp_path / "elsewhere")
    _, err, status = run(spool)
    assert status == 1 and "is a symbolic link; give the spool it points to" in err


def test_the_spool_reader_never_follows_a_link_even_if_one_appears_later(tmp_path, no_hanging):
    # The scan refuses links and FIFOs; the reader refuses them again if one is swapped in
    # between (never opening a FIFO, never following a link, also on the way).
    root = tmp_path / "spool"
    (root / "default" / "1001").mkdir(parents=True)
    (root / "default" / "1001" / "INBOX").symlink_to("/etc")
    os.mkfifo(root / "default" / "fifo")
    (root / "default" / "link").symlink_to("/etc/passwd")
    reader = Spool(root)
    for parts in (["default", "1001", "INBOX", "passwd"], ["default", "fifo"], ["default", "link"]):
        with pytest.raises(Refused):
            reader.read(parts, 1024)


def test_file_names_in_no_encoding_are_reported_readably(alice, spool):
    enable_voicemail(alice)
    write_spool_message(spool, "1001", "INBOX", 0)
    odd = os.fsencode(spool / "default") + b"/10\xff01"
    os.makedirs(odd + b"/INBOX")
    shutil.copy(_box(spool) / "INBOX" / "msg0000.txt", os.fsdecode(odd + b"/INBOX/msg0000.txt"))
    _, err, status = run(spool)
    assert status == 1
    assert "10\\udcff01/INBOX/msg0000.txt: no account has mailbox '10\\udcff01' (not a" in err
