"""Values cached until their generation changes: what the switch API reads on every call.

A cached value is stored together with the generation it was computed under, next to a
generation key; one `get_many` of both gives the value and tells whether it is still good.
A change gives the generation key a new random value (`bump`), right away and again once the
transaction commits. So a reader that read the database just before a change committed, and
stores what it read just after, stores it under the old generation, which no one takes for
current: no lost invalidation, and no window in which a stale value is served.

The cache is Django's `default` one: Redis in production (CACHE_URL), shared by every worker
process, so a bump in one process is seen by all.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.core.cache import cache
from django.db import transaction

# A value lives this long without being read back (a generation key lives as long).
TIMEOUT = 24 * 60 * 60
# What get() gives for a value that is not cached (None is a value: "no such token").
MISSING: Any = object()


def get(key: str, generation_key: str) -> tuple[Any, str]:
    """(the cached value or MISSING, the current generation to store a fresh value under)."""
    found = cache.get_many([key, generation_key])
    generation = found.get(generation_key)
    if generation is None:
        generation = secrets.token_hex(8)
        # add, not set: two processes starting a generation at once agree on one.
        if not cache.add(generation_key, generation, TIMEOUT):
            generation = cache.get(generation_key) or generation
        return MISSING, generation
    stored = found.get(key)
    if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == generation:
        return stored[1], generation
    return MISSING, generation


def put(key: str, generation: str, value: Any) -> None:
    cache.set(key, (generation, value), TIMEOUT)


def bump(generation_key: str) -> None:
    """Make every value cached under `generation_key` stale: now, and after the commit."""

    def renew() -> None:
        cache.set(generation_key, secrets.token_hex(8), TIMEOUT)

    renew()
    transaction.on_commit(renew)
