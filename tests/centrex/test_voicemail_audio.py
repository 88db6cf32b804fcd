"""/centrex/voicemail/<id>/audio/ and …/download/: the recording, to its owner only, with Range."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from tests.factories import enable_voicemail, make_message, wav_bytes

pytestmark = pytest.mark.django_db

AUDIO = wav_bytes(seconds=2)  # 32 044 bytes


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def message(alice):
    enable_voicemail(alice)
    return make_message(alice, audio=AUDIO)


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_anonymous_visitors_are_sent_to_login(client, message):
    url = f"/centrex/voicemail/{message.pk}/audio/"
    assert client.get(url)["Location"] == f"/login/?next={url}"


def test_it_does_not_accept_post(alice_client, message):
    assert alice_client.post(f"/centrex/voicemail/{message.pk}/audio/").status_code == 405


def test_the_owner_gets_the_whole_recording(alice_client, message):
    response = alice_client.get(f"/centrex/voicemail/{message.pk}/audio/")
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Length"] == str(len(AUDIO))
    assert response["Content-Disposition"].startswith("inline;")
    assert "private" in response["Cache-Control"]
    assert _body(response) == AUDIO


def test_the_download_is_an_attachment_named_after_the_time(alice_client, message):
    response = alice_client.get(f"/centrex/voicemail/{message.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="voicemail-2026')
    assert _body(response) == AUDIO


def test_another_accounts_recording_is_not_found(client, bob, message):
    enable_voicemail(bob, mailbox="1002")
    client.force_login(bob.user)
    assert client.get(f"/centrex/voicemail/{message.pk}/audio/").status_code == 404
    assert client.get(f"/centrex/voicemail/{message.pk}/download/").status_code == 404


def test_a_message_that_does_not_exist_is_not_found(alice_client, message):
    assert alice_client.get("/centrex/voicemail/999999/audio/").status_code == 404


def test_with_voicemail_off_the_recording_is_refused(alice_client, alice, message):
    alice.voicemail_enabled = False
    alice.save()
    response = alice_client.get(f"/centrex/voicemail/{message.pk}/audio/")
    assert response.status_code == 403
    assert AUDIO[:4] not in response.content
    assert alice_client.get(f"/centrex/voicemail/{message.pk}/download/").status_code == 403


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=100-", 100, len(AUDIO) - 1),
        ("bytes=-500", len(AUDIO) - 500, len(AUDIO) - 1),
        ("bytes=32000-99999999", 32000, len(AUDIO) - 1),  # an end past the file is cut short
        ("bytes=-99999999", 0, len(AUDIO) - 1),
    ],
)
def test_a_range_gets_exactly_those_bytes(alice_client, message, header, first, last):
    response = alice_client.get(f"/centrex/voicemail/{message.pk}/audio/", HTTP_RANGE=header)
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {first}-{last}/{len(AUDIO)}"
    assert response["Content-Length"] == str(last - first + 1)
    assert response["Accept-Ranges"] == "bytes"
    assert _body(response) == AUDIO[first : last + 1]


LONG = "9" * 5000  # more digits than Python converts to a number by default (4300)


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        (f"bytes=0-{LONG}", 0, len(AUDIO) - 1),
        (f"bytes=-{LONG}", 0, len(AUDIO) - 1),
        (f"bytes={'0' * 5000}100-199", 100, 199),  # leading zeros say the same number
    ],
)
def test_a_range_with_thousands_of_digits_is_answered_not_a_crash(
    alice_client, message, header, first, last
):
    response = alice_client.get(f"/centrex/voicemail/{message.pk}/audio/", HTTP_RANGE=header)
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {first}-{last}/{len(AUDIO)}"
    assert _body(response) == AUDIO[first : last + 1]


@pytest.mark.parametrize(
    "header",
    ["bytes=32044-", "bytes=99999-100000", "bytes=-0", f"bytes={LONG}-", f"bytes={LONG}-{LONG}"],
)
def test_a_range_past_the_end_is_not_satisfiable(alice_client, message, header):
    response = alice_client.get(f"/centrex/voicemail/{message.pk}/audio/", HTTP_RANGE=header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(AUDIO)}"


@pytest.mark.parametrize(
    "header",
    ["pages=1-2", "bytes=abc", "bytes=5-2", "bytes=0-1,5-9", "bytes=-", "", "bytes=\u0663-"],
)
def test_a_range_it_does_not_understand_gets_the_whole_file(alice_client, message, header):
    response = alice_client.get(f"/centrex/voicemail/{message.pk}/audio/", HTTP_RANGE=header)
    assert response.status_code == 200
    assert _body(response) == AUDIO


def test_a_recording_missing_from_storage_is_not_found_rather_than_an_error(alice_client, message):
    message.audio.storage.delete(message.audio.name)
    assert alice_client.get(f"/centrex/voicemail/{message.pk}/audio/").status_code == 404


def test_audio_files_have_names_that_cannot_be_guessed(alice, message):
    other = make_message(alice, audio=AUDIO)
    for m in (message, other):
        assert m.audio.name.startswith("voicemail/") and m.audio.name.endswith(".wav")
        assert alice.account_id not in m.audio.name and m.caller_number not in m.audio.name
        assert len(m.audio.name.rsplit("/", 1)[1]) >= 32
    assert message.audio.name != other.audio.name


# The switch's original recording, kept when the import converted it (GSM, µ-law…)

ORIGINAL = b"RIFF\x00\x00\x00\x00WAVEfmt " + bytes(range(256)) * 4


@pytest.fixture
def converted(alice):
    enable_voicemail(alice)
    message = make_message(alice, audio=AUDIO, original_format="WAV")
    message.original.save("original", ContentFile(ORIGINAL))
    return message


def test_the_original_is_downloaded_as_the_switch_recorded_it(alice_client, converted):
    response = alice_client.get(f"/centrex/voicemail/{converted.pk}/download/?original=1")
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    assert response["Content-Disposition"].startswith('attachment; filename="voicemail-2026')
    assert response["Content-Disposition"].endswith('-original.wav"')
    assert _body(response) == ORIGINAL


def test_a_raw_original_keeps_its_extension(alice_client, alice):
    enable_voicemail(alice)
    message = make_message(alice, audio=AUDIO, original_format="gsm")
    message.original.save("original", ContentFile(b"\xd8" * 330))
    response = alice_client.get(f"/centrex/voicemail/{message.pk}/download/?original=1")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].endswith('-original.gsm"')
    assert message.original.name.endswith(".gsm")


def test_a_message_without_an_original_has_no_original_to_download(alice_client, message):
    assert (
        alice_client.get(f"/centrex/voicemail/{message.pk}/download/?original=1").status_code == 404
    )


def test_another_accounts_original_is_not_found(client, bob, converted):
    enable_voicemail(bob, mailbox="1002")
    client.force_login(bob.user)
    response = client.get(f"/centrex/voicemail/{converted.pk}/download/?original=1")
    assert response.status_code == 404


def test_the_player_gets_the_converted_wav_not_the_original(alice_client, converted):
    response = alice_client.get(f"/centrex/voicemail/{converted.pk}/audio/")
    assert _body(response) == AUDIO
