"""/centrex/voicemail/: the mailbox's greetings, and /centrex/voicemail/greetings/<id>/audio/ and
…/download/: each greeting, to its owner only, with Range for seeking."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.core.files.base import ContentFile

from accounts.models import AuditEvent
from centrex.voicemail.models import VoicemailGreeting
from tests.factories import enable_voicemail, make_user, verify_two_step, wav_bytes

pytestmark = pytest.mark.django_db

AUDIO = wav_bytes(seconds=2)  # 32 044 bytes
ORIGINAL = b"RIFF\x00\x00\x00\x00WAVEfmt " + bytes(range(256)) * 4


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def make_greeting(account, kind: str = "unavail", *, original_format: str = "", **fields):
    """A greeting as the import stores it; with `original_format`, converted from that format."""
    greeting = VoicemailGreeting(
        account=account,
        kind=kind,
        duration=2,
        audio_size=len(AUDIO),
        original_format=original_format,
        content_hash=f"{kind:0<64}",
        recorded_at=datetime(2026, 11, 15, 9, 0, tzinfo=UTC),
        **fields,
    )
    greeting.audio.save("audio.wav", ContentFile(AUDIO), save=False)
    if original_format:
        greeting.original.save("original", ContentFile(ORIGINAL), save=False)
    greeting.save()
    return greeting


@pytest.fixture
def greeting(alice):
    enable_voicemail(alice)
    return make_greeting(alice)


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def _section(html: str) -> str:
    return html.split('data-testid="greetings"', 1)[1].split("</section>", 1)[0]


# The page


def test_the_page_shows_each_greeting_with_its_player(alice_client, alice):
    enable_voicemail(alice)
    alice.language = "en"
    alice.save()
    temp = make_greeting(alice, "temp")
    unavail = make_greeting(alice, "unavail")
    section = _section(alice_client.get("/centrex/voicemail/").content.decode())
    assert "Greetings</h2>" in section
    # In the order of the switch's menu, not the alphabet's.
    assert section.index("Unavailable greeting") < section.index("Temporary greeting")
    assert "While it exists, callers hear it instead of the unavailable and busy" in section
    for greeting in (temp, unavail):
        audio = f'<audio controls preload="none" src="/centrex/voicemail/greetings/{greeting.pk}/audio/"'
        assert audio in section
        assert f'href="/centrex/voicemail/greetings/{greeting.pk}/download/" download>' in section
    assert "?original=1" not in section  # nothing was converted: the WAV is the original
    assert "0:00:02" in section


def test_a_converted_greeting_offers_the_switchs_original(alice_client, alice):
    enable_voicemail(alice)
    alice.language = "en"
    alice.save()
    greeting = make_greeting(alice, "busy", original_format="gsm")
    section = _section(alice_client.get("/centrex/voicemail/").content.decode())
    link = f'href="/centrex/voicemail/greetings/{greeting.pk}/download/?original=1" download>'
    assert link + "Original recording (GSM)</a>" in section


def test_the_section_is_in_polish_for_polish_accounts(alice_client, greeting):
    section = _section(alice_client.get("/centrex/voicemail/").content.decode())
    assert "Czas trwania" in section and "Odsłuchaj" in section and "Pobierz" in section
    assert "Powitania</h2>" in section and "Nagrano" in section
    assert "przez telefon, w menu poczty głosowej" in section
    # 09:00 UTC is 10:00 in the account's time zone (Europe/Warsaw).
    assert re.search(r"15-11-2026\s+10:00", section)


def test_without_greetings_the_section_says_no_data(alice_client, alice):
    enable_voicemail(alice)
    section = _section(alice_client.get("/centrex/voicemail/").content.decode())
    assert "Brak danych do wyświetlenia" in section and "<audio" not in section


def test_the_page_never_shows_another_accounts_greetings(alice_client, alice, bob):
    enable_voicemail(alice)
    enable_voicemail(bob, mailbox="1002")
    bobs = make_greeting(bob)
    html = alice_client.get("/centrex/voicemail/").content.decode()
    assert f"/centrex/voicemail/greetings/{bobs.pk}/" not in html


def test_with_voicemail_off_no_greeting_is_shown(alice_client, alice):
    greeting = make_greeting(alice)
    html = alice_client.get("/centrex/voicemail/").content.decode()
    assert f"/centrex/voicemail/greetings/{greeting.pk}/" not in html


# The audio


def test_anonymous_visitors_are_sent_to_login(client, greeting):
    url = f"/centrex/voicemail/greetings/{greeting.pk}/audio/"
    assert client.get(url)["Location"] == f"/login/?next={url}"


def test_it_does_not_accept_post(alice_client, greeting):
    assert (
        alice_client.post(f"/centrex/voicemail/greetings/{greeting.pk}/audio/").status_code == 405
    )
    url = f"/centrex/voicemail/greetings/{greeting.pk}/download/"
    assert alice_client.post(url).status_code == 405


def test_the_owner_gets_the_whole_greeting_never_cached(alice_client, greeting):
    response = alice_client.get(f"/centrex/voicemail/greetings/{greeting.pk}/audio/")
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Length"] == str(len(AUDIO))
    assert response["Content-Disposition"] == 'inline; filename="greeting-unavail.wav"'
    assert response["Cache-Control"] == "private, no-store"
    assert _body(response) == AUDIO


def test_a_range_gets_exactly_those_bytes(alice_client, greeting):
    url = f"/centrex/voicemail/greetings/{greeting.pk}/audio/"
    response = alice_client.get(url, HTTP_RANGE="bytes=100-199")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 100-199/{len(AUDIO)}"
    assert response["Content-Length"] == "100"
    assert response["Cache-Control"] == "private, no-store"
    assert _body(response) == AUDIO[100:200]
    assert alice_client.get(url, HTTP_RANGE="bytes=99999-").status_code == 416


def test_another_accounts_greeting_is_not_found(client, bob, greeting):
    enable_voicemail(bob, mailbox="1002")
    client.force_login(bob.user)
    base = f"/centrex/voicemail/greetings/{greeting.pk}"
    assert client.get(f"{base}/audio/").status_code == 404
    assert client.get(f"{base}/download/").status_code == 404
    assert client.get(f"{base}/download/?original=1").status_code == 404


def test_a_greeting_that_does_not_exist_is_not_found(alice_client, greeting):
    assert alice_client.get("/centrex/voicemail/greetings/999999/audio/").status_code == 404


def test_with_voicemail_off_the_greeting_is_refused(alice_client, alice, greeting):
    alice.voicemail_enabled = False
    alice.save()
    response = alice_client.get(f"/centrex/voicemail/greetings/{greeting.pk}/audio/")
    assert response.status_code == 403
    assert AUDIO[:4] not in response.content


def test_the_download_is_an_attachment_named_after_the_greeting(alice_client, greeting):
    response = alice_client.get(f"/centrex/voicemail/greetings/{greeting.pk}/download/")
    assert response["Content-Disposition"] == 'attachment; filename="greeting-unavail.wav"'
    assert _body(response) == AUDIO


def test_the_original_is_downloaded_as_the_switch_recorded_it(alice_client, alice):
    enable_voicemail(alice)
    greeting = make_greeting(alice, "greet", original_format="WAV")
    response = alice_client.get(f"/centrex/voicemail/greetings/{greeting.pk}/download/?original=1")
    assert response.status_code == 200
    assert response["Content-Disposition"] == ('attachment; filename="greeting-greet-original.wav"')
    assert _body(response) == ORIGINAL


def test_a_greeting_without_an_original_has_none_to_download(alice_client, greeting):
    url = f"/centrex/voicemail/greetings/{greeting.pk}/download/?original=1"
    assert alice_client.get(url).status_code == 404


# The admin


def test_staff_see_the_greetings_and_cannot_make_them_up(staff_client, admin_client, greeting):
    response = staff_client.get("/admin/centrex/voicemailgreeting/")
    assert (
        response.status_code == 200 and "telekonferencja_48223809888" in response.content.decode()
    )
    assert (
        staff_client.get(f"/admin/centrex/voicemailgreeting/{greeting.pk}/change/").status_code
        == 200
    )
    # A superuser holds every permission: only the admin's own refusal can give the 403.
    assert admin_client.get("/admin/centrex/voicemailgreeting/add/").status_code == 403


def test_deleting_a_greeting_in_the_admin_is_audited(
    staff_client, greeting, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            f"/admin/centrex/voicemailgreeting/{greeting.pk}/delete/", {"post": "yes"}
        )
    assert response.status_code == 302
    assert not VoicemailGreeting.objects.exists()
    assert not greeting.audio.storage.exists(greeting.audio.name)
    event = AuditEvent.objects.get(kind="voicemail.greeting_deleted")
    assert event.actor_kind == "staff" and event.data["greeting"] == "unavail"


def test_staff_outside_the_help_desk_cannot_see_greetings(client, greeting):
    outsider = make_user("no-group", is_staff=True)
    client.force_login(outsider)
    verify_two_step(client, outsider)
    assert client.get("/admin/centrex/voicemailgreeting/").status_code == 403
