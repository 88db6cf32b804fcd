"""A login's sign-in history: its successful sign-ins and its failed attempts, newest first.

Both come from django-axes' tables, the lockout's own data: AccessLog has a row per sign-in,
AccessFailureLog (AXES_ENABLE_ACCESS_FAILURE_LOG) one per failed password or two-step code,
kept for the last AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT of each login.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from axes.models import AccessFailureLog, AccessLog
from django.urls import reverse

from accounts.models import login_key
from accounts.security import browsers

if TYPE_CHECKING:
    from accounts.models import User

HISTORY_LENGTH = 50


class Outcome(StrEnum):
    SIGNED_IN = "signed_in"
    WRONG_PASSWORD = "wrong_password"
    WRONG_CODE = "wrong_code"


@dataclass(frozen=True)
class SignInAttempt:
    at: datetime
    outcome: Outcome
    address: str | None
    browser: str
    # This failure reached the lockout's limit. (Attempts refused during a lockout are not
    # recorded: they were never checked.)
    locked: bool = False

    @property
    def succeeded(self) -> bool:
        return self.outcome == Outcome.SIGNED_IN


def sign_in_history(user: User, *, limit: int = HISTORY_LENGTH) -> list[SignInAttempt]:
    # axes stores a sign-in under the username as it is, a failure under its login_key.
    names = {user.get_username(), login_key(user.get_username())}
    # Not what happened to the login before this user had it (a deleted account's, say).
    mine = {"username__in": names, "attempt_time__gte": user.date_joined}
    fields = ("attempt_time", "ip_address", "user_agent")
    successes = AccessLog.objects.filter(**mine).order_by("-attempt_time")
    failures = AccessFailureLog.objects.filter(**mine).order_by("-attempt_time")
    code_path = reverse("login_code")
    attempts = [
        SignInAttempt(at, Outcome.SIGNED_IN, address, browsers.describe(agent))
        for at, address, agent in successes.values_list(*fields)[:limit]
    ]
    for at, address, agent, path, locked in failures.values_list(
        *fields, "path_info", "locked_out"
    )[:limit]:
        outcome = Outcome.WRONG_CODE if path == code_path else Outcome.WRONG_PASSWORD
        attempts.append(SignInAttempt(at, outcome, address, browsers.describe(agent), locked))
    attempts.sort(key=lambda attempt: attempt.at, reverse=True)
    return attempts[:limit]
