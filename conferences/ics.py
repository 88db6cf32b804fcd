"""iCalendar (RFC 5545 / iTIP RFC 5546) files for conference invitations.

Times are written in UTC (`…Z`), which every calendar converts to its own zone; the text
(summary, description) speaks the organiser's language and shows the organiser's time zone.
The UID is the conference's and never changes; SEQUENCE is the conference's `sequence`, which
the services raise on every change invitees see, so calendars replace the old entry.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from icalendar import Calendar, Event, vCalAddress, vText

from conferences.models import Conference, dial_in_links

PRODID = "-//Konto//Conferences//PL"

REQUEST = "REQUEST"
CANCEL = "CANCEL"
PUBLISH = "PUBLISH"


def _organizer(conference: Conference) -> vCalAddress:
    account = conference.account
    email = account.email or _address_of(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{email}")
    organizer.params["CN"] = vText(account.display_name)
    return organizer


def _address_of(from_email: str) -> str:
    # "Konto <konto@localhost>" → "konto@localhost"
    if "<" in from_email and ">" in from_email:
        return from_email.split("<", 1)[1].split(">", 1)[0]
    return from_email


def event_description(conference: Conference, guest_code: str) -> str:
    """The text of the calendar entry: dial-in numbers, the guest code, the description."""
    account = conference.account
    with translation.override(account.language), timezone.override(account.zone):
        return render_to_string(
            "conferences/calendar_description.txt",
            {
                "conference": conference,
                "guest_code": guest_code,
                "dial_in": dial_in_links(guest_code),
                "organiser": account.display_name,
                "time_zone": account.time_zone,
            },
        ).strip()


def build(
    conference: Conference,
    method: str,
    attendees: list[str] | None = None,
    *,
    now: datetime | None = None,
) -> bytes:
    """An iCalendar file for one conference. `method` is REQUEST, CANCEL or PUBLISH."""
    if conference.ends_at is None:
        raise ValueError("A permanent meeting room has no calendar entry.")
    # A cancelled conference's codes no longer work: don't hand them out again.
    guest_code = "" if method == CANCEL else conference.guest_code
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)

    event = Event()
    event.add("uid", conference.ical_uid)
    event.add("sequence", conference.sequence)
    event.add("dtstamp", (now or timezone.now()).astimezone(UTC))
    event.add("dtstart", conference.starts_at.astimezone(UTC))
    event.add("dtend", conference.ends_at.astimezone(UTC))
    event.add("summary", conference.name)
    event.add("description", event_description(conference, guest_code))
    numbers = settings.CONFERENCE_DIAL_IN_NUMBERS
    if numbers and guest_code:
        event.add("location", f"{numbers[0]},,{guest_code}#")
    event.add("organizer", _organizer(conference))
    for email in attendees or []:
        attendee = vCalAddress(f"mailto:{email}")
        attendee.params["ROLE"] = vText("REQ-PARTICIPANT")
        attendee.params["RSVP"] = vText("FALSE")
        if method == REQUEST:
            attendee.params["PARTSTAT"] = vText("NEEDS-ACTION")
        event.add("attendee", attendee, encode=False)
    event.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
    event.add("transp", "OPAQUE")
    cal.add_component(event)
    return cal.to_ical()
