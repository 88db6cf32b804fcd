from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest

from tests.factories import make_conference

pytestmark = pytest.mark.django_db


@pytest.fixture
def conference(alice):
    # 10:00 in Warsaw in summer (UTC+2) is 08:00 UTC.
    start = datetime(2099, 7, 14, 10, 0, tzinfo=ZoneInfo("Europe/Warsaw"))
    return make_conference(alice, name="Planowanie", starts_at=start, minutes=90)


def url(conference) -> str:
    return f"/centrex/conferences/{conference.pk}/invite.ics"


def test_it_sends_anonymous_visitors_to_the_login_page(client, conference):
    response = client.get(url(conference))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_the_download_is_a_calendar_entry_at_the_right_utc_time(alice_client, conference):
    response = alice_client.get(url(conference))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    raw = response.content.decode()
    assert "DTSTART:20990714T080000Z" in raw
    assert "DTEND:20990714T093000Z" in raw
    cal = icalendar.Calendar.from_ical(response.content)
    assert str(cal["VERSION"]) == "2.0"
    event = cal.walk("VEVENT")[0]
    assert event.decoded("DTSTART") == datetime(2099, 7, 14, 8, 0, tzinfo=UTC)
    assert str(event["SUMMARY"]) == "Planowanie"
    assert event["UID"] == conference.ical_uid
    # The guest code is in the entry (with how to dial it); the host code is not.
    codes = conference.codes()
    assert codes["guest"] in str(event["DESCRIPTION"])
    assert codes["host"] not in raw
    assert "Numery dostępowe" in str(event["DESCRIPTION"])


def test_the_uid_stays_the_same_across_downloads(alice_client, conference):
    first = icalendar.Calendar.from_ical(alice_client.get(url(conference)).content)
    second = icalendar.Calendar.from_ical(alice_client.get(url(conference)).content)
    assert first.walk("VEVENT")[0]["UID"] == second.walk("VEVENT")[0]["UID"]


def test_a_conference_of_another_account_is_not_found(client, bob, conference):
    client.force_login(bob.user)
    assert client.get(url(conference)).status_code == 404


def test_a_permanent_room_has_no_calendar_file(alice_client, alice):
    room = make_conference(alice, is_permanent=True)
    assert alice_client.get(url(room)).status_code == 404


def test_it_refuses_other_methods(alice_client, conference):
    assert alice_client.post(url(conference)).status_code == 405
