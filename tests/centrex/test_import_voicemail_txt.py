"""manage.py import_voicemail: the message information file (msgNNNN.txt) — broken ones, caller
names in legacy code pages, and the id of a message that has no msg_id (Asterisk before 11)."""

from __future__ import annotations

import hashlib
import os
import shutil

import pytest

from centrex.voicemail.models import VoicemailMessage
from tests.centrex.test_import_voicemail import aged, media_files, run
from tests.factories import (
    ORIGTIME,
    enable_voicemail,
    make_message,
    message_txt,
    wav_bytes,
    write_spool_message,
)

pytestmark = pytest.mark.django_db

# "Józef Łódź" in the two legacy code pages of Polish: they differ in "ź" (and ą, ś, Ą, Ś, Ź).
JOZEF_CP1250 = b"J\xf3zef \xa3\xf3d\x9f"
JOZEF_ISO_8859_2 = b"J\xf3zef \xa3\xf3d\xbc"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PORTAL_URL = "https://konto.example.com"


@pytest.fixture
def spool(tmp_path):
    return tmp_path / "spool"


def _with_callerid(txt, callerid: bytes) -> None:
    txt.write_bytes(txt.read_bytes().replace(b'"Jan Kowalski"', b'"' + callerid + b'"'))


@pytest.mark.parametrize(
    ("txt", "reason"),
    [
        ("origtime=1794733200\nmsg_id=1\nduration=1\n", "no [message] section"),
        ("[other]\norigtime=1794733200\nduration=1\n", "no [message] section"),
        ("", "no [message] section"),
        (message_txt(origtime="yesterday"), "bad origtime 'yesterday' (expected a whole number"),
        (message_txt(origtime="-5"), "bad origtime '-5'"),
        (message_txt(origtime="1e9"), "bad origtime '1e9'"),
        (message_txt(origtime="99999999999999999999"), "bad origtime '99999999999999999999'"),
        (message_txt(origtime="1"), "bad origtime 1 (out of range"),
        (message_txt(origtime="9999999999"), "bad origtime 9999999999 (out of range"),
        (message_txt().replace("origtime=1794733200\n", ""), "no origtime"),
        (message_txt(duration="4s"), "bad duration '4s'"),
        (message_txt(duration="-1"), "bad duration '-1'"),
        (message_txt(duration=2**31), "bad duration 2147483648 (more than a day)"),
        (message_txt(duration=86401), "bad duration 86401 (more than a day)"),
        (message_txt(duration="9" * 40), "bad duration '" + "9" * 40),
        ("[message]\n\x00\x01garbage\nduration=1\n", "the .txt holds NUL bytes"),
        (message_txt() + "\x00", "the .txt holds NUL bytes"),
        ("[message]\norigtime=1794733200\nduration=1\ngarbage\n", "line 4 is neither"),
        (message_txt(msg_id="x" * 65), "msg_id longer than 64 characters"),
    ],
)
def test_broken_txt_files_are_reported_with_their_path_and_the_rest_imported(
    alice, spool, settings, txt, reason
):
    enable_voicemail(alice)
    good = write_spool_message(spool, "1001", "INBOX", 0)
    broken = write_spool_message(spool, "1001", "INBOX", 1, txt=txt)
    aged(broken)  # not one that is still being written
    out, err, status = run(spool)
    assert status == 1
    assert f"Skipped {broken}: {reason}" in err
    assert "Imported 1 (0 e-mailed only), 0 already present, 1 rejected" in out
    assert VoicemailMessage.objects.get().msg_id in good.read_text()
    assert len(media_files(settings)) == 1


def test_an_oversized_txt_file_is_rejected_without_reading_it(alice, spool):
    enable_voicemail(alice)
    big = write_spool_message(spool, "1001", "INBOX", 0, txt=message_txt() + ";" * 70_000)
    _, err, status = run(spool)
    assert status == 1 and f"Skipped {big}: the .txt file is too large" in err


def test_a_duration_missing_from_an_old_txt_is_read_from_the_recording(alice, spool):
    enable_voicemail(alice)
    txt = message_txt().replace("duration=1\n", "")
    path = write_spool_message(spool, "1001", "INBOX", 0, txt=txt, audio=wav_bytes(seconds=5))
    aged(path)
    run(spool)
    assert VoicemailMessage.objects.get().duration == 5


