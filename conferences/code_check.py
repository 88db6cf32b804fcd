"""The conference media server's question "which conference does this code open?", with a
lockout per caller.

A code is found while its conference is not over and its account may use conferences; the
answer says which conference, whether the caller is its host or a guest, its options, and
whether callers may join now (`live`: from EARLY_JOIN before the start until the end, as
`access_codes.find_access_code` has it). Any other code is wrong. After MAX_CODE_FAILURES wrong
codes from one caller number within CODE_LOCKOUT, that caller is locked until the window ends
(accounts.switch_api.lockout): no code is checked then. A right code does not clear the
failures: whoever knows one code (their own conference's) could otherwise guess on for ever.
Callers without a number share one counter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from accounts.models import Account
from accounts.switch_api.lockout import FailureCounter
from conferences.access_codes import find_access_code
from conferences.models import AccessCode

MAX_CODE_FAILURES = 10
CODE_LOCKOUT = timedelta(minutes=15)
CODE_FAILURES = FailureCounter("conference-code", MAX_CODE_FAILURES, CODE_LOCKOUT)


@dataclass(frozen=True)
class CodeCheck:
    access: AccessCode | None = None
    live: bool = False
    locked: bool = False


def check_code(code: str, caller: str, now: datetime | None = None) -> CodeCheck:
    """What the code `code` keyed in by `caller` (a number, "" when withheld) opens."""
    if CODE_FAILURES.is_locked(caller):
        return CodeCheck(locked=True)
    now = now or timezone.now()
    access = (
        AccessCode.objects.select_related("conference__account")
        .filter(code=code, conference__account__conferences_enabled=True)
        .exclude(conference__account__status=Account.Status.BLOCKED)
        .first()
    )
    if access is None or access.conference.is_over(now):
        failures = CODE_FAILURES.add_failure(caller)
        return CodeCheck(locked=failures >= MAX_CODE_FAILURES)
    return CodeCheck(access=access, live=find_access_code(code, now) is not None)
