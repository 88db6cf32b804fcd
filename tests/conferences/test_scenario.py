"""The issue's "done when": a customer's conference from planning to cancellation."""

from __future__ import annotations

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest

from conferences.models import Conference
from tests.factories import conference_edit_data, conference_form_data, next_weekday

pytestmark = pytest.mark.django_db

WARSAW = ZoneInfo("Europe/Warsaw")
TUESDAY = 1
INVITEES = ["anna@example.com", "piotr@example.com", "ola@example.com"]


def event_of(message):
    _name, content, _mimetype = message.attachments[0]
    cal = icalendar.Calendar.from_ical(content)
    return cal, cal.walk("VEVENT")[0]


def test_next_tuesday_at_ten_for_ninety_minutes_with_three_invitees(
    alice_client, alice, send_mail, mailoutbox
):
    tuesday = next_weekday(TUESDAY, 10, 0, WARSAW)
    with send_mail():
        response = alice_client.post(
            "/centrex/conferences/new/",
            conference_form_data(
                name="Spotkanie wtorkowe",
                start_date=tuesday.date().isoformat(),
                start_time="10:00",
                duration_minutes="90",
                invitees=", ".join(INVITEES),
            ),
        )
    conference = Conference.objects.get()
    assert response["Location"] == f"/centrex/conferences/{conference.pk}/"

    # It is listed under Przyszłe with its time in Warsaw.
    html = alice_client.get("/centrex/conferences/?show=future").content.decode()
    assert "Spotkanie wtorkowe" in html
    assert "10:00" in html and "1 godz. 30 min" in html

    # Its page shows the codes and the tel: links.
    codes = conference.codes()
    html = alice_client.get(response["Location"]).content.decode()
    assert codes["host"] in html and codes["guest"] in html
    assert f"tel:+48221234567,,{codes['guest']}%23" in html

    # Each invitee got an invitation whose calendar file imports at 10:00 Warsaw time.
    assert sorted(m.to[0] for m in mailoutbox) == sorted(INVITEES)
    for message in mailoutbox:
        assert "10:00" in message.body and "Europe/Warsaw" in message.body
        assert codes["guest"] in message.body and codes["host"] not in message.body
        cal, event = event_of(message)
        assert str(cal["METHOD"]) == "REQUEST"
        assert event.decoded("DTSTART") == tuesday.astimezone(UTC)
        assert event.decoded("DTSTART").astimezone(WARSAW).hour == 10
        assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=90)
        assert event["SEQUENCE"] == 0
    uid = event_of(mailoutbox[0])[1]["UID"]

    # Moving it to 11:30 sends each invitee an update of the same calendar entry.
    mailoutbox.clear()
    with send_mail():
        alice_client.post(
            f"/centrex/conferences/{conference.pk}/edit/",
            conference_edit_data(conference, start_time="11:30"),
        )
    assert sorted(m.to[0] for m in mailoutbox) == sorted(INVITEES)
    for message in mailoutbox:
        cal, event = event_of(message)
        assert str(cal["METHOD"]) == "REQUEST"
        assert event["UID"] == uid
        assert event["SEQUENCE"] == 1
        assert event.decoded("DTSTART").astimezone(WARSAW).strftime("%H:%M") == "11:30"

    # Deleting it sends a cancellation of the same entry with a higher SEQUENCE.
    mailoutbox.clear()
    with send_mail():
        alice_client.post(f"/centrex/conferences/{conference.pk}/delete/")
    assert sorted(m.to[0] for m in mailoutbox) == sorted(INVITEES)
    for message in mailoutbox:
        cal, event = event_of(message)
        assert str(cal["METHOD"]) == "CANCEL"
        assert event["UID"] == uid
        assert event["SEQUENCE"] == 2
    assert not Conference.objects.exists()
