from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from conferences.models import Conference
from tests.factories import conference_edit_data, make_conference

pytestmark = pytest.mark.django_db


@pytest.fixture
def conference(alice):
    start = (timezone.now() + timedelta(days=3)).replace(second=0, microsecond=0)
    return make_conference(
        alice, name="Rada", starts_at=start, minutes=60, invitees=("jan@example.com",)
    )


def url(conference) -> str:
    return f"/centrex/conferences/{conference.pk}/edit/"


def calendar_of(message) -> icalendar.Calendar:
    filename, content, mimetype = message.attachments[0]
    assert filename == "invite.ics"
    return icalendar.Calendar.from_ical(content)


def test_it_sends_anonymous_visitors_to_the_login_page(client, conference):
    response = client.get(url(conference))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_it_shows_the_form_with_the_conference(alice_client, conference):
    response = alice_client.get(url(conference))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Edytuj konferencję" in html
    assert 'value="Rada"' in html
    assert "jan@example.com" in html
    assert 'name="creation_token"' not in html


def test_a_conference_of_another_account_is_not_found(client, bob, conference):
    client.force_login(bob.user)
    assert client.get(url(conference)).status_code == 404
    assert (
        client.post(url(conference), conference_edit_data(conference, name="X")).status_code == 404
    )
    conference.refresh_from_db()
    assert conference.name == "Rada"


def test_it_refuses_other_methods(alice_client, conference):
    assert alice_client.put(url(conference)).status_code == 405


def test_moving_a_conference_sends_invitees_an_update(
    alice_client, conference, send_mail, mailoutbox
):
    new_start = conference.starts_at + timedelta(days=1, hours=2)
    local = timezone.localtime(new_start, conference.account.zone)
    with send_mail():
        response = alice_client.post(
            url(conference),
            conference_edit_data(
                conference,
                start_date=local.date().isoformat(),
                start_time=local.strftime("%H:%M"),
            ),
        )
    assert response.status_code == 302
    conference.refresh_from_db()
    assert conference.starts_at == new_start
    assert conference.duration_minutes == 60
    assert conference.sequence == 1
    [message] = mailoutbox
    assert message.to == ["jan@example.com"]
    assert message.subject.startswith("Zmiana konferencji: Rada")
    cal = calendar_of(message)
    event = cal.walk("VEVENT")[0]
    assert str(cal["METHOD"]) == "REQUEST"
    assert event["UID"] == conference.ical_uid
    assert event["SEQUENCE"] == 1
    assert event.decoded("DTSTART") == new_start
    event_record = AuditEvent.objects.get(kind="conference.updated")
    assert "starts_at" in event_record.data["changes"]


def test_a_new_invitee_gets_an_invitation_and_the_others_nothing(
    alice_client, conference, send_mail, mailoutbox
):
    with send_mail():
        alice_client.post(
            url(conference),
            conference_edit_data(conference, invitees="jan@example.com\nola@example.com"),
        )
    [message] = mailoutbox
    assert message.to == ["ola@example.com"]
    assert message.subject.startswith("Zaproszenie: Rada")
    conference.refresh_from_db()
    assert conference.sequence == 0
    assert conference.invitee_emails() == ["jan@example.com", "ola@example.com"]


def test_a_removed_invitee_gets_a_cancellation(alice_client, conference, send_mail, mailoutbox):
    with send_mail():
        alice_client.post(url(conference), conference_edit_data(conference, invitees=""))
    [message] = mailoutbox
    assert message.to == ["jan@example.com"]
    cal = calendar_of(message)
    assert str(cal["METHOD"]) == "CANCEL"
    event = cal.walk("VEVENT")[0]
    assert event["UID"] == conference.ical_uid
    assert event["SEQUENCE"] == 1
    assert str(event["STATUS"]) == "CANCELLED"
    assert not Conference.objects.get(pk=conference.pk).invitees.exists()


def test_saving_without_changes_changes_nothing(alice_client, conference, send_mail, mailoutbox):
    with send_mail():
        response = alice_client.post(url(conference), conference_edit_data(conference), follow=True)
    assert "Nic nie zostało zmienione" in response.content.decode()
    assert mailoutbox == []
    assert not AuditEvent.objects.filter(kind="conference.updated").exists()


def test_moving_into_the_past_is_refused(alice_client, conference):
    yesterday = timezone.localdate() - timedelta(days=1)
    response = alice_client.post(
        url(conference), conference_edit_data(conference, start_date=yesterday.isoformat())
    )
    assert response.status_code == 200
    assert response.context["form"].has_error("start_date")
    conference.refresh_from_db()
    assert conference.starts_at > timezone.now()


def test_more_participants_than_the_account_allows_is_refused(alice_client, conference):
    response = alice_client.post(
        url(conference), conference_edit_data(conference, max_participants="500")
    )
    assert response.status_code == 200
    assert "najwyżej 10 uczestników" in response.content.decode()


