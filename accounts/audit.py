"""The one way to write the audit trail, and the one way to say what a change changed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from django.db import models
from django.http import HttpRequest

from accounts import bulk
from accounts.client_address import client_address
from accounts.models import Account, AuditEvent, User

# Who did it: a signed-in user, or the name of an operator command ("manage.py adjust_balance").
Actor = User | str | None


def describe_actor(actor: Actor) -> tuple[User | None, str, str]:
    """(user, kind, label) for an actor, as AuditEvent and BalanceEntry store them."""
    if isinstance(actor, User):
        kind = AuditEvent.ActorKind.STAFF if actor.is_staff else AuditEvent.ActorKind.CUSTOMER
        return actor, kind, actor.get_username()
    if actor:
        return None, AuditEvent.ActorKind.OPERATOR, actor
    return None, AuditEvent.ActorKind.SYSTEM, "system"


def record(
    kind: str,
    *,
    account: Account | None = None,
    actor: Actor = None,
    request: HttpRequest | None = None,
    message: str = "",
    **data: Any,
) -> AuditEvent:
    """Write one audit event. With a request and no actor, the signed-in user is the actor."""
    return _write(kind, data, account=account, actor=actor, request=request, message=message)


def record_changes(
    kind: str,
    changes: Mapping[str, list[Any]],
    *,
    account: Account | None = None,
    actor: Actor = None,
    request: HttpRequest | None = None,
    message: str = "",
) -> AuditEvent:
    """record() an event whose data is `changes`, {field: [old, new]} as diff() gives them.

    The field names are the event's data as they are: they are not keyword arguments, so a
    field cannot be taken for one of record()'s own (`message`, `request`, …).
    """
    return _write(
        kind, dict(changes), account=account, actor=actor, request=request, message=message
    )


def record_all(events: Sequence[AuditEvent]) -> list[AuditEvent]:
    """Write events made by unsaved() in a few statements, in their order (an import's)."""
    return AuditEvent.objects.bulk_create(events, batch_size=bulk.ORM_BATCH_SIZE)


def unsaved(
    kind: str,
    data: Mapping[str, Any],
    *,
    account: Account | None = None,
    actor: Actor = None,
    message: str = "",
) -> AuditEvent:
    """The event record() would write with `data`, not yet written: for record_all()."""
    return _event(kind, dict(data), account=account, actor=actor, request=None, message=message)


def _write(
    kind: str,
    data: dict[str, Any],
    *,
    account: Account | None,
    actor: Actor,
    request: HttpRequest | None,
    message: str = "",
) -> AuditEvent:
    event = _event(kind, data, account=account, actor=actor, request=request, message=message)
    event.save(force_insert=True)
    return event


def _event(
    kind: str,
    data: dict[str, Any],
    *,
    account: Account | None,
    actor: Actor,
    request: HttpRequest | None,
    message: str,
) -> AuditEvent:
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    user, actor_kind, label = describe_actor(actor)
    return AuditEvent(
        kind=kind,
        account=account,
        actor=user,
        actor_kind=actor_kind,
        actor_label=label[:150],
        message=message[:500],
        data=data,
        ip_address=client_address(request),
    )


def value(raw: Any) -> Any:
    """A value as the audit trail writes it: JSON, and readable by a person.

    Yes/no for flags, "" for nothing, amounts and times as text; lists and numbers as they are.
    """
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "yes" if raw else "no"
    if isinstance(raw, datetime | date):
        return raw.isoformat()
    if isinstance(raw, time):
        return f"{raw:%H:%M}"
    if isinstance(raw, Decimal | models.Model):
        return str(raw)
    if isinstance(raw, list | tuple):
        return [value(item) for item in raw]
    return raw


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{name: [old, new]} of the values in `after` that differ from `before` (empty: nothing)."""
    return {
        name: [value(before.get(name)), value(new)]
        for name, new in after.items()
        if before.get(name) != new
    }


def apply_changes(obj: Any, values: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Set the attributes of `obj` whose value differs from `values`; return their diff().

    Nothing is saved: the caller saves the changed fields (`update_fields=list(changes)`).
    """
    changes = diff({name: getattr(obj, name) for name in values}, values)
    for name in changes:
        setattr(obj, name, values[name])
    return changes
