"""Data builders for the conference tests: plain functions with sensible defaults."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import Account
from conferences import access_codes
from conferences.models import Conference, Invitee


def make_conference(
    account: Account,
    *,
    starts_at: datetime | None = None,
    minutes: int | None = 60,
    invitees: tuple[str, ...] = (),
    codes: bool = True,
    **fields,
) -> Conference:
    """A conference stored directly (past ones too, which the service would refuse)."""
    starts_at = starts_at or timezone.now() + timedelta(days=1)
    permanent = fields.pop("is_permanent", False)
    fields.setdefault("name", "Spotkanie zespołu")
    fields.setdefault("max_participants", 5)
    conference = Conference.objects.create(
        account=account,
        starts_at=starts_at,
        ends_at=None if permanent else starts_at + timedelta(minutes=minutes),
        is_permanent=permanent,
        max_session_minutes=120 if permanent else None,
        **fields,
    )
    if codes:
        access_codes.assign_codes(conference)
    for email in invitees:
        Invitee.objects.create(conference=conference, email=email)
    return conference


def next_weekday(weekday: int, hour: int, minute: int, zone) -> datetime:
    """The next given weekday (0 = Monday) at hour:minute in `zone`, at least a day ahead."""
    today = timezone.now().astimezone(zone).date() + timedelta(days=1)
    day = today + timedelta(days=(weekday - today.weekday()) % 7)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


def form_data(**overrides) -> dict:
    """What a customer posts on the add form: tomorrow 10:00 for 90 minutes, 5 participants."""
    tomorrow = timezone.localdate() + timedelta(days=1)
    data = {
        "name": "Przegląd kwartalny",
        "start_date": tomorrow.isoformat(),
        "start_time": "10:00",
        "duration_minutes": "90",
        "max_session_minutes": "",
        "max_participants": "5",
        "description": "",
        "music_on_hold": "on",
        "invitees": "",
        "creation_token": str(uuid.uuid4()),
    }
    data.update({k: v for k, v in overrides.items() if v is not None})
    for key in [k for k, v in overrides.items() if v is None]:
        data.pop(key, None)
    return data


def edit_data(conference: Conference, **overrides) -> dict:
    """The edit form as shown for `conference`, with `overrides` applied."""
    from conferences.forms import initial_for

    initial = initial_for(conference, conference.account)
    data = {}
    for key, value in initial.items():
        if isinstance(value, bool):
            if value:
                data[key] = "on"
        elif value is None:
            data[key] = ""
        elif hasattr(value, "isoformat"):
            data[key] = value.strftime("%H:%M") if key == "start_time" else value.isoformat()
        else:
            data[key] = str(value)
    data.update({k: v for k, v in overrides.items() if v is not None})
    for key in [k for k, v in overrides.items() if v is None]:
        data.pop(key, None)
    return data


def new_token() -> str:
    return str(uuid.uuid4())