def test_moving_onto_another_conference_over_the_limit_is_refused(alice_client, alice, conference):
    alice.max_concurrent_conferences = 1
    alice.save()
    other = make_conference(alice, starts_at=conference.starts_at + timedelta(days=1))
    local = timezone.localtime(other.starts_at, alice.zone)
    response = alice_client.post(
        url(conference),
        conference_edit_data(
            conference, start_date=local.date().isoformat(), start_time=local.strftime("%H:%M")
        ),
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()


def test_an_ended_conference_cannot_be_edited(alice_client, alice):
    past = make_conference(alice, name="Stara", starts_at=timezone.now() - timedelta(days=1))
    response = alice_client.get(url(past), follow=True)
    assert "nie można jej już zmienić" in response.content.decode()
    response = alice_client.post(url(past), conference_edit_data(past, name="Nowa"))
    assert response.status_code == 302
    past.refresh_from_db()
    assert past.name == "Stara"


def test_a_conference_in_progress_can_be_extended_but_not_moved(alice_client, alice):
    started = timezone.now().replace(second=0, microsecond=0) - timedelta(minutes=30)
    running = make_conference(alice, starts_at=started, minutes=60)
    form = alice_client.get(url(running)).context["form"]
    assert form.fields["start_date"].disabled and form.fields["start_time"].disabled
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = alice_client.post(
        url(running),
        conference_edit_data(running, duration_minutes="120", start_date=tomorrow.isoformat()),
    )
    assert response.status_code == 302
    running.refresh_from_db()
    assert running.starts_at == started  # the posted start is ignored
    assert running.duration_minutes == 120


def test_a_conference_in_progress_cannot_be_shortened_into_the_past(alice_client, alice):
    started = timezone.now() - timedelta(minutes=30)
    running = make_conference(alice, starts_at=started, minutes=60)
    response = alice_client.post(url(running), conference_edit_data(running, duration_minutes="10"))
    assert response.status_code == 200
    assert response.context["form"].has_error("duration_minutes")


def test_it_refuses_when_conferences_are_disabled(alice_client, alice, conference):
    alice.conferences_enabled = False
    alice.save()
    response = alice_client.post(url(conference), conference_edit_data(conference, name="Zmiana"))
    assert response.status_code == 403
    conference.refresh_from_db()
    assert conference.name == "Rada"


def test_a_permanent_room_keeps_its_codes_when_renamed(alice_client, alice):
    room = make_conference(alice, is_permanent=True, starts_at=timezone.now() - timedelta(days=9))
    codes = room.codes()
    response = alice_client.post(url(room), conference_edit_data(room, name="Pokój zarządu"))
    assert response.status_code == 302
    room.refresh_from_db()
    assert room.name == "Pokój zarządu"
    assert room.is_permanent and room.ends_at is None
    assert room.codes() == codes


def test_a_start_at_the_second_of_two_equal_times_is_kept_as_the_second(alice_client, alice):
    # 02:30 winter time (UTC+1) on the night the clocks go back, after the first 02:30.
    start = datetime(2099, 10, 25, 1, 30, tzinfo=UTC)
    conference = make_conference(alice, name="Nocna", starts_at=start, minutes=60)
    html = alice_client.get(url(conference)).content.decode()
    assert re.search(r'value="second"[^>]*\bchecked', html)
    assert "(UTC+1)" in html and "(UTC+2)" in html
    response = alice_client.post(url(conference), conference_edit_data(conference, name="Nocna 2"))
    assert response.status_code == 302
    conference.refresh_from_db()
    assert (conference.name, conference.starts_at) == ("Nocna 2", start)
    assert conference.ends_at == start + timedelta(minutes=60)


def test_a_new_duration_on_the_night_the_clocks_go_forward_is_real_time(alice_client, alice):
    start = datetime(2099, 3, 29, 0, 30, tzinfo=UTC)  # 01:30 winter time
    conference = make_conference(alice, starts_at=start, minutes=30)
    response = alice_client.post(
        url(conference), conference_edit_data(conference, duration_minutes="90")
    )
    assert response.status_code == 302
    conference.refresh_from_db()
    assert conference.ends_at == datetime(2099, 3, 29, 2, 0, tzinfo=UTC)  # 04:00 summer time
    assert conference.duration_minutes == 90


@pytest.mark.parametrize(("day", "time"), [("0001-01-01", "00:30"), ("9999-12-31", "23:30")])
def test_moving_it_near_the_ends_of_the_calendar_gets_an_error_not_a_crash(
    alice_client, conference, day, time
):
    before = conference.starts_at
    response = alice_client.post(
        url(conference), conference_edit_data(conference, start_date=day, start_time=time)
    )
    assert response.status_code == 200
    assert "Wpisz datę początku od 01-01-2000 do 31-12-2099." in response.content.decode()
    conference.refresh_from_db()
    assert conference.starts_at == before
