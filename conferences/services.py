"""Changes to conferences. Views, the admin and commands change conferences only through here.

Every function that changes a conference:
- locks the account row first (`SELECT … FOR UPDATE`), so the limit of concurrent conferences
  holds even when one customer saves two conferences at the same moment;
- checks the rules (`conferences.rules`) and raises `ValidationError` (with field names where
  a field is to blame);
- gives out and takes back access codes through `conferences.access_codes`;
- writes an audit event ("conference.*");
- e-mails the invitees once the transaction has committed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from accounts.audit import Actor
from accounts.models import Account
from conferences import access_codes, emails, rules
from conferences.models import Conference, Invitee
from conferences.rules import ConferenceData

# Fields the invitees' calendars show: a change to any of them is sent to them as an update.
INVITATION_FIELDS = ("name", "description", "starts_at", "ends_at", "is_permanent")
OPTION_FIELDS = (
    "wait_for_moderator",
    "announce_join_leave",
    "mute_on_join",
    "music_on_hold",
    "record",
)


def _lock_account(account: Account) -> Account:
    return Account.objects.select_for_update().get(pk=account.pk)


def _apply(
    conference: Conference, data: ConferenceData, start: datetime, end: datetime | None
) -> None:
    conference.name = data.name
    conference.description = data.description
    conference.is_permanent = data.is_permanent
    conference.starts_at = start
    conference.ends_at = end
    conference.max_session_minutes = data.max_session_minutes if data.is_permanent else None
    conference.max_participants = data.max_participants
    for field in OPTION_FIELDS:
        setattr(conference, field, getattr(data, field))


def _snapshot(conference: Conference) -> dict[str, Any]:
    fields: tuple[str, ...] = (
        "name",
        "description",
        "is_permanent",
        "starts_at",
        "ends_at",
        "max_session_minutes",
    )
    fields += ("max_participants", *OPTION_FIELDS)
    return {field: getattr(conference, field) for field in fields}


def _dedupe(emails_: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for email in emails_:
        seen.setdefault(email.strip().lower(), email.strip())
    return list(seen.values())


def _send_on_commit(messages: list) -> None:
    if messages:
        transaction.on_commit(lambda: emails.send(messages), robust=True)


# Changes --------------------------------------------------------------------------------------


def create_conference(
    account: Account,
    data: ConferenceData,
    *,
    actor: Actor = None,
    request: HttpRequest | None = None,
    creation_token: uuid.UUID | None = None,
    now: datetime | None = None,
) -> tuple[Conference, bool]:
    """Schedule a conference (or open a permanent room) with fresh codes; invite the invitees.

    Returns (conference, created). With a `creation_token` seen before (the same form
    submitted twice), nothing is created and the conference made the first time is returned.
    """
    now = now or timezone.now()
    rules.ensure_enabled(account)
    access_codes.release_codes_of_ended(now)
    invitees = _dedupe(data.invitees)
    with transaction.atomic():
        account = _lock_account(account)
        rules.ensure_enabled(account)
        if creation_token is not None:
            # The account lock makes a second submission wait here until the first committed.
            earlier = account.conferences.filter(creation_token=creation_token).first()
            if earlier is not None:
                return earlier, False
        start, end = rules.validate(account, data, None, now)
        conference = Conference(account=account, creation_token=creation_token)
        _apply(conference, data, start, end)
        try:
            with transaction.atomic():
                conference.save()
        except IntegrityError:
            # Only the token can clash. The lock above makes a second submission of the same
            # form find the first one; should the index still fire, look again once more.
            earlier = account.conferences.filter(creation_token=creation_token).first()
            if earlier is not None:
                return earlier, False
            raise ValidationError(
                _("This form has expired. Please fill it in and save it again."),
                code="stale_form",
            ) from None
        access_codes.assign_codes(conference)
        Invitee.objects.bulk_create(Invitee(conference=conference, email=e) for e in invitees)
        audit.record(
            "conference.created",
            account=account,
            actor=actor,
            request=request,
            message=conference.name,
            conference_id=conference.pk,
            starts_at=audit.value(start),
            ends_at=audit.value(end),
            permanent=conference.is_permanent,
            invitees=len(invitees),
        )
        _send_on_commit(emails.build_messages(conference, emails.INVITATION, invitees))
    return conference, True


def update_conference(
    conference: Conference,
    data: ConferenceData,
    *,
    actor: Actor = None,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> bool:
    """Change a conference. An ended one cannot change; a started one can't move (`rules.validate`).

    Invitees who stay get an update when something in their calendar changed; new invitees
    get an invitation, removed ones a cancellation. Returns whether anything changed.
    """
    now = now or timezone.now()
    rules.ensure_enabled(conference.account)
    invitees = _dedupe(data.invitees)
    with transaction.atomic():
        account = _lock_account(conference.account)
        rules.ensure_enabled(account)
        current = Conference.objects.select_for_update().get(pk=conference.pk)
        current.account = account
        start, end = rules.validate(account, data, current, now)
        before = _snapshot(current)
        _apply(current, data, start, end)
        after = _snapshot(current)
        changes = audit.diff(before, after)

        old = {i.email.lower(): i for i in current.invitees.all()}
        new = {e.lower(): e for e in invitees}
        added = [email for key, email in new.items() if key not in old]
        removed = [invitee for key, invitee in old.items() if key not in new]
        kept = [invitee.email for key, invitee in old.items() if key in new]
        if not changes and not added and not removed:
            return False

        # Removed invitees get a cancellation of what they were invited to (SEQUENCE raised).
        messages = []
        if removed:
            cancelled = Conference.objects.get(pk=current.pk)
            cancelled.sequence += 1
            messages += emails.build_messages(
                cancelled, emails.CANCELLATION, [i.email for i in removed]
            )
        calendar_changed = any(field in changes for field in INVITATION_FIELDS)
        if calendar_changed or removed:
            current.sequence += 1
        current.save()
        Invitee.objects.filter(pk__in=[i.pk for i in removed]).delete()
        Invitee.objects.bulk_create(Invitee(conference=current, email=e) for e in added)
        if calendar_changed:
            messages += emails.build_messages(current, emails.UPDATE, kept)
        messages += emails.build_messages(current, emails.INVITATION, added)
        audit.record(
            "conference.updated",
            account=account,
            actor=actor,
            request=request,
            message=current.name,
            conference_id=current.pk,
            changes=changes,
            invited=added,
            uninvited=[i.email for i in removed],
        )
        _send_on_commit(messages)
    conference.refresh_from_db()
    return True


def regenerate_codes(
    conference: Conference,
    *,
    actor: Actor = None,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> tuple[str, str]:
    """ "Generuj": a new pair of codes; the old ones stop working. Invitees get the new code."""
    now = now or timezone.now()
    rules.ensure_enabled(conference.account)
    access_codes.release_codes_of_ended(now)
    with transaction.atomic():
        account = _lock_account(conference.account)
        rules.ensure_enabled(account)
        current = Conference.objects.select_for_update().get(pk=conference.pk)
        current.account = account
        if current.is_over(now):
            raise ValidationError(
                _("This conference has ended and can no longer be changed."), code="ended"
            )
        old_codes = set(current.access_codes.values_list("code", flat=True))
        current.access_codes.all().delete()
        host, guest = access_codes.assign_codes(current, avoid=old_codes)
        current.sequence += 1
        current.save(update_fields=["sequence", "updated_at"])
        audit.record(
            "conference.codes_regenerated",
            account=account,
            actor=actor,
            request=request,
            message=current.name,
            conference_id=current.pk,
        )
        _send_on_commit(emails.build_messages(current, emails.UPDATE, current.invitee_emails()))
    conference.refresh_from_db()
    return host, guest


def cancellation_recipients(conference: Conference, now: datetime | None = None) -> list[str]:
    """Who is sent a cancellation when `conference` is deleted: its invitees, unless it is over."""
    now = now or timezone.now()
    return [] if conference.is_over(now) else conference.invitee_emails()


def delete_conference(
    conference: Conference,
    *,
    actor: Actor = None,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> None:
    """Delete a conference. Unless it is already over, its invitees get a cancellation."""
    now = now or timezone.now()
    with transaction.atomic():
        account = _lock_account(conference.account)
        current = Conference.objects.select_for_update().filter(pk=conference.pk).first()
        if current is None:  # deleted meanwhile (a second click, another staff member)
            return
        current.account = account
        messages = []
        recipients = cancellation_recipients(current, now)
        if recipients:
            current.sequence += 1
            messages = emails.build_messages(current, emails.CANCELLATION, recipients)
        audit.record(
            "conference.deleted",
            account=account,
            actor=actor,
            request=request,
            message=current.name,
            conference_id=current.pk,
            starts_at=audit.value(current.starts_at),
            ends_at=audit.value(current.ends_at),
        )
        current.delete()
        _send_on_commit(messages)


def end_conference(
    conference: Conference,
    *,
    actor: Actor = None,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> bool:
    """End a conference now (staff). Its codes stop working at once.

    One that had not started yet will not take place: it ends before it began and its
    invitees get a cancellation. Returns False when it was already over.
    """
    now = now or timezone.now()
    with transaction.atomic():
        account = _lock_account(conference.account)
        current = Conference.objects.select_for_update().get(pk=conference.pk)
        current.account = account
        if current.is_over(now):
            return False
        planned = (current.starts_at, current.ends_at)
        messages = []
        if not current.has_started(now):
            current.sequence += 1
            messages = emails.build_messages(current, emails.CANCELLATION, current.invitee_emails())
            current.starts_at = now
        current.ends_at = now
        current.save()
        current.access_codes.all().delete()
        audit.record(
            "conference.ended",
            account=account,
            actor=actor,
            request=request,
            message=current.name,
            conference_id=current.pk,
            planned_start=audit.value(planned[0]),
            planned_end=audit.value(planned[1]),
        )
        _send_on_commit(messages)
    conference.refresh_from_db()
    return True
