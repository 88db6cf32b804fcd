"""Who may try a password now: the sign-in lockout's rules, on top of django-axes.

django-axes records each failed sign-in (login, client address, user agent) in the database
and asks `LockoutHandler.is_locked` before a password is checked. The rules:

- Failures are counted per (login, address) and per address, within LOGIN_LOCKOUT_MINUTES
  of the latest one. At AXES_FAILURE_LIMIT failures of a login from an address, that login is
  locked from that address; at LOGIN_ADDRESS_FAILURE_LIMIT failures from an address (on any
  logins; higher, as an office shares one address), every login is locked from it. Other
  addresses are never locked by them, so an attacker cannot lock a customer out from the
  attacker's own address.
- A login guessed from many addresses (LOGIN_SLOWDOWN_AFTER failures, more than one address
  can make) is slowed down, not locked: each password check waits a few seconds after the
  previous failure. Addresses the login has signed in from lately are not slowed down.
- Attempts refused during a lockout are not recorded (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_
  LOCKOUT off), so they cannot extend it: it ends LOGIN_LOCKOUT_MINUTES after the failure
  that reached the limit.
- A successful sign-in clears that login's failures from that address; a completed password
  reset, or staff in the admin, clear all of the login's failures (`clear_failures`).

Logins are compared regardless of case (`accounts.models.login_key`), as they are unique.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from axes.conf import settings as axes_settings
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt, AccessLog
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Max, Sum
from django.db.models.functions import Lower
from django.http import HttpRequest
from django.utils import timezone

from accounts import audit
from accounts.models import Account, User, login_key

# An address the login signed in from this recently is one of the customer's own: it is not
# slowed down when the login is guessed from elsewhere.
KNOWN_ADDRESS_DAYS = 90
# 2**16 seconds is far beyond any sensible LOGIN_SLOWDOWN_MAX_SECONDS; the cap keeps a
# flood of failures from making Python compute a huge power.
_MAX_DOUBLINGS = 16


class Scope(StrEnum):
    LOGIN_FROM_ADDRESS = "login_from_address"
    ADDRESS = "address"
    SLOWDOWN = "slowdown"


@dataclass(frozen=True)
class Lockout:
    """Why a password may not be tried now, until when, and whether a reset would end it."""

    scope: Scope
    until: datetime
    address: str | None
    lifted_by_reset: bool


def login_of_attempt(request: HttpRequest, credentials: dict[str, Any] | None) -> str | None:
    """The login an attempt is counted for (AXES_USERNAME_CALLABLE): "Alice" is "alice"."""
    if credentials:
        value = credentials.get(axes_settings.AXES_USERNAME_FORM_FIELD)
    else:
        value = request.POST.get(axes_settings.AXES_USERNAME_FORM_FIELD)
    return login_key(value) if value else None


def cool_off() -> timedelta:
    period = get_cool_off()
    assert period is not None, "AXES_COOLOFF_TIME must be set: a lockout must end by itself"
    return period


def current_lockout(
    login: str | None, address: str | None, *, now: datetime | None = None
) -> Lockout | None:
    """The lockout or slow-down that applies to `login` (a login_key) tried from `address`."""
    now = now or timezone.now()
    recent = AccessAttempt.objects.filter(attempt_time__gte=now - cool_off())
    from_address: list[tuple[str | None, int, datetime]] = []
    if address:
        from_address = list(
            recent.filter(ip_address=address).values_list(
                "username", "failures_since_start", "attempt_time"
            )
        )
    locks = []
    if login:
        mine = [(n, at) for who, n, at in from_address if who == login]
        if until := _locked_until(mine, settings.AXES_FAILURE_LIMIT):
            locks.append(Lockout(Scope.LOGIN_FROM_ADDRESS, until, address, True))
    address_limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    if until := _locked_until(((n, at) for _who, n, at in from_address), address_limit):
        # A reset clears this login's failures; the address stays locked if the others
        # alone reach the limit.
        others = [(n, at) for who, n, at in from_address if who != login]
        lifted = login is not None and _locked_until(others, address_limit) is None
        locks.append(Lockout(Scope.ADDRESS, until, address, lifted))
    if locks:
        scope = (
            Scope.ADDRESS if any(lock.scope == Scope.ADDRESS for lock in locks) else locks[0].scope
        )
        return Lockout(
            scope,
            max(lock.until for lock in locks),
            address,
            all(lock.lifted_by_reset for lock in locks),
        )
    if login:
        return _slowdown(login, address, recent, now)
    return None


def seconds_left(state: Lockout) -> int:
    """Whole seconds until the lockout ends (at least 1), for messages and Retry-After."""
    return max(1, math.ceil((state.until - timezone.now()).total_seconds()))


def _locked_until(failures: Iterable[tuple[int, datetime]], limit: int) -> datetime | None:
    """When recorded (count, latest time) failures fall below `limit`; None: they are below.

    Each record counts until LOGIN_LOCKOUT_MINUTES after its latest failure, so the newest
    records that together reach the limit decide: the oldest of them ends the lockout.
    """
    total = 0
    for count, at in sorted(failures, key=lambda failure: failure[1], reverse=True):
        total += count
        if total >= limit:
            return at + cool_off()
    return None


def _slowdown(login: str, address: str | None, recent: Any, now: datetime) -> Lockout | None:
    totals = recent.filter(username=login).aggregate(
        failures=Sum("failures_since_start"), latest=Max("attempt_time")
    )
    failures = totals["failures"] or 0
    if failures < settings.LOGIN_SLOWDOWN_AFTER or (address and _signed_in_from(login, address)):
        return None
    doublings = min(failures - settings.LOGIN_SLOWDOWN_AFTER, _MAX_DOUBLINGS)
    wait = min(2**doublings, settings.LOGIN_SLOWDOWN_MAX_SECONDS)
    until = totals["latest"] + timedelta(seconds=wait)
    # A reset clears the failures, but whoever is guessing can add them again at once.
    return Lockout(Scope.SLOWDOWN, until, address, False) if until > now else None


def _signed_in_from(login: str, address: str) -> bool:
    since = timezone.now() - timedelta(days=KNOWN_ADDRESS_DAYS)
    return (
        AccessLog.objects.alias(login=Lower("username"))
        .filter(login=login, ip_address=address, attempt_time__gte=since)
        .exists()
    )


class LockoutHandler(AxesDatabaseHandler):
    """django-axes' database handler with Konto's rules (AXES_HANDLER)."""

    def is_locked(self, request: Any, credentials: dict[str, Any] | None = None) -> bool:
        if not axes_settings.AXES_LOCK_OUT_AT_FAILURE:
            return False
        login = get_client_username(request, credentials)
        lockout = current_lockout(login, request.axes_ip_address, now=request.axes_attempt_time)
        return lockout is not None

    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        # Axes compares this with AXES_FAILURE_LIMIT after recording a failure: the failures
        # of this login from this address. The address's own, higher limit is checked below.
        login = get_client_username(request, credentials)
        since = request.axes_attempt_time - cool_off()
        return (
            AccessAttempt.objects.filter(
                username=login, ip_address=request.axes_ip_address, attempt_time__gte=since
            ).aggregate(failures=Sum("failures_since_start"))["failures"]
            or 0
        )

    def user_login_failed(
        self, sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
    ) -> None:
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or request.axes_locked_out:
            return
        # This failure may have locked the address (its own limit) or slowed the login down:
        # say so now, as axes does for the login's own limit.
        login = get_client_username(request, credentials)
        address = request.axes_ip_address
        if current_lockout(login, address, now=request.axes_attempt_time) is not None:
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send("axes", request=request, username=login, ip_address=address)

    def reset_user_attempts(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        # After a successful sign-in. Axes would delete every failure matching a lockout
        # parameter, the address among them: signing in to one's own account would then wipe
        # the address's failures on other logins, and let it guess on.
        login = get_client_username(request, credentials)
        return _delete(
            AccessAttempt.objects.filter(username=login, ip_address=request.axes_ip_address)
        )


@dataclass(frozen=True)
class AddressFailures:
    address: str | None
    failures: int
    latest: datetime
    locked_until: datetime | None


def failures_of(user: User) -> list[AddressFailures]:
    """The failed sign-ins of the user's login that still count, by address, latest first."""
    since = timezone.now() - cool_off()
    by_address: dict[str | None, list[tuple[int, datetime]]] = {}
    for address, count, at in AccessAttempt.objects.filter(
        username=login_key(user.get_username()), attempt_time__gte=since
    ).values_list("ip_address", "failures_since_start", "attempt_time"):
        by_address.setdefault(address, []).append((count, at))
    summaries = [
        AddressFailures(
            address,
            sum(count for count, _at in failures),
            max(at for _count, at in failures),
            _locked_until(failures, settings.AXES_FAILURE_LIMIT),
        )
        for address, failures in by_address.items()
    ]
    return sorted(summaries, key=lambda summary: summary.latest, reverse=True)


def clear_failures(
    user: User, *, kind: str, actor: audit.Actor, request: HttpRequest | None = None
) -> int:
    """Forget every failed sign-in of the user's login, from every address; audited as `kind`.

    Returns how many failed sign-ins were forgotten.

    This lifts the login's lockouts and its slow-down. An address locked for failures on
    other logins stays locked: those are not this customer's.
    """
    attempts = AccessAttempt.objects.filter(username=login_key(user.get_username()))
    cleared = attempts.aggregate(failures=Sum("failures_since_start"))["failures"] or 0
    attempts.delete()
    audit.record(
        kind,
        account=Account.objects.filter(user=user).first(),
        actor=actor,
        request=request,
        message=user.get_username(),
        failures_cleared=cleared,
    )
    return cleared


def _delete(attempts: Any) -> int:
    _total, per_model = attempts.delete()
    return per_model.get(AccessAttempt._meta.label, 0)
