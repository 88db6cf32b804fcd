"""What a customer may save as a conference, and the checks on it.

`ConferenceData` is what the customer chose (as the form cleaned it). `validate` checks it
against the account (participants, concurrent conferences) and the moment (a start in the
past, a conference that has started or ended) and raises `ValidationError`, with field names
where a field is to blame. The services in `conferences.services` call these inside their
transaction, with the account row locked, so the checks hold however many saves race.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Account
from conferences import local_time
from conferences.models import (
    EARLIEST_START_DAY,
    LATEST_START_DAY,
    MAX_DURATION_MINUTES,
    MAX_INVITEES,
    MIN_DURATION_MINUTES,
    MIN_PARTICIPANTS,
    Conference,
)

# A start typed as "now" is a few seconds in the past by the time the form arrives.
START_GRACE = timedelta(minutes=1)


@dataclass
class ConferenceData:
    """What the customer chose, as the form cleaned it. `starts_at` is aware (any zone)."""

    name: str
    starts_at: datetime | None = None
    duration_minutes: int | None = None
    is_permanent: bool = False
    max_session_minutes: int | None = None
    max_participants: int = MIN_PARTICIPANTS
    description: str = ""
    wait_for_moderator: bool = False
    announce_join_leave: bool = False
    mute_on_join: bool = False
    music_on_hold: bool = True
    record: bool = False
    invitees: tuple[str, ...] = ()

    @classmethod
    def from_form(cls, cleaned: dict[str, Any]) -> ConferenceData:
        names = cls.__dataclass_fields__.keys()
        values = {k: v for k, v in cleaned.items() if k in names}
        values["invitees"] = tuple(cleaned.get("invitees") or ())
        return cls(**values)


def ensure_enabled(account: Account) -> None:
    if not account.conferences_enabled:
        raise PermissionDenied(
            _(
                "Conferences are disabled. To enable them, contact your service provider "
                "or administrator."
            )
        )


def max_concurrent(
    intervals: Iterable[tuple[datetime, datetime | None]],
    start: datetime,
    end: datetime | None,
) -> int:
    """The largest number of the given intervals that run at one moment within [start, end).

    An interval (or `end`) of None never ends. Back-to-back intervals (one ends at 11:00,
    the next starts at 11:00) do not overlap.
    """
    events: list[tuple[datetime, int]] = []
    for s, e in intervals:
        s = max(s, start)
        if end is not None:
            e = end if e is None else min(e, end)
        if e is not None and e <= s:
            continue
        events.append((s, 1))
        if e is not None:
            events.append((e, -1))
    events.sort(key=lambda event: (event[0], event[1]))  # ends before starts at the same time
    running = highest = 0
    for _moment, change in events:
        running += change
        highest = max(highest, running)
    return highest


def check_concurrency(
    account: Account,
    start: datetime,
    end: datetime | None,
    exclude_pk: int | None,
) -> None:
    others = account.conferences.filter(Q(ends_at__isnull=True) | Q(ends_at__gt=start))
    if end is not None:
        others = others.filter(starts_at__lt=end)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    busy = max_concurrent(others.values_list("starts_at", "ends_at"), start, end)
    limit = account.max_concurrent_conferences
    if limit == 0:
        raise ValidationError(
            _(
                "Your account's limit of concurrent conferences is 0, so no conference can be "
                "planned. Contact your service provider to raise it."
            ),
            code="no_conferences_allowed",
        )
    if busy + 1 > limit:
        raise ValidationError(
            ngettext(
                "Your account allows %(limit)d conference at a time and another one is "
                "already planned for that time. Choose another time or end a conference first.",
                "Your account allows %(limit)d conferences at a time and that many are "
                "already planned for that time. Choose another time or end a conference first.",
                limit,
            )
            % {"limit": limit},
            code="too_many_concurrent",
        )


def validate(
    account: Account,
    data: ConferenceData,
    conference: Conference | None,
    now: datetime,
) -> tuple[datetime, datetime | None]:
    """Check the rules for saving `data` (as a new conference, or over `conference`).

    Returns the (start, end) to store. Raises ValidationError with the fields to blame.
    """
    errors: dict[str, list[str]] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if conference is not None and conference.is_over(now):
        raise ValidationError(
            _("This conference has ended and can no longer be changed."), code="ended"
        )
    started = conference if conference is not None and conference.has_started(now) else None
    if started is not None and data.is_permanent != started.is_permanent:
        fail(
            "is_permanent",
            _(
                "A conference that has started cannot be turned into a permanent meeting room "
                "or back."
            ),
        )
    start: datetime | None
    end: datetime | None
    if data.is_permanent:
        start, end = _room_times(data, started, now, fail)
    else:
        start, end = _scheduled_times(data, started, now, fail)
    _check_size(account, data, fail)
    if errors:
        raise ValidationError(errors)
    assert start is not None  # a start is missing only with an error, raised above
    check_concurrency(account, start, end, conference.pk if conference else None)
    return start, end


Fail = Callable[[str, str], None]


def _room_times(
    data: ConferenceData, started: Conference | None, now: datetime, fail: Fail
) -> tuple[datetime, None]:
    """A permanent meeting room is open from now (or since it opened) and never ends."""
    minutes = data.max_session_minutes
    if minutes is None:
        fail(
            "max_session_minutes",
            _("Enter the maximum session time per participant for a permanent room."),
        )
    elif not MIN_DURATION_MINUTES <= minutes <= MAX_DURATION_MINUTES:
        fail(
            "max_session_minutes",
            _("Enter a session time from %(min)d to %(max)d minutes.")
            % {"min": MIN_DURATION_MINUTES, "max": MAX_DURATION_MINUTES},
        )
    return (started.starts_at if started is not None else now), None


def _scheduled_times(
    data: ConferenceData, started: Conference | None, now: datetime, fail: Fail
) -> tuple[datetime | None, datetime | None]:
    """A scheduled conference starts when chosen (not in the past; not moved once started)."""
    # Everything below compares and adds on UTC moments: aware times in one zone compare and
    # add on the wall clock, which is wrong on the days the clocks change (local_time).
    start = data.starts_at.astimezone(UTC) if data.starts_at is not None else None
    if start is None:
        fail("start_date", _("Enter the date and time the conference starts."))
    elif started is not None:
        if not started.is_permanent and _to_minute(start) != _to_minute(started.starts_at):
            fail(
                "start_date",
                _(
                    "This conference has already started, so it cannot be moved. You can "
                    "still change its duration."
                ),
            )
        start = started.starts_at
    elif start < now - START_GRACE:
        fail("start_date", _("The start is in the past. Choose a date and time from now on."))
    duration = data.duration_minutes
    end = None
    if duration is None:
        fail("duration_minutes", _("Enter the duration in minutes."))
    elif not MIN_DURATION_MINUTES <= duration <= MAX_DURATION_MINUTES:
        fail(
            "duration_minutes",
            _("Enter a duration from %(min)d to %(max)d minutes (24 hours).")
            % {"min": MIN_DURATION_MINUTES, "max": MAX_DURATION_MINUTES},
        )
    elif start is not None:
        try:
            end = local_time.end_after(start, duration)
        except local_time.OutOfRange:
            fail("start_date", start_day_range_message())
            return start, None
        if started is not None and end <= now:
            fail(
                "duration_minutes",
                _(
                    "With this duration the conference would already be over. Enter a "
                    "longer duration."
                ),
            )
    return start, end


def start_day_range_message() -> str:
    """What to say about a start date too near year 1 or year 9999 (the form says it first)."""
    return _("Enter a start date from %(earliest)s to %(latest)s.") % {
        "earliest": date_format(EARLIEST_START_DAY, "SHORT_DATE_FORMAT"),
        "latest": date_format(LATEST_START_DAY, "SHORT_DATE_FORMAT"),
    }


def _check_size(account: Account, data: ConferenceData, fail: Fail) -> None:
    limit = account.max_conference_participants
    if data.max_participants < MIN_PARTICIPANTS:
        fail(
            "max_participants",
            _("A conference needs at least %(min)d participants.") % {"min": MIN_PARTICIPANTS},
        )
    elif data.max_participants > limit:
        fail(
            "max_participants",
            ngettext(
                "Your account allows at most %(limit)d participant per conference.",
                "Your account allows at most %(limit)d participants per conference.",
                limit,
            )
            % {"limit": limit},
        )
    if len(data.invitees) > MAX_INVITEES:
        fail(
            "invitees",
            _("You can invite at most %(max)d people to one conference.") % {"max": MAX_INVITEES},
        )


def _to_minute(moment: datetime) -> datetime:
    # The form shows and sends times to the minute.
    return moment.replace(second=0, microsecond=0)