def test_a_zero_duration_is_read_from_the_recording(alice, spool):
    enable_voicemail(alice)
    write_spool_message(spool, "1001", "INBOX", 0, duration=0, audio=wav_bytes(seconds=3))
    run(spool)
    assert VoicemailMessage.objects.get().duration == 3


def test_keys_are_read_as_asterisk_reads_them(alice, spool):
    enable_voicemail(alice)
    txt = message_txt(duration=7).replace("duration=7", "DURATION => 7").replace("\n", "\r\n")
    write_spool_message(spool, "1001", "INBOX", 0, txt=txt)
    out, err, status = run(spool)
    assert status == 0, err
    assert VoicemailMessage.objects.get().duration == 7


# Caller names in legacy code pages


def test_a_cp1250_caller_name_comes_out_right_also_in_the_e_mail(alice, spool, mailoutbox):
    enable_voicemail(alice)
    txt = write_spool_message(spool, "1001", "INBOX", 0)
    _with_callerid(txt, JOZEF_CP1250)
    out, err, status = run(spool)
    assert status == 0, err
    assert VoicemailMessage.objects.get().caller_name == "Józef Łódź"
    assert mailoutbox[0].subject == "Nowa wiadomość głosowa od Józef Łódź <48501234567>"
    assert "1 message with text read as cp1250 (not UTF-8)" in out


def test_an_iso_8859_2_caller_name_comes_out_right_with_that_fallback(alice, spool, mailoutbox):
    enable_voicemail(alice)
    txt = write_spool_message(spool, "1001", "INBOX", 0)
    _with_callerid(txt, JOZEF_ISO_8859_2 + " Świątek".encode("iso-8859-2"))
    out, err, status = run(spool, "--fallback-encoding", "iso-8859-2")
    assert status == 0, err
    assert VoicemailMessage.objects.get().caller_name == "Józef Łódź Świątek"
    assert mailoutbox[0].subject.startswith("Nowa wiadomość głosowa od Józef Łódź Świątek <")
    assert "1 message with text read as iso8859-2 (not UTF-8)" in out


def test_each_value_is_decoded_on_its_own(alice, spool):
    enable_voicemail(alice)
    txt = write_spool_message(spool, "1001", "INBOX", 0, callerid='"Zażółć" <48501234567>')
    # A UTF-8 name beside a category in the old code page (which the portal does not show):
    # the name stays UTF-8, and nothing shown was read in the fallback.
    txt.write_bytes(txt.read_bytes().replace(b"category=", b"category=\xa3\xf3d\x9f"))
    out, _, _ = run(spool)
    assert VoicemailMessage.objects.get().caller_name == "Zażółć"
    assert "0 messages with text read as cp1250" in out


def test_a_utf_8_caller_name_is_not_counted_as_legacy(alice, spool):
    enable_voicemail(alice)
    write_spool_message(spool, "1001", "INBOX", 0, callerid='"Józef Łódź" <48501234567>')
    out, _, _ = run(spool)
    assert VoicemailMessage.objects.get().caller_name == "Józef Łódź"
    assert "0 messages with text read as cp1250" in out


def test_control_characters_in_a_caller_name_are_dropped(alice, spool):
    enable_voicemail(alice)
    txt = write_spool_message(spool, "1001", "INBOX", 0)
    _with_callerid(txt, b"Jan\x1b[31m Kowalski")
    run(spool)
    assert VoicemailMessage.objects.get().caller_name == "Jan[31m Kowalski"


# The id of a message without msg_id (Asterisk before 11)


def _legacy(spool, folder="INBOX", number=0, **fields):
    return write_spool_message(spool, "1001", folder, number, msg_id="", **fields)


def test_a_message_without_msg_id_gets_a_stable_id(alice, spool):
    enable_voicemail(alice)
    _legacy(spool)
    run(spool)
    assert VoicemailMessage.objects.get().msg_id.startswith("legacy2-")
    out, _, _ = run(spool)
    assert "0 rejected" in out and "1 already present" in out


