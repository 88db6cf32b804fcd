"""Switch tokens: making one (shown once), checking one on every request, revoking one.

A token is 32 random bytes (URL-safe text) with the prefix `ksw_`, so a leaked one is easy to
recognise. Only its SHA-256 is stored. A check hashes what the switch sent and looks the hash
up; the stored hash is compared once more in constant time, so that no answer depends on how
much of a guess was right.

Checks are cached (`accounts.switch_api.generations`): a check costs no query. Revoking renews
the generation of every token check, so a revoked token is refused from the next request on, by
every worker process. `last_used_at` is written at most once a minute per token.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts import audit
from accounts.switch_api import generations
from accounts.switch_api.models import SwitchToken

if TYPE_CHECKING:
    from django.http import HttpRequest

TOKEN_PREFIX = "ksw_"
# last_used_at is a "when was it last seen" for staff, not a log: once a minute is enough.
LAST_USED_PRECISION = timedelta(minutes=1)
NAME_MAX_LENGTH = SwitchToken._meta.get_field("name").max_length or 100

_GENERATION_KEY = "switch-api:tokens:generation"


@dataclass(frozen=True)
class CheckedToken:
    """A token that passed the check: what the request may know about its switch."""

    pk: int
    name: str
    token_hash: str
    last_used_at: datetime | None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def clean_name(raw: str) -> str:
    name = (raw or "").strip()
    if not name or len(name) > NAME_MAX_LENGTH or not name.isprintable():
        raise ValidationError(
            f"A token's name is 1 to {NAME_MAX_LENGTH} printable characters.", code="name"
        )
    return name


def create_token(
    name: str, *, actor: audit.Actor = None, request: HttpRequest | None = None
) -> tuple[SwitchToken, str]:
    """A new token for the switch `name`: (the stored token, the token itself, shown once).

    ValidationError when the name is taken (by an active or a revoked token: names stay unique
    so the audit trail keeps meaning one switch).
    """
    name = clean_name(name)
    plaintext = TOKEN_PREFIX + secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            token = SwitchToken.objects.create(name=name, token_hash=hash_token(plaintext))
            audit.record(
                "switch_token.created",
                actor=actor,
                request=request,
                message=f"Switch token “{name}” created",
                token=name,
            )
    except IntegrityError as error:
        raise ValidationError(
            f"A switch token named {name!r} exists already.", code="name_taken"
        ) from error
    return token, plaintext


def revoke_token(
    token: SwitchToken, *, actor: audit.Actor = None, request: HttpRequest | None = None
) -> bool:
    """Refuse the token from now on; returns False when it was revoked already."""
    with transaction.atomic():
        revoked = SwitchToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if revoked:
            token.refresh_from_db(fields=["revoked_at"])
            audit.record(
                "switch_token.revoked",
                actor=actor,
                request=request,
                message=f"Switch token “{token.name}” revoked",
                token=token.name,
            )
            generations.bump(_GENERATION_KEY)
    return bool(revoked)


def check_token(token: str) -> CheckedToken | None:
    """The active token whose SHA-256 is that of `token`, or None. Notes when it was used."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    token_hash = hash_token(token)
    key = f"switch-api:token:{token_hash}"
    cached, generation = generations.get(key, _GENERATION_KEY)
    if cached is generations.MISSING:
        row = (
            SwitchToken.objects.filter(token_hash=token_hash, revoked_at__isnull=True)
            .values_list("pk", "name", "token_hash", "last_used_at")
            .first()
        )
        cached = CheckedToken(*row) if row else None
        generations.put(key, generation, cached)
    if cached is None or not hmac.compare_digest(cached.token_hash, token_hash):
        return None
    now = timezone.now()
    if cached.last_used_at is None or now - cached.last_used_at >= LAST_USED_PRECISION:
        _note_use(cached.pk, now)
        generations.put(
            key,
            generation,
            CheckedToken(cached.pk, cached.name, cached.token_hash, now),
        )
    return cached


def _note_use(pk: int, now: datetime) -> None:
    # Conditional, so that workers that all saw an old time write the row once between them.
    SwitchToken.objects.filter(pk=pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_PRECISION)
    ).update(last_used_at=now)
