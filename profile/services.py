"""The rules behind "Mój profil": saving profile and settings, the SIP password, password changes."""

from __future__ import annotations

import logging
import secrets
import string
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from redis.exceptions import RedisError

from accounts import audit, mail
from accounts.client_address import client_address
from accounts.models import Account
from accounts.security import sessions
from accounts.sip import credentials as sip_credentials

logger = logging.getLogger(__name__)

# Fields of "Mój profil" that live on the User rather than on the Account.
USER_FIELDS = frozenset({"email"})

SIP_PASSWORD_LENGTH = 20
# Letters and digits only: some SIP phones mangle punctuation typed on their keypads or web
# pages. 20 characters of 62 symbols is about 119 bits, far beyond guessing over SIP.
SIP_PASSWORD_ALPHABET = string.ascii_letters + string.digits


@transaction.atomic
def save_profile(account: Account, changes: dict[str, Any], *, request: HttpRequest) -> list[str]:
    """Apply `changes` (field name → new value) to the account and its user; return what changed.

    Only fields whose value really differs are written and listed in one "profile.change"
    audit event; saving an unchanged form writes nothing. A new low-balance threshold re-arms
    the alert, so the customer hears about the new level even if the old one had fired.
    """
    user = account.user
    changed = [
        *audit.apply_changes(user, {k: v for k, v in changes.items() if k in USER_FIELDS}),
        *audit.apply_changes(account, {k: v for k, v in changes.items() if k not in USER_FIELDS}),
    ]
    if not changed:
        return []
    if "low_balance_threshold" in changed:
        account.low_balance_alert_sent = False
    account_fields = [name for name in changed if name not in USER_FIELDS]
    if account_fields:
        extra = ["low_balance_alert_sent"] if "low_balance_threshold" in changed else []
        account.save(update_fields=[*account_fields, *extra, "updated_at"])
    user_fields = [name for name in changed if name in USER_FIELDS]
    if user_fields:
        user.save(update_fields=user_fields)
    audit.record("profile.change", account=account, request=request, fields=changed)
    return changed


def generate_sip_password() -> str:
    """A strong random SIP password with at least one lower-case letter, capital and digit."""
    while True:
        password = "".join(
            secrets.choice(SIP_PASSWORD_ALPHABET) for _ in range(SIP_PASSWORD_LENGTH)
        )
        if (
            any(c.islower() for c in password)
            and any(c.isupper() for c in password)
            and any(c.isdigit() for c in password)
        ):
            return password


def regenerate_sip_password(account: Account, *, request: HttpRequest) -> str:
    """Give the account a new SIP password; the proxy refuses the old one from this commit on."""
    account.sip_password = generate_sip_password()
    with transaction.atomic():
        account.save(update_fields=["sip_password", "updated_at"])
        sip_credentials.sync_account(account)
        # The audit trail says that it changed, never what it is.
        audit.record("profile.sip_password", account=account, request=request)
    return account.sip_password


# Wrong old passwords on "Zmień hasło" are limited like logins (django-axes): the same number
# of failures, the same cool-off. The counter is in the cache, which is Redis in production,
# so every worker process sees it; it expires by itself at the end of the cool-off.
#
# When the cache cannot be reached the count cannot be kept, and the change fails closed:
# `ThrottleUnavailable` is raised and no old password is checked until the cache is back.
# Failing open would let whoever holds a stolen session guess the old password without limit
# during the outage, and that password signs in everywhere. A customer who must change their
# password now still can, through "Forgot your password?", which does not use the cache.

# What a cache that cannot be reached raises: Redis's own errors (connection refused, time-out)
# and the operating system's for a socket of another backend.
CACHE_ERRORS: tuple[type[Exception], ...] = (RedisError, OSError)


class ThrottleUnavailable(Exception):
    """The cache that counts wrong old passwords cannot be reached, so none may be checked."""


def _password_failures_key(user_id: int) -> str:
    return f"profile:password-failures:{user_id}"


def password_lockout_seconds() -> int:
    return max(1, round(settings.AXES_COOLOFF_TIME * 3600))


def password_change_locked(user_id: int) -> bool:
    """Whether wrong old passwords have locked the user's password changes.

    Raises ThrottleUnavailable when the cache cannot tell.
    """
    try:
        failures = cache.get(_password_failures_key(user_id), 0)
    except CACHE_ERRORS as error:
        logger.warning("Password changes refused, the cache is unreachable: %s", error)
        raise ThrottleUnavailable from error
    return failures >= settings.AXES_FAILURE_LIMIT


def note_wrong_old_password(account: Account, *, request: HttpRequest) -> bool:
    """Count one wrong old password; True when this failure locks password changes.

    Raises ThrottleUnavailable when the cache cannot count it.
    """
    key = _password_failures_key(account.user_id)
    try:
        # add() starts the window only if none is open; incr() keeps the key's expiry.
        cache.add(key, 0, timeout=password_lockout_seconds())
        try:
            failures = cache.incr(key)
        except ValueError:  # the key expired between add() and incr()
            cache.set(key, 1, timeout=password_lockout_seconds())
            failures = 1
    except CACHE_ERRORS as error:
        logger.warning("A wrong old password went uncounted, the cache is unreachable: %s", error)
        raise ThrottleUnavailable from error
    locked = failures == settings.AXES_FAILURE_LIMIT
    if locked:
        audit.record("profile.password_locked", account=account, request=request)
    return locked


def clear_wrong_old_passwords(user_id: int) -> None:
    try:
        cache.delete(_password_failures_key(user_id))
    except CACHE_ERRORS as error:
        # The password has been changed all the same; the count expires by itself.
        logger.warning("Wrong old passwords not cleared, the cache is unreachable: %s", error)


def password_changed(account: Account, *, request: HttpRequest) -> None:
    """After a successful password change: reset the failure count, end the other sessions,
    audit, tell the customer."""
    clear_wrong_old_passwords(account.user_id)
    sessions.forget_sessions(account.user, keep=request.session.session_key)
    audit.record("profile.password", account=account, request=request)
    send_password_changed_email(account, request=request)


def send_password_changed_email(account: Account, *, request: HttpRequest) -> None:
    """Tell the customer, in their language and time zone, that their password was changed.

    A customer who did not do it learns at once and can reset it. The e-mail is queued (see
    accounts/mail.py); should even that fail, it is logged, not shown: the password has been
    changed either way.
    """
    email = account.user.email
    if not email:
        return
    context = {
        "account": account,
        "login": account.login,
        "changed_at": timezone.now(),
        "ip_address": client_address(request) or "",
        "reset_url": request.build_absolute_uri(reverse("password_reset")),
    }
    try:
        mail.send("password_changed", context, to=[email], account=account)
    except Exception:
        logger.exception("Could not queue the password-changed e-mail for %s", account)
