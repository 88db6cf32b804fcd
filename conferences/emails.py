"""Invitation, update and cancellation e-mails to a conference's invitees.

Each invitee gets a message of their own (invitees never see each other's addresses), in the
organiser's language, with times in the organiser's time zone (with their UTC offsets when the
clocks change during the conference or its start happens twice), the dial-in numbers and the
guest code (never the host code), and, for a scheduled conference, the iCalendar file.
Messages are built while the conference is still as it was (a cancellation is built before
the conference is deleted) and queued for delivery by the caller once the transaction has
committed.
"""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives

from accounts import mail
from conferences import ics, local_time
from conferences.models import Conference, dial_in_links

INVITATION = "invitation"
UPDATE = "update"
CANCELLATION = "cancellation"

_METHOD = {INVITATION: ics.REQUEST, UPDATE: ics.REQUEST, CANCELLATION: ics.CANCEL}


def build_messages(
    conference: Conference, kind: str, recipients: list[str]
) -> list[EmailMultiAlternatives]:
    if not recipients:
        return []
    account = conference.account
    guest_code = "" if kind == CANCELLATION else conference.guest_code
    context = {
        "conference": conference,
        "organiser": account.display_name,
        "organiser_email": account.email,
        "time_zone": account.time_zone,
        "guest_code": guest_code,
        "dial_in": dial_in_links(guest_code),
        "duration": conference.get_duration_display,
        # On the days the clocks change, local times alone would mislead (01:30–04:00 is 90
        # minutes on the night they go forward): the times then carry their UTC offsets.
        "offsets": local_time.clock_offsets(conference.starts_at, conference.ends_at, account.zone),
    }
    reply_to = [account.email] if account.email else None
    messages = []
    for email in recipients:
        message = mail.build(
            f"conference_{kind}", context, to=[email], account=account, reply_to=reply_to
        )
        if conference.ends_at is not None:
            method = _METHOD[kind]
            calendar = ics.build(conference, method, [email]).decode()
            # The parameter tells mail clients that this is an invitation to act on
            # (accept / update / remove), not just a file.
            message.attach("invite.ics", calendar, f"text/calendar; method={method}")
        messages.append(message)
    return messages


def send(messages: list[EmailMultiAlternatives]) -> None:
    """Queue each message for delivery (see accounts/mail.py): none waits for the mail server."""
    for message in messages:
        mail.queue(message)
