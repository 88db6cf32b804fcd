"""/centrex/voicemail/: the mailbox page, and the seed's message while voicemail is off."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.core.files.base import ContentFile

from centrex.voicemail.models import MailboxSettings, VoicemailGreeting, VoicemailMessage
from tests.centrex.test_voicemail_greetings import make_greeting
from tests.factories import enable_voicemail, make_message

pytestmark = pytest.mark.django_db

DISABLED_PL = (
    "Poczta głosowa jest wyłączona. W celu włączenia proszę skontaktować się ze swoim dostawcą "
    "usługi lub administratorem."
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_anonymous_visitors_are_sent_to_login(client):
    assert client.get("/centrex/voicemail/")["Location"] == "/login/?next=/centrex/voicemail/"


def test_it_does_not_accept_post(alice_client, alice):
    enable_voicemail(alice)
    assert alice_client.post("/centrex/voicemail/").status_code == 405


def test_with_voicemail_off_it_shows_the_seeds_message_and_nothing_else(alice_client, alice):
    make_message(alice, caller_name="Tajny Rozmówca")
    response = alice_client.get("/centrex/voicemail/")
    html = response.content.decode()
    assert response.status_code == 200
    assert DISABLED_PL in html
    assert "Tajny Rozmówca" not in html
    assert "<audio" not in html
    assert "/centrex/voicemail/settings/" not in html


def test_with_voicemail_off_the_message_is_in_english_for_english_accounts(alice_client, alice):
    alice.language = "en"
    alice.save()
    html = alice_client.get("/centrex/voicemail/").content.decode()
    assert (
        "Voicemail is disabled. To enable it, please contact your service provider or "
        "administrator." in html
    )


def test_the_sub_tab_is_shown_and_active(alice_client, alice):
    enable_voicemail(alice)
    html = alice_client.get("/centrex/voicemail/").content.decode()
    assert 'active" aria-current="page" href="/centrex/voicemail/">Poczta głosowa</a>' in html


def test_it_lists_inbox_and_old_with_caller_time_duration_and_status(alice_client, alice):
    enable_voicemail(alice)
    make_message(
        alice,
        caller_name="Jan Kowalski",
        caller_number="48501234567",
        received_at=datetime(2026, 11, 15, 9, 0, tzinfo=UTC),
        duration=75,
    )
    make_message(
        alice,
        folder=VoicemailMessage.Folder.OLD,
        heard=True,
        caller_name="Biuro, NASK",
        caller_number="48223809888",
    )
    response = alice_client.get("/centrex/voicemail/")
    html = response.content.decode()
    assert response.status_code == 200
    inbox = html.split('data-testid="folder-INBOX"', 1)[1].split("</section>", 1)[0]
    old = html.split('data-testid="folder-Old"', 1)[1].split("</section>", 1)[0]
    assert "Jan Kowalski" in inbox and "48501234567" in inbox
    # 09:00 UTC is 10:00 in the account's time zone (Europe/Warsaw).
    assert re.search(r"15-11-2026\s+10:00", inbox)
    assert "0:01:15" in inbox
    assert "nowa" in inbox
    assert "Biuro, NASK" in old and "odsłuchana" in old
    assert "1 nowa wiadomość" in html


def test_times_follow_the_accounts_time_zone(alice_client, alice):
    enable_voicemail(alice)
    alice.time_zone = "America/New_York"
    alice.save()
    make_message(alice, received_at=datetime(2026, 11, 15, 9, 0, tzinfo=UTC))
    html = alice_client.get("/centrex/voicemail/").content.decode()
    assert re.search(r"15-11-2026\s+04:00", html)


def test_each_message_plays_in_the_page_and_can_be_downloaded(alice_client, alice):
    enable_voicemail(alice)
    message = make_message(alice)
    html = alice_client.get("/centrex/voicemail/").content.decode()
    assert f'<audio controls preload="none" src="/centrex/voicemail/{message.pk}/audio/"' in html
    assert f'href="/centrex/voicemail/{message.pk}/download/"' in html
    assert f'action="/centrex/voicemail/{message.pk}/heard/"' in html
    assert f'action="/centrex/voicemail/{message.pk}/move-to-old/"' in html
    assert f'href="/centrex/voicemail/{message.pk}/delete/"' in html


def test_a_converted_message_offers_the_switchs_original_for_download(alice_client, alice):
    enable_voicemail(alice)
    alice.language = "en"
    alice.save()
    plain = make_message(alice)
    converted = make_message(alice, original_format="WAV")
    converted.original.save("original", ContentFile(b"RIFF"))
    html = alice_client.get("/centrex/voicemail/").content.decode()
    link = f'href="/centrex/voicemail/{converted.pk}/download/?original=1" download>'
    assert link + "Original recording (GSM WAV)</a>" in html
    assert f"/centrex/voicemail/{plain.pk}/download/?original=1" not in html


def test_custom_folders_have_names(alice_client, alice):
    enable_voicemail(alice)
    make_message(alice, folder=VoicemailMessage.Folder.CUST3, caller_name="Klient")
    html = alice_client.get("/centrex/voicemail/").content.decode()
    assert 'data-testid="folder-Cust3"' in html and "Klient" in html


def test_an_empty_mailbox_says_no_data(alice_client, alice):
    enable_voicemail(alice)
    html = alice_client.get("/centrex/voicemail/").content.decode()
    assert html.count("Brak danych do wyświetlenia") == 3  # Inbox, Old and the greetings
    assert "0 nowych wiadomości" in html


def test_other_folders_show_only_when_they_hold_messages(alice_client, alice):
    enable_voicemail(alice)
    assert (
        'data-testid="folder-Work"' not in alice_client.get("/centrex/voicemail/").content.decode()
    )
    make_message(alice, folder=VoicemailMessage.Folder.WORK, caller_name="Szef")
    html = alice_client.get("/centrex/voicemail/").content.decode()
    assert 'data-testid="folder-Work"' in html and "Szef" in html


def test_it_never_shows_another_accounts_messages(alice_client, alice, bob):
    enable_voicemail(alice)
    enable_voicemail(bob, mailbox="1002")
    make_message(bob, caller_name="Wiadomość Boba")
    assert "Wiadomość Boba" not in alice_client.get("/centrex/voicemail/").content.decode()


def test_it_shows_the_settings_without_creating_them(alice_client, alice):
    enable_voicemail(alice)
    html = alice_client.get("/centrex/voicemail/").content.decode()
    assert alice.email in html
    assert 'data-testid="pin-status">nieustawiony' in html
    assert not MailboxSettings.objects.exists()


def test_the_number_of_queries_does_not_grow_with_the_messages(
    alice_client, alice, django_assert_max_num_queries
):
    enable_voicemail(alice)
    for folder in VoicemailMessage.Folder:
        make_message(alice, folder=folder)
        make_message(alice, folder=folder)
    for kind in VoicemailGreeting.Kind:
        make_greeting(alice, kind)
    # Session, user and account, the messages, the greetings, the mailbox settings.
    with django_assert_max_num_queries(5):
        response = alice_client.get("/centrex/voicemail/")
    html = response.content.decode()
    assert html.count('data-testid="message"') == 2 * len(VoicemailMessage.Folder)
    assert html.count('data-testid="greeting"') == len(VoicemailGreeting.Kind)


def test_with_voicemail_off_the_page_says_what_it_is_and_who_switches_it_on(alice_client, settings):
    settings.HELP_DESK_PHONE = "+48 22 380 88 88"
    settings.HELP_DESK_EMAIL = "pomoc@example.com"
    html = alice_client.get("/centrex/voicemail/").content.decode()
    assert '<h1 class="h4">Poczta głosowa</h1>' in html
    assert "Poczta głosowa przyjmuje połączenia, których nie możesz odebrać" in html
    assert "Poproś Biuro Obsługi Klienta NASK o włączenie tej usługi" in html
    assert 'href="tel:+48223808888">+48 22 380 88 88</a>' in html
    assert 'href="mailto:pomoc@example.com"' in html
    assert 'href="/help/#poczta-glosowa">Więcej o tej usłudze w Pomocy</a>' in html


def test_without_a_help_desk_in_the_settings_the_operator_is_named(alice_client, settings):
    settings.HELP_DESK_PHONE = settings.HELP_DESK_EMAIL = ""
    html = alice_client.get("/centrex/voicemail/").content.decode()
    assert "Poproś swojego dostawcę usług, NASK, o włączenie tej usługi" in html
    assert "tel:" not in html and "mailto:" not in html
