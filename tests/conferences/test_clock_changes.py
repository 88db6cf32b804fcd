"""Conferences on the two nights a year the clocks change (Europe/Warsaw).

A conference lasts its duration in real time, and every place that shows or uses its end
agrees: the page, the invitation e-mail, the calendar file and the moment its codes stop
working. In 2099 the clocks go forward on Sunday 29 March (02:00 → 03:00, UTC+1 → UTC+2) and
back on Sunday 25 October (03:00 → 02:00, UTC+2 → UTC+1).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import pytest

from conferences.access_codes import find_access_code, release_codes_of_ended
from conferences.models import AccessCode, Conference
from tests.factories import conference_form_data

pytestmark = pytest.mark.django_db

NEW = "/centrex/conferences/new/"


def schedule(client, send_mail, **fields) -> Conference:
    """Post the add form (invitee jan@example.com) and return the conference it saved."""
    with send_mail():
        response = client.post(NEW, conference_form_data(invitees="jan@example.com", **fields))
    assert response.status_code == 302, response.context["form"].errors
    return Conference.objects.get()


def ics_times(client, conference) -> tuple[datetime, datetime, str]:
    response = client.get(f"/centrex/conferences/{conference.pk}/invite.ics")
    event = icalendar.Calendar.from_ical(response.content).walk("VEVENT")[0]
    return event.decoded("DTSTART"), event.decoded("DTEND"), response.content.decode()


def assert_codes_work_until(conference: Conference, end: datetime) -> None:
    host = conference.host_code
    assert find_access_code(host, now=end - timedelta(minutes=1)) is not None
    assert find_access_code(host, now=end) is None
    assert release_codes_of_ended(now=end - timedelta(seconds=1)) == 0
    assert AccessCode.objects.filter(conference=conference).count() == 2
    assert release_codes_of_ended(now=end) == 2
    assert not AccessCode.objects.filter(conference=conference).exists()


# Spring: 01:30 + 90 minutes ends at 04:00 local time (02:00 UTC), not at 03:00.


def test_spring_the_conference_lasts_ninety_real_minutes(alice_client, send_mail):
    conference = schedule(
        alice_client, send_mail, start_date="2099-03-29", start_time="01:30", duration_minutes="90"
    )
    assert conference.starts_at == datetime(2099, 3, 29, 0, 30, tzinfo=UTC)
    assert conference.ends_at == datetime(2099, 3, 29, 2, 0, tzinfo=UTC)
    assert conference.duration_minutes == 90


def test_spring_the_page_shows_the_end_at_four_with_the_offsets(alice_client, send_mail):
    conference = schedule(
        alice_client, send_mail, start_date="2099-03-29", start_time="01:30", duration_minutes="90"
    )
    response = alice_client.get(f"/centrex/conferences/{conference.pk}/")
    html = response.content.decode()
    assert '<span data-testid="start-offset">UTC+1</span>' in html
    assert '29 marca 2099, 04:00 <span data-testid="end-offset">UTC+2</span>' in html
    assert '<dd class="col-sm-7" data-testid="duration">1 godz. 30 min</dd>' in html


def test_spring_the_invitation_says_one_thirty_to_four_ninety_minutes(
    alice_client, send_mail, mailoutbox
):
    schedule(
        alice_client, send_mail, start_date="2099-03-29", start_time="01:30", duration_minutes="90"
    )
    [message] = mailoutbox
    assert "01:30 UTC+1 – 04:00 UTC+2 (Europe/Warsaw)" in message.body
    assert "1 godz. 30 min" in message.body
    html, _mimetype = message.alternatives[0]
    assert "01:30 UTC+1 – 04:00 UTC+2 (Europe/Warsaw)" in html
    calendar = icalendar.Calendar.from_ical(message.attachments[0][1])
    event = calendar.walk("VEVENT")[0]
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=90)


def test_spring_the_calendar_file_ends_at_two_utc(alice_client, send_mail):
    conference = schedule(
        alice_client, send_mail, start_date="2099-03-29", start_time="01:30", duration_minutes="90"
    )
    start, end, raw = ics_times(alice_client, conference)
    assert "DTSTART:20990329T003000Z" in raw
    assert "DTEND:20990329T020000Z" in raw
    assert end - start == timedelta(minutes=90)


def test_spring_the_codes_work_until_four_local_time(alice_client, send_mail):
    conference = schedule(
        alice_client, send_mail, start_date="2099-03-29", start_time="01:30", duration_minutes="90"
    )
    assert_codes_work_until(conference, datetime(2099, 3, 29, 2, 0, tzinfo=UTC))


# Autumn: 01:30 (summer time) + 90 minutes ends at the second 02:00 (winter time), 01:00 UTC.


def test_autumn_the_conference_lasts_ninety_real_minutes(alice_client, send_mail):
    conference = schedule(
        alice_client, send_mail, start_date="2099-10-25", start_time="01:30", duration_minutes="90"
    )
    assert conference.starts_at == datetime(2099, 10, 24, 23, 30, tzinfo=UTC)
    assert conference.ends_at == datetime(2099, 10, 25, 1, 0, tzinfo=UTC)
    assert conference.duration_minutes == 90


def test_autumn_the_page_shows_the_second_two_oclock_as_the_end(alice_client, send_mail):
    conference = schedule(
        alice_client, send_mail, start_date="2099-10-25", start_time="01:30", duration_minutes="90"
    )
    html = alice_client.get(f"/centrex/conferences/{conference.pk}/").content.decode()
    assert '<span data-testid="start-offset">UTC+2</span>' in html
    assert '25 października 2099, 02:00 <span data-testid="end-offset">UTC+1</span>' in html
    assert "1 godz. 30 min" in html
    assert 'data-testid="clock-change"' in html


def test_autumn_the_invitation_says_one_thirty_to_two_ninety_minutes(
    alice_client, send_mail, mailoutbox
):
    schedule(
        alice_client, send_mail, start_date="2099-10-25", start_time="01:30", duration_minutes="90"
    )
    [message] = mailoutbox
    assert "01:30 UTC+2 – 02:00 UTC+1 (Europe/Warsaw)" in message.body
    assert "1 godz. 30 min" in message.body


def test_autumn_the_calendar_file_ends_at_one_utc(alice_client, send_mail):
    conference = schedule(
        alice_client, send_mail, start_date="2099-10-25", start_time="01:30", duration_minutes="90"
    )
    start, end, raw = ics_times(alice_client, conference)
    assert "DTSTART:20991024T233000Z" in raw
    assert "DTEND:20991025T010000Z" in raw
    assert end - start == timedelta(minutes=90)


def test_autumn_the_codes_work_until_the_second_two_oclock(alice_client, send_mail):
    conference = schedule(
        alice_client, send_mail, start_date="2099-10-25", start_time="01:30", duration_minutes="90"
    )
    assert_codes_work_until(conference, datetime(2099, 10, 25, 1, 0, tzinfo=UTC))


@pytest.mark.parametrize(
    ("fold", "start", "shown"),
    [
        ("first", datetime(2099, 10, 25, 0, 30, tzinfo=UTC), "02:30 UTC+2 – 03:00 UTC+1"),
        ("second", datetime(2099, 10, 25, 1, 30, tzinfo=UTC), "02:30 UTC+1 – 04:00 UTC+1"),
    ],
)
def test_autumn_a_repeated_start_is_the_one_chosen_everywhere(
    alice_client, send_mail, mailoutbox, fold, start, shown
):
    conference = schedule(
        alice_client,
        send_mail,
        start_date="2099-10-25",
        start_time="02:30",
        start_fold=fold,
        duration_minutes="90",
    )
    end = start + timedelta(minutes=90)
    assert (conference.starts_at, conference.ends_at) == (start, end)
    assert f"{shown} (Europe/Warsaw)" in mailoutbox[0].body
    ics_start, ics_end, _raw = ics_times(alice_client, conference)
    assert (ics_start, ics_end) == (start, end)
    assert_codes_work_until(conference, end)


def test_an_ordinary_day_shows_no_offsets(alice_client, send_mail, mailoutbox):
    conference = schedule(
        alice_client, send_mail, start_date="2099-07-14", start_time="10:00", duration_minutes="90"
    )
    assert "UTC+" not in mailoutbox[0].body
    assert "10:00–11:30 (Europe/Warsaw)" in mailoutbox[0].body
    html = alice_client.get(f"/centrex/conferences/{conference.pk}/").content.decode()
    assert 'data-testid="start-offset"' not in html
    assert 'data-testid="clock-change"' not in html
