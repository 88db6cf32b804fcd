from __future__ import annotations

import re
from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from conferences.models import AccessCode, Conference
from tests.factories import conference_form_data, make_conference

pytestmark = pytest.mark.django_db

URL = "/centrex/conferences/new/"


def test_it_sends_anonymous_visitors_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_it_shows_the_form_in_polish_with_the_account_limit(alice_client, alice):
    alice.max_conference_participants = 25
    alice.save()
    response = alice_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dodaj konferencję" in html
    assert 'name="creation_token"' in html
    assert 'value="25"' in html  # the account's limit is the suggested maximum
    assert "Europe/Warsaw" in html


def test_it_refuses_other_methods(alice_client):
    assert alice_client.put(URL).status_code == 405


def test_a_customer_schedules_a_conference_with_two_different_codes(alice_client, alice):
    response = alice_client.post(URL, conference_form_data(name="Zarząd", duration_minutes="45"))
    conference = Conference.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/centrex/conferences/{conference.pk}/"
    assert conference.account == alice
    assert conference.name == "Zarząd"
    assert conference.duration_minutes == 45
    local = timezone.localtime(conference.starts_at, alice.zone)
    assert (local.date(), local.hour, local.minute) == (
        timezone.localdate() + timedelta(days=1),
        10,
        0,
    )
    codes = conference.codes()
    assert set(codes) == {"host", "guest"}
    assert codes["host"] != codes["guest"]
    assert all(c.isdigit() and 6 <= len(c) <= 9 for c in codes.values())
    assert conference.sequence == 0
    event = AuditEvent.objects.get(kind="conference.created")
    assert event.account == alice and event.actor == alice.user


def test_it_stores_the_start_in_the_accounts_time_zone(alice_client, alice):
    alice.time_zone = "America/New_York"
    alice.save()
    alice_client.post(URL, conference_form_data(start_date="2099-07-01", start_time="09:30"))
    conference = Conference.objects.get()
    assert conference.starts_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M") == ("2099-07-01 13:30")


def test_it_keeps_the_options_and_the_description(alice_client):
    alice_client.post(
        URL,
        conference_form_data(
            description="Budżet 2027",
            wait_for_moderator="on",
            mute_on_join="on",
            record="on",
            music_on_hold=None,
        ),
    )
    conference = Conference.objects.get()
    assert conference.description == "Budżet 2027"
    assert conference.wait_for_moderator and conference.mute_on_join and conference.record
    assert not conference.music_on_hold and not conference.announce_join_leave


def test_it_opens_a_permanent_meeting_room_with_a_session_limit(alice_client):
    response = alice_client.post(
        URL,
        conference_form_data(
            is_permanent="on",
            start_date="",
            start_time="",
            duration_minutes="",
            max_session_minutes="120",
        ),
    )
    assert response.status_code == 302
    room = Conference.objects.get()
    assert room.is_permanent and room.ends_at is None
    assert room.max_session_minutes == 120
    assert room.state == "current"


