"""The session engine (SESSION_ENGINE), and the customer's signed-in sessions.

Sessions are Django's database sessions, stored in `SignedInSession` with the user, browser
and address beside them. `SessionMiddleware` gives each request's store the browser and
address, so a session that signs in records them. A page view writes nothing unless the
session changed, except `last_active_at`, at most once every LAST_ACTIVE_RESOLUTION.

Ending a session deletes its row: on that browser's next request the cookie names no
session, the user is anonymous and is sent to the login page. It is the database, not a
worker's memory, that says so, so it holds with any number of workers.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.middleware import (
    AuthenticationMiddleware as DjangoAuthenticationMiddleware,
)
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.functional import SimpleLazyObject

from accounts import audit
from accounts.client_address import client_address
from accounts.security import browsers

if TYPE_CHECKING:
    from accounts.models import SignedInSession, User

LAST_ACTIVE_RESOLUTION = timedelta(minutes=5)


class SessionStore(DatabaseSessionStore):
    def __init__(
        self, session_key: str | None = None, *, user_agent: str = "", address: str | None = None
    ) -> None:
        super().__init__(session_key)
        self.user_agent = user_agent[:300]
        self.address = address
        # The row as it was loaded or last saved: what a save keeps of it.
        self._row: SignedInSession | None = None
        self.loaded_user: User | None = None

    @classmethod
    def get_model_class(cls) -> type[SignedInSession]:
        from accounts.models import SignedInSession

        return SignedInSession

    # Django's own step of load() that reads the row (not in django-stubs), as Django's
    # DatabaseSessionStore does it, with the user and the account in the same query (a test
    # fails if Django's changes: compare this with it then), whose SQL is written once
    # (accounts.security.session_row).
    def _get_session_from_db(self) -> Any:
        from accounts.security.session_row import signed_in_session

        row: Any
        try:
            row = signed_in_session(self.session_key, timezone.now())
        except (self.model.DoesNotExist, SuspiciousOperation) as error:
            if isinstance(error, SuspiciousOperation):
                logger = logging.getLogger(f"django.security.{error.__class__.__name__}")
                logger.warning(str(error))
            self._session_key = None
            row = None
        self._row = row
        # Handed to the authentication backend by AuthenticationMiddleware (below).
        self.loaded_user = None if row is None else row.user
        if row is not None and row.user_id is not None:
            now = timezone.now()
            if row.last_active_at is None or now - row.last_active_at >= LAST_ACTIVE_RESOLUTION:
                self.model.objects.filter(pk=row.pk).update(last_active_at=now)
                row.last_active_at = now
        return row

    def create_model_instance(self, data: dict[str, Any]) -> Any:
        row: Any = super().create_model_instance(data)
        user_id = data.get(SESSION_KEY)
        row.user_id = None if user_id is None else get_user_model()._meta.pk.to_python(user_id)
        previous = self._row
        if row.user_id is not None and previous is not None and previous.user_id == row.user_id:
            # The same sign-in, saved again or under a new key (a password change).
            row.user_agent = previous.user_agent
            row.address = previous.address
            row.signed_in_at = previous.signed_in_at
        elif row.user_id is not None:
            row.user_agent = self.user_agent
            row.address = self.address
            row.signed_in_at = timezone.now()
        row.last_active_at = timezone.now()
        self._row = row
        return row


# The user of the request's session, read with its row, while Django asks the authentication
# backend for the user (accounts.backends.AccountBackend): set for that call only.
loaded_user: ContextVar[User | None] = ContextVar("loaded_user", default=None)


class AuthenticationMiddleware(DjangoAuthenticationMiddleware):
    """Django's, asking the database one question fewer on every signed-in request: the user
    and the account come with the session's row (SessionStore), and Django's own checks of
    them (the backend, the session's password hash) run as before."""

    def process_request(self, request: HttpRequest) -> None:
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _signed_in_user(request))  # type: ignore[assignment]


def _signed_in_user(request: HttpRequest) -> Any:
    # django.contrib.auth.middleware.get_user, with the session's user handed to the backend.
    if not hasattr(request, "_cached_user"):
        store = request.session
        store.get(SESSION_KEY)  # loads the row, and its user with it
        token = loaded_user.set(getattr(store, "loaded_user", None))
        try:
            request._cached_user = auth.get_user(request)  # type: ignore[attr-defined]
        finally:
            loaded_user.reset(token)
    return request._cached_user  # type: ignore[attr-defined]


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's session middleware, telling the store the request's browser and address."""

    def process_request(self, request: HttpRequest) -> None:
        store: type[SessionStore] = self.SessionStore  # type: ignore[assignment]
        request.session = store(
            request.COOKIES.get(settings.SESSION_COOKIE_NAME),
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            address=client_address(request),
        )


@dataclass(frozen=True)
class SessionSummary:
    """One signed-in session as "Bezpieczeństwo" lists it."""

    handle: str
    browser: str
    address: str | None
    signed_in_at: datetime | None
    last_active_at: datetime | None
    current: bool


def handle_of(session_key: str) -> str:
    """A name for a session that the page may show and post: not its key, which signs in."""
    return salted_hmac("konto.security.session", session_key).hexdigest()[:24]


def _live_sessions(user: User) -> Any:
    from accounts.models import SignedInSession

    return SignedInSession.objects.filter(user=user, expire_date__gt=timezone.now())


def sessions_of(user: User, current_key: str | None) -> list[SessionSummary]:
    """The user's sessions that have not expired, this one first, then by last activity."""
    rows = _live_sessions(user).only(
        "session_key", "user_agent", "address", "signed_in_at", "last_active_at"
    )
    summaries = [
        SessionSummary(
            handle=handle_of(row.session_key),
            browser=browsers.describe(row.user_agent),
            address=row.address,
            signed_in_at=row.signed_in_at,
            last_active_at=row.last_active_at,
            current=row.session_key == current_key,
        )
        for row in rows
    ]
    epoch = timezone.now() - timedelta(days=36500)
    summaries.sort(key=lambda s: (s.current, s.last_active_at or epoch), reverse=True)
    return summaries


def end_session(user: User, handle: str, *, request: HttpRequest) -> bool:
    """End the user's session named `handle` (not the current one); False if there is none."""
    current = request.session.session_key
    for row in _live_sessions(user).exclude(session_key=current).only("session_key", "user_agent"):
        if constant_time_compare(handle_of(row.session_key), handle):
            browser = browsers.describe(row.user_agent)
            row.delete()
            audit.record(
                "security.session_end",
                account=getattr(user, "account", None),
                request=request,
                message=browser,
            )
            return True
    return False


def end_other_sessions(user: User, *, request: HttpRequest) -> int:
    """End every session of the user but the current one; how many there were."""
    ended, _per_model = (
        _live_sessions(user).exclude(session_key=request.session.session_key).delete()
    )
    audit.record(
        "security.sessions_end_others",
        account=getattr(user, "account", None),
        request=request,
        sessions=ended,
    )
    return ended


def forget_sessions(user: User, *, keep: str | None = None) -> int:
    """After a new password: drop the user's other sessions from the list.

    They are signed out already (their session carries the old password's hash), but would
    be listed until their browser's next request. `keep`: the current session's key.
    """
    ended, _per_model = _live_sessions(user).exclude(session_key=keep).delete()
    return ended
