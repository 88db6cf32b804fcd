"""Signed-in sessions: Django's database sessions, indexed by user, with where and when.

The portal's session engine (`accounts.security.sessions`) stores every session in this
table instead of django.contrib.sessions' own, so that "Bezpieczeństwo" can list a
customer's sessions and end one: deleting its row signs that browser out on its next
request, whichever worker serves it.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.utils.translation import gettext_lazy as _


class SignedInSession(AbstractBaseSession):
    # Set from the session's data on every save: the user signed in, or None before sign-in.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="signed_in_sessions",
        # No database constraint: a session saved after its user was deleted must not fail
        # the request; deleting a user through the ORM still deletes their sessions.
        db_constraint=False,
        verbose_name=_("user"),
    )
    # The browser and address the user signed in with, and when.
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    signed_in_at = models.DateTimeField(_("signed in"), null=True, blank=True)
    # Kept to within LAST_ACTIVE_RESOLUTION, so that a page view does not write each time.
    last_active_at = models.DateTimeField(_("last active"), null=True, blank=True)

    class Meta:
        verbose_name = _("signed-in session")
        verbose_name_plural = _("signed-in sessions")
        indexes = [models.Index(fields=["user", "expire_date"], name="session_user_expiry")]

    @classmethod
    def get_session_store_class(cls) -> type[SessionBase]:
        from accounts.security.sessions import SessionStore

        return SessionStore