def test_a_permanent_room_needs_a_session_limit(alice_client):
    response = alice_client.post(
        URL, conference_form_data(is_permanent="on", max_session_minutes="")
    )
    assert response.status_code == 200
    assert "Podaj maksymalny czas sesji uczestnika" in response.content.decode()
    assert not Conference.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "Enter a name for the conference."),
        ({"start_date": ""}, "start_date", "Enter the date the conference starts."),
        ({"start_date": "2026-02-31"}, "start_date", "Enter a real date"),
        ({"start_time": "25:00"}, "start_time", "Enter a time as hours and minutes"),
        ({"duration_minutes": "0"}, "duration_minutes", "Enter at least 5 minutes."),
        ({"duration_minutes": "144000"}, "duration_minutes", "Enter at most 1440 minutes"),
        ({"duration_minutes": "abc"}, "duration_minutes", "Enter a whole number of minutes"),
        ({"duration_minutes": ""}, "duration_minutes", "Enter the duration in minutes."),
        ({"max_participants": "-3"}, "max_participants", "at least 2 participants"),
        ({"max_participants": "11"}, "max_participants", "at most 10 participants"),
        ({"invitees": "jan@example.com, nie-adres"}, "invitees", "nie-adres"),
    ],
)
def test_it_shows_the_form_again_with_the_error_and_saves_nothing(
    client, alice, overrides, field, message
):
    alice.language = "en"
    alice.save()
    client.force_login(alice.user)
    data = conference_form_data(**overrides)
    response = client.post(URL, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    html = response.content.decode()
    assert 'data-testid="error-summary"' in html
    assert f'href="#id_{field}"' in html
    assert not Conference.objects.exists()
    # What the customer typed is kept.
    if data["name"]:
        assert f'value="{data["name"]}"' in html


def test_a_start_in_the_past_is_refused_in_polish(alice_client):
    yesterday = timezone.localdate() - timedelta(days=1)
    response = alice_client.post(URL, conference_form_data(start_date=yesterday.isoformat()))
    assert response.status_code == 200
    assert "Początek jest w przeszłości" in response.content.decode()
    assert not Conference.objects.exists()


def test_a_time_skipped_by_the_clock_change_is_refused(alice_client):
    # Warsaw moves its clocks from 02:00 to 03:00 on the last Sunday of March.
    response = alice_client.post(
        URL, conference_form_data(start_date="2099-03-29", start_time="02:30")
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("start_time")
    assert not Conference.objects.exists()


def test_five_hundred_invitees_are_refused_with_a_clear_message(alice_client):
    addresses = "\n".join(f"osoba{n}@example.com" for n in range(500))
    response = alice_client.post(URL, conference_form_data(invitees=addresses))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Wpisano 500 adresów" in html
    assert not Conference.objects.exists()


def test_a_double_submitted_form_creates_one_conference(alice_client):
    data = conference_form_data()
    first = alice_client.post(URL, data)
    second = alice_client.post(URL, data)
    assert Conference.objects.count() == 1
    assert first["Location"] == second["Location"]
    assert AccessCode.objects.count() == 2


def test_a_form_without_its_token_is_refused(alice_client):
    response = alice_client.post(URL, conference_form_data(creation_token=None))
    assert response.status_code == 200
    assert not Conference.objects.exists()
    # A fresh token comes with the form, so the next submission works.
    token = response.context["creation_token"]
    assert (
        alice_client.post(URL, conference_form_data(creation_token=str(token))).status_code == 302
    )


def test_the_limit_of_concurrent_conferences_is_enforced(alice_client, alice):
    alice.max_concurrent_conferences = 1
    alice.save()
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert alice_client.post(URL, conference_form_data(start_time="10:00")).status_code == 302
    response = alice_client.post(
        URL, conference_form_data(start_time="11:00")
    )  # overlaps 10:00–11:30
    assert response.status_code == 200
    assert "jednocześnie" in response.content.decode()
    # Back to back is fine.
    response = alice_client.post(URL, conference_form_data(start_time="11:30"))
    assert response.status_code == 302
    assert Conference.objects.filter(starts_at__date__gte=tomorrow).count() == 2


def test_a_permanent_room_counts_against_the_limit_at_every_time(alice_client, alice):
    alice.max_concurrent_conferences = 1
    alice.save()
    make_conference(alice, is_permanent=True, starts_at=timezone.now() - timedelta(days=30))
    response = alice_client.post(URL, conference_form_data(start_date="2099-01-05"))
    assert response.status_code == 200
    assert Conference.objects.count() == 1


def test_ended_conferences_do_not_count_against_the_limit(alice_client, alice):
    alice.max_concurrent_conferences = 1
    alice.save()
    make_conference(alice, starts_at=timezone.now() - timedelta(hours=3), minutes=60)
    assert alice_client.post(URL, conference_form_data()).status_code == 302


def test_it_refuses_everything_when_conferences_are_disabled(alice_client, alice):
    alice.conferences_enabled = False
    alice.save()
    assert alice_client.get(URL).status_code == 403
    response = alice_client.post(URL, conference_form_data())
    assert response.status_code == 403
    assert "Konferencje są wyłączone" in response.content.decode()
    assert not Conference.objects.exists()


def test_each_invitee_gets_an_invitation_with_the_guest_code_only(
    alice_client, send_mail, mailoutbox
):
    with send_mail():
        alice_client.post(
            URL, conference_form_data(invitees="jan@example.com; ewa@example.com, JAN@example.com")
        )
    conference = Conference.objects.get()
    codes = conference.codes()
    assert sorted(m.to[0] for m in mailoutbox) == ["ewa@example.com", "jan@example.com"]
    for message in mailoutbox:
        # The day written out, then the time: "Zaproszenie: Przegląd kwartalny, 1 lipca 2099, 10:00"
        assert re.fullmatch(
            r"Zaproszenie: Przegląd kwartalny, \d{1,2} [a-ząćęłńóśźż]+ \d{4}, \d{2}:\d{2}",
            message.subject,
        ), message.subject
        assert codes["guest"] in message.body and codes["host"] not in message.body
        html, mimetype = message.alternatives[0]
        assert mimetype == "text/html" and f"tel:+48221234567,,{codes['guest']}%23" in html
        assert message.attachments[0][2] == "text/calendar; method=REQUEST"


def test_invitations_speak_the_organisers_language_and_time_zone(
    client, alice, send_mail, mailoutbox
):
    alice.language = "en"
    alice.time_zone = "America/New_York"
    alice.save()
    client.force_login(alice.user)
    with send_mail():
        client.post(
            URL,
            conference_form_data(
                start_date="2099-07-01", start_time="09:30", invitees="jan@example.com"
            ),
        )
    [message] = mailoutbox
    assert message.subject == "Invitation: Przegląd kwartalny, July 1, 2099, 09:30"
    assert "09:30" in message.body and "a.m." not in message.body  # a 24-hour clock
    assert "America/New_York" in message.body
    assert "invites you to a telephone conference" in message.body


def test_nothing_is_sent_when_the_conference_is_not_saved(alice_client, mailoutbox, send_mail):
    with send_mail():
        alice_client.post(
            URL, conference_form_data(duration_minutes="0", invitees="jan@example.com")
        )
    assert mailoutbox == []


def test_a_token_of_another_accounts_form_is_refused_with_a_fresh_form(alice_client, bob):
    stolen = make_conference(bob)
    Conference.objects.filter(pk=stolen.pk).update(
        creation_token="0b7d3c5e-0000-4000-8000-000000000001"
    )
    response = alice_client.post(
        URL, conference_form_data(creation_token="0b7d3c5e-0000-4000-8000-000000000001")
    )
    assert response.status_code == 200
    assert "Ten formularz wygasł" in response.content.decode()
    assert Conference.objects.filter(account__user__username=bob.login).count() == 1
    assert str(response.context["creation_token"]) != "0b7d3c5e-0000-4000-8000-000000000001"
    assert not Conference.objects.filter(account__user__username="telekonferencja_48223809888")


def test_a_skipped_time_is_refused_in_the_customers_language(client, alice):
    client.force_login(alice.user)
    data = conference_form_data(start_date="2099-03-29", start_time="02:30")
    html = client.post(URL, data).content.decode()
    assert "Ta godzina nie istnieje w Twojej strefie czasowej" in html
    alice.language = "en"
    alice.save()
    html = client.post(URL, data).content.decode()
    assert "This time does not exist in your time zone because the clocks are moved" in html
    assert not Conference.objects.exists()


def test_a_repeated_time_asks_which_of_the_two_is_meant(client, alice):
    alice.language = "en"
    alice.save()
    client.force_login(alice.user)
    # Warsaw moves its clocks back from 03:00 to 02:00 on the last Sunday of October.
    response = client.post(URL, conference_form_data(start_date="2099-10-25", start_time="02:30"))
    assert response.status_code == 200
    assert not Conference.objects.exists()
    form = response.context["form"]
    assert [e.code for e in form.errors.as_data()["start_fold"]] == ["repeated_time"]
    html = response.content.decode()
    assert (
        "02:30 happens twice on 10/25/2099 in your time zone (Europe/Warsaw), because the "
        "clocks go back an hour. Choose which 02:30 you mean." in html
    )
    # A group of two radio buttons with a legend, which the error summary links to.
    assert '<fieldset aria-describedby="id_start_fold_helptext id_start_fold_error">' in html
    assert "Which one do you mean?" in html
    assert 'href="#id_start_fold_0"' in html
    assert 'type="radio"' in html and 'name="start_fold" value="first"' in html
    assert "the first 02:30, summer time (UTC+2)" in html
    assert "the second 02:30, winter time (UTC+1)" in html


def test_the_choice_of_a_repeated_time_stays_when_the_form_comes_back(alice_client):
    response = alice_client.post(
        URL,
        conference_form_data(
            start_date="2099-10-25", start_time="02:30", start_fold="second", name=""
        ),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.start_is_repeated and not form.has_error("start_fold")
    html = response.content.decode()
    assert 'name="start_fold" value="second"' in html
    assert re.search(r'value="second"[^>]*\bchecked', html)
    assert not re.search(r'value="first"[^>]*\bchecked', html)


def test_the_repeated_time_choice_is_not_shown_on_other_days(alice_client):
    html = alice_client.get(URL).content.decode()
    assert 'name="start_fold"' not in html
    response = alice_client.post(URL, conference_form_data(start_fold="second", name=""))
    assert 'name="start_fold"' not in response.content.decode()
    # Posted anyway for an ordinary time, the answer changes nothing.
    assert alice_client.post(URL, conference_form_data(start_fold="second")).status_code == 302


@pytest.mark.parametrize(
    ("day", "time"),
    [
        ("0001-01-01", "00:30"),
        ("0001-01-01", "12:00"),
        ("1999-12-31", "10:00"),
        ("9999-12-31", "23:30"),
        ("2100-01-01", "10:00"),
    ],
)
def test_dates_near_the_ends_of_the_calendar_get_an_error_not_a_crash(alice_client, day, time):
    response = alice_client.post(
        URL, conference_form_data(start_date=day, start_time=time, duration_minutes="1440")
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert [e.code for e in form.errors.as_data()["start_date"]] == ["out_of_range"]
    assert "Wpisz datę początku od 01-01-2000 do 31-12-2099." in response.content.decode()
    assert not Conference.objects.exists()


def test_a_date_near_the_end_of_the_calendar_is_explained_in_the_customers_language(
    alice_client, alice
):
    alice.language = "en"
    alice.save()
    data = conference_form_data(start_date="9999-12-31", start_time="23:30")
    response = alice_client.post(URL, data)
    assert response.status_code == 200
    assert "Enter a start date from 01/01/2000 to 12/31/2099." in response.content.decode()


def test_the_last_day_allowed_may_end_the_next_year(alice_client):
    data = conference_form_data(start_date="2099-12-31", start_time="23:30")
    assert alice_client.post(URL, data | {"duration_minutes": "1440"}).status_code == 302
    conference = Conference.objects.get()
    assert conference.ends_at.year == 2100 and conference.duration_minutes == 1440
