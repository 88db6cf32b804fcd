"""The one way to write the audit trail."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from accounts.models import Account, AuditEvent, User

# Who did it: a signed-in user, or the name of an operator command ("manage.py adjust_balance").
Actor = User | str | None


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request)


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
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    user, actor_kind, label = describe_actor(actor)
    return AuditEvent.objects.create(
        kind=kind,
        account=account,
        actor=user,
        actor_kind=actor_kind,
        actor_label=label[:150],
        message=message[:500],
        data=data,
        ip_address=client_ip(request),
    )
