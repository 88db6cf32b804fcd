"""Who logs in: customers (with an Account) and operator staff, by a login unique regardless of case."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Value
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


def login_key(login: str) -> str:
    """A login as logins are compared: regardless of case (see User's constraint).

    For comparisons made in Python (rows of one file, the lockout's counters); the database
    compares with Lower(), through UserManager.with_login().
    """
    return login.lower()


class UserManager(DjangoUserManager["User"]):
    def with_login(self, login: str) -> models.QuerySet[User]:
        """The user whose login is `login` regardless of case (at most one: the constraint)."""
        return self.alias(login_lower=Lower("username")).filter(login_lower=Lower(Value(login)))

    def with_logins(self, logins: Iterable[str]) -> models.QuerySet[User]:
        """The users whose login is one of `logins` regardless of case."""
        keys = sorted({login_key(login) for login in logins})
        return self.alias(login_lower=Lower("username")).filter(login_lower__in=keys)

    def get_by_natural_key(self, username: str | None) -> User:
        # Signing in (ModelBackend) finds the login regardless of case, as the password reset
        # does: "Alice" and "alice" are one login, so either spelling reaches the same user.
        return self.with_login(username or "").get()


class User(AbstractUser):
    """The identity that logs in: the operator-issued login (e.g. `telekonferencja_48223809888`).

    Customers have an Account (1:1); operator staff (is_staff) have none. The customer's
    e-mail lives here, in `email`, so Django's password-reset tokens follow it. Logins are
    unique regardless of case, so that a login typed in any case means one user.
    """

    username = models.CharField(
        _("login"),
        max_length=150,
        unique=True,
        help_text=_("The login issued by the operator."),
        error_messages={"unique": _("A user with that login already exists.")},
    )

    objects: ClassVar[UserManager] = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        # On PostgreSQL also user_search_trgm, for the admin's search (migration 0013).
        constraints = [
            models.UniqueConstraint(
                Lower("username"),
                name="user_login_unique_regardless_of_case",
                violation_error_message=_("A user with that login already exists."),
            )
        ]
