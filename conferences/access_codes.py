"""Access codes: making them, giving a pair to a conference, releasing them, finding one.

A code is random digits (CODE_LENGTH), never starting with 0 and never easy to guess
(`is_weak_code`). The unique index on `AccessCode.code` is what keeps two live conferences from
sharing a code; `assign_codes` retries with a fresh pair when a concurrent transaction took
one first. A conference's codes are deleted once it is over (`release_codes_of_ended`), so
they can be given out again. `find_access_code` is what the switch asks when someone dials in.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from conferences.models import CODE_LENGTH, EARLY_JOIN, AccessCode, Conference

# How many fresh pairs to try before giving up. With 8-digit codes a single collision is
# already rare; twenty in a row would mean the code space is nearly full.
MAX_CODE_ATTEMPTS = 20


class CodeSpaceExhausted(RuntimeError):
    """No free pair of access codes was found (should never happen with 8-digit codes)."""


def is_weak_code(code: str) -> bool:
    """True for codes that are easy to guess: 123456, 654321, 111111, 121212, 123123 …"""
    if not code.isdigit():
        return True
    if len(set(code)) < 3:  # one or two different digits: 111111, 121212, 112211
        return True
    steps = {(int(b) - int(a)) % 10 for a, b in zip(code, code[1:], strict=False)}
    if steps in ({1}, {9}):  # ascending or descending, also across 9→0 (789012)
        return True
    for period in range(1, len(code) // 2 + 1):  # a short block repeated: 123123, 45674567
        if len(code) % period == 0 and code == code[:period] * (len(code) // period):
            return True
    return False


def generate_code(length: int = CODE_LENGTH) -> str:
    """A random code of `length` digits, not starting with 0 and not weak."""
    while True:
        code = str(secrets.choice("123456789")) + "".join(
            secrets.choice("0123456789") for _ in range(length - 1)
        )
        if not is_weak_code(code):
            return code


def _new_code_pair(avoid: set[str]) -> tuple[str, str]:
    while True:
        host, guest = generate_code(), generate_code()
        if host != guest and host not in avoid and guest not in avoid:
            return host, guest


def _codes_in_use(codes: Iterable[str]) -> bool:
    return AccessCode.objects.filter(code__in=list(codes)).exists()


def assign_codes(conference: Conference, avoid: set[str] | None = None) -> tuple[str, str]:
    """Give the conference a fresh host and guest code. Call inside a transaction.

    The unique index on AccessCode.code is what guarantees uniqueness: a concurrent
    transaction may take a code between our check and our insert. Then the insert fails and
    we try another pair; the savepoint keeps the outer transaction usable (PostgreSQL aborts
    a transaction on an error otherwise).
    """
    avoid = set(avoid or ())
    for _attempt in range(MAX_CODE_ATTEMPTS):
        host, guest = _new_code_pair(avoid)
        if _codes_in_use((host, guest)):
            avoid.update((host, guest))
            continue
        try:
            with transaction.atomic():
                AccessCode.objects.bulk_create(
                    [
                        AccessCode(conference=conference, role=AccessCode.Role.HOST, code=host),
                        AccessCode(conference=conference, role=AccessCode.Role.GUEST, code=guest),
                    ]
                )
        except IntegrityError:
            avoid.update((host, guest))
            continue
        # Forget any prefetched codes: the conference's codes have just changed.
        getattr(conference, "_prefetched_objects_cache", {}).pop("access_codes", None)
        return host, guest
    raise CodeSpaceExhausted(f"No free access codes after {MAX_CODE_ATTEMPTS} attempts.")


def release_codes_of_ended(now: datetime | None = None) -> int:
    """Delete the access codes of conferences that are over, so their codes can be reused.

    Safe to run at any time and from several processes: rows another transaction is working
    on are skipped (PostgreSQL SKIP LOCKED), never waited for. Returns the number released.
    """
    now = now or timezone.now()
    with transaction.atomic():
        pks = list(
            AccessCode.objects.filter(conference__ends_at__lte=now)
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", flat=True)
        )
        if pks:
            AccessCode.objects.filter(pk__in=pks).delete()
    return len(pks)


def find_access_code(code: str, now: datetime | None = None) -> AccessCode | None:
    """The access code a caller keyed in, if it opens a conference right now; else None.

    This is what the switch asks when someone dials in. A code works from EARLY_JOIN before
    the start until the end, only while the account may use conferences.
    """
    now = now or timezone.now()
    access = (
        AccessCode.objects.select_related("conference__account").filter(code=code.strip()).first()
    )
    if access is None:
        return None
    conference = access.conference
    account = conference.account
    if conference.is_over(now) or now < conference.starts_at - EARLY_JOIN:
        return None
    if not account.conferences_enabled or account.is_blocked:
        return None
    return access
