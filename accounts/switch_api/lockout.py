"""Failure counters of the switch API: too many wrong access codes or PINs, then a pause.

A counter per key (a caller number, a mailbox) in Django's cache — Redis in production, so all
worker processes and app servers count together (`cache.incr` is atomic there). The window
starts at the first failure and is not extended by later ones: at `limit` failures within
`window`, the key is locked until the window ends. Attempts refused while locked are not
counted and check nothing, so a lockout costs no password hashing and says nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import cache


@dataclass(frozen=True)
class FailureCounter:
    name: str  # part of the cache keys: "conference-code", "voicemail-pin"
    limit: int
    window: timedelta

    def _key(self, key: str) -> str:
        # The key is what a switch sent: keep the cache key short and of safe characters.
        return f"switch-api:failures:{self.name}:{key.encode().hex()[:128]}"

    def is_locked(self, key: str) -> bool:
        return (cache.get(self._key(key)) or 0) >= self.limit

    def add_failure(self, key: str) -> int:
        """Count a failure; returns the failures within the window, this one included."""
        cache_key = self._key(key)
        cache.add(cache_key, 0, int(self.window.total_seconds()))
        try:
            return cache.incr(cache_key)
        except ValueError:  # expired between add and incr: this failure starts a new window
            cache.add(cache_key, 1, int(self.window.total_seconds()))
            return 1

    def clear(self, key: str) -> None:
        cache.delete(self._key(key))
