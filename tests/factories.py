"""Data builders for tests: plain functions, sensible defaults, keyword overrides."""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import Account, CallRecord, HuntGroup, HuntGroupMembership, User

PASSWORD = "Tajne-Haslo-2026"
_sequence = itertools.count(1)


def make_user(username: str | None = None, *, password: str = PASSWORD, **fields) -> User:
    username = username or f"user_{next(_sequence)}"
    fields.setdefault("email", f"{username}@example.com")
    return User.objects.create_user(username=username, password=password, **fields)


def make_account(login: str | None = None, *, email: str | None = None, **fields) -> Account:
    """A customer: a User with an Account whose ID is the login (as the operator issues them)."""
    user = make_user(login, **({"email": email} if email is not None else {}))
    fields.setdefault("account_id", user.username)
    return Account.objects.create(user=user, **fields)


def make_staff(username: str = "helpdesk", **fields) -> User:
    return make_user(
        username, is_staff=True, is_superuser=fields.pop("is_superuser", True), **fields
    )


def make_call(account: Account, **fields) -> CallRecord:
    n = next(_sequence)
    started = fields.pop("started_at", timezone.now() - timedelta(hours=n))
    defaults = {
        "source": "test",
        "source_id": f"call-{n}",
        "started_at": started,
        "answered_at": started + timedelta(seconds=5),
        "duration": 65,
        "billed_seconds": 60,
        "caller": "+48221234567",
        "callee": "+48501234567",
        "direction": CallRecord.Direction.OUTBOUND,
        "disposition": CallRecord.Disposition.ANSWERED,
        "charge": Decimal("0.12"),
    }
    defaults.update(fields)
    return CallRecord.objects.create(account=account, **defaults)


def make_hunt_group(
    *members: Account, name: str | None = None, number: str | None = None
) -> HuntGroup:
    n = next(_sequence)
    group = HuntGroup.objects.create(name=name or f"Grupa {n}", number=number or f"+4822{n:07d}")
    for account in members:
        HuntGroupMembership.objects.create(group=group, account=account)
    return group