def test_the_id_survives_renumbering_and_the_move_to_old(alice, spool):
    enable_voicemail(alice)
    first = _legacy(spool, number=0)
    run(spool)
    # The switch renumbers after a deletion (msg0003 → msg0000) and files heard ones in Old.
    folder = first.parent
    shutil.move(folder, folder.with_name("Old"))
    (folder.with_name("Old") / "msg0000.txt").rename(folder.with_name("Old") / "msg0002.txt")
    (folder.with_name("Old") / "msg0000.wav").rename(folder.with_name("Old") / "msg0002.wav")
    out, _, _ = run(spool)
    assert "Imported 0" in out and "1 already present" in out
    assert VoicemailMessage.objects.get().folder == "INBOX"


def test_an_urgent_copy_is_told_from_its_inbox_original(alice, spool):
    enable_voicemail(alice)
    original = _legacy(spool, "INBOX")
    copy = spool / "default" / "1001" / "Urgent"
    copy.mkdir()
    shutil.copy(original, copy / "msg0000.txt")
    shutil.copy(original.with_suffix(".wav"), copy / "msg0000.wav")
    out, err, status = run(spool)
    assert status == 0, err
    assert sorted(VoicemailMessage.objects.values_list("folder", flat=True)) == ["INBOX", "Urgent"]
    assert "2 already present" in run(spool)[0]


def test_a_message_flagged_urgent_keeps_its_id_when_heard_and_moved_to_old(alice, spool):
    enable_voicemail(alice)
    txt = _legacy(spool, "Urgent", txt=message_txt(msg_id="").replace("flag=", "flag=Urgent"))
    run(spool)
    shutil.move(txt.parent, txt.parent.with_name("Old"))
    out, _, _ = run(spool)
    assert "1 already present" in out
    assert VoicemailMessage.objects.get().folder == "Urgent"


def test_the_id_does_not_depend_on_the_fallback_encoding(alice, spool):
    enable_voicemail(alice)
    _with_callerid(_legacy(spool), JOZEF_CP1250)
    run(spool)
    out, _, _ = run(spool, "--fallback-encoding", "iso-8859-2")
    assert "1 already present" in out


def test_two_anonymous_callers_in_the_same_second_are_two_messages(alice, spool):
    enable_voicemail(alice)
    _legacy(spool, number=0, callerid="Unknown")
    second = _legacy(spool, number=1, callerid="Unknown")
    second.write_text(second.read_text().replace("trunk-00000042", "trunk-00000043"))
    out, err, status = run(spool)
    assert status == 0, err
    assert VoicemailMessage.objects.count() == 2


def test_a_message_imported_under_the_first_legacy_id_is_not_imported_again(alice, spool):
    enable_voicemail(alice)
    _legacy(spool, duration=4)
    # Konto's first import named it sha256("origtime|callerid|origmailbox|duration").
    basis = f'{ORIGTIME}|"Jan Kowalski" <48501234567>|1001|4'
    first_id = "legacy-" + hashlib.sha256(basis.encode()).hexdigest()[:24]
    make_message(alice, msg_id=first_id)
    out, _, status = run(spool)
    assert status == 0
    assert "Imported 0" in out and "1 already present" in out


def test_an_unreadable_txt_is_reported_and_the_rest_imported(alice, spool, monkeypatch):
    enable_voicemail(alice)
    unreadable = write_spool_message(spool, "1001", "INBOX", 0)
    write_spool_message(spool, "1001", "INBOX", 1, msg_id="readable")
    real_open = os.open

    def permission_denied(path, flags, *args, **kwargs):
        if path == unreadable.name:
            raise PermissionError(13, "Permission denied")
        return real_open(path, flags, *args, **kwargs)

    # Running as root in a container, chmod 000 would not stop the read: deny it here.
    monkeypatch.setattr("centrex.voicemail.spool_files.os.open", permission_denied)
    out, err, status = run(spool)
    assert status == 1
    assert f"Skipped {unreadable}: cannot read it: Permission denied" in err
    assert VoicemailMessage.objects.get().msg_id == "readable"
