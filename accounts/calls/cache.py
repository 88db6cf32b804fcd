"""What the call pages keep in the cache between requests, and when it goes stale.

Counting a million calls for "X połączeń" (a scan of the whole index) and grouping a month of
them for the Pulpit's usage chart cost more than the rest of those pages together, and the
answers change only when the account's calls do. So they are cached under the account's
`calls_version`, which every write of calls raises in the same transaction: the importer
(which the command, the switch's records and the proxy's all use) and any call saved one by
one (through a signal). The next page reads the new version with the account (one query with
the user, as on every page) and so never sees an answer about calls it no longer has. A
deleted account takes its calls and its version along; nothing deletes single calls.
The version lives in the database rather
than in the cache so that a command run in another process, with a per-process cache in
development, still makes every server process count afresh.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation

from accounts.models import Account, CallRecord

T = TypeVar("T")

# Stale entries are never read again (a new version means new keys); this lets them go.
TIMEOUT = 24 * 60 * 60


def note_calls_changed(account_pks: Iterable[int]) -> None:
    """Raise the accounts' calls_version; call inside the transaction that writes the calls.

    The rows are locked in primary-key order first, as every bulk writer of accounts must, so
    two imports of overlapping accounts queue rather than deadlock.
    """
    pks = sorted(set(account_pks))
    if not pks:
        return
    with transaction.atomic():
        locked = Account.objects.select_for_update().filter(pk__in=pks).order_by("pk")
        list(locked.values_list("pk"))
        Account.objects.filter(pk__in=pks).update(calls_version=F("calls_version") + 1)


def call_saved(sender: type[CallRecord], instance: CallRecord, **kwargs: object) -> None:
    """post_save of one CallRecord (accounts.apps)."""
    note_calls_changed([instance.account_id])


def calls_state(account: Account) -> str:
    """The account's calls as they are now, for cache keys: its version, and the moment its
    user was made, because SQLite may give a re-created account (load_demo --reset) the
    primary key of the one it replaced, with its version starting over."""
    joined = int(account.user.date_joined.timestamp() * 1_000_000)
    return f"{account.pk}:{joined}:{account.calls_version}"


def rendering_key(account: Account) -> str:
    """What a rendering of the account's calls depends on: the calls, the zone and the day their
    times are shown in, the currency of their charges and the language. The Pulpit keeps its
    recent calls and its usage chart rendered under this (template fragment cache), so
    unchanged calls are rendered once a day."""
    today = timezone.localdate(timezone=account.zone).isoformat()
    language = translation.get_language()
    return f"{calls_state(account)}:{account.time_zone}:{today}:{account.currency}:{language}"


def remembered(account: Account, what: str, compute: Callable[[], T]) -> T:
    """`compute()` for the account's calls as they are now, from the cache while they stay so.

    `what` names the answer exactly (everything the question depends on besides the calls:
    its filters, the zone its days are read in), so two different questions never share an
    entry.
    """
    key = cache_key(account, what)
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, TIMEOUT)
    return found


def cache_key(account: Account, what: str) -> str:
    """The key of an answer about the account's calls as they are now; `what` names it exactly
    and may hold any text (it is hashed: keys stay short and valid for every cache backend)."""
    digest = hashlib.blake2b(what.encode(), digest_size=16).hexdigest()
    return f"calls:{calls_state(account)}:{digest}"
