"""The proxy's digest credentials (`subscriber`), kept in step with the accounts.

A SIP identity is <account ID>@SIP_DOMAIN with the account's SIP password. The proxy never
sees the password: it checks digests against HA1 = md5(user:realm:password) and, for phones
that send the user with the domain, HA1B = md5(user@domain:realm:password); the realm is the
domain.

An account has a row only while it may use SIP: active, with a SIP password. Every change of
the SIP password, of the status and of the account ID calls `sync_account` in the transaction
that makes the change, and deleting an account deletes its row in the delete's transaction
(`forget_deleted_account`), so the proxy never accepts a password the portal no longer
shows, nor a blocked or removed account. `rebuild` (manage.py sync_sip_credentials) brings the
whole table in line, after a SIP_DOMAIN change or to recover.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction

from accounts import bulk
from accounts.models import Account
from accounts.sip.models import SipSubscriber

ADDED, UPDATED, REMOVED, UNCHANGED, KEPT = "added", "updated", "removed", "unchanged", "kept"


def _md5(text: str) -> str:
    # MD5 because SIP digest authentication (RFC 2617) is defined with it; not our choice.
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def ha1(username: str, domain: str, password: str) -> str:
    return _md5(f"{username}:{domain}:{password}")


def ha1b(username: str, domain: str, password: str) -> str:
    return _md5(f"{username}@{domain}:{domain}:{password}")


def may_use_sip(account: Account) -> bool:
    """Whether the account's phones may register and call: active, with a SIP password."""
    return not account.is_blocked and bool(account.sip_password)


def _hashes(account: Account, domain: str) -> dict[str, str]:
    password = account.sip_password
    return {
        "password": "",
        "ha1": ha1(account.account_id, domain, password),
        "ha1b": ha1b(account.account_id, domain, password),
    }


def sync_account(account: Account, *, previous_account_id: str | None = None) -> str:
    """Make the account's `subscriber` row what its status and SIP password say; returns what
    was done (ADDED, UPDATED, REMOVED, UNCHANGED, or KEPT).

    Call it in the transaction that changes the SIP password, the status or the account ID
    (pass the ID it had as `previous_account_id`). A SIP password that cannot be decrypted
    (FIELD_ENCRYPTION_KEYS lost its key) cannot be hashed: the row is KEPT as it was, as the
    password itself is kept, unless the account is blocked.
    """
    with transaction.atomic():
        if previous_account_id and previous_account_id != account.account_id:
            forget(previous_account_id)
        return sync_accounts([account])[account.account_id]


def sync_accounts(accounts: Sequence[Account]) -> dict[str, str]:
    """sync_account for many accounts in a few statements (an import's new accounts);
    {account ID: what was done}."""
    domain = settings.SIP_DOMAIN
    done: dict[str, str] = {}
    with transaction.atomic():
        rows: dict[str, list[SipSubscriber]] = defaultdict(list)
        for ids in bulk.chunks([account.account_id for account in accounts]):
            for row in SipSubscriber.objects.select_for_update().filter(username__in=ids):
                rows[row.username].append(row)
        gone: list[int] = []
        added: list[SipSubscriber] = []
        for account in accounts:
            found = rows.get(account.account_id, [])
            current = next((row for row in found if row.domain == domain), None)
            stale = [row.pk for row in found if row is not current]
            if not account.is_blocked and account.sip_password_unreadable:
                done[account.account_id] = KEPT
            elif not may_use_sip(account):
                gone.extend(row.pk for row in found)
                done[account.account_id] = REMOVED if found else UNCHANGED
            else:
                gone.extend(stale)
                wanted = _hashes(account, domain)
                if current is None:
                    added.append(
                        SipSubscriber(username=account.account_id, domain=domain, **wanted)
                    )
                    done[account.account_id] = ADDED
                elif any(getattr(current, name) != value for name, value in wanted.items()):
                    SipSubscriber.objects.filter(pk=current.pk).update(**wanted)
                    done[account.account_id] = UPDATED
                else:
                    done[account.account_id] = UPDATED if stale else UNCHANGED
        for pks in bulk.chunks(gone):
            SipSubscriber.objects.filter(pk__in=pks).delete()
        SipSubscriber.objects.bulk_create(added, batch_size=bulk.ORM_BATCH_SIZE)
    return done


def forget(account_id: str) -> int:
    """Delete the SIP identity of this account ID (in every domain); how many rows went."""
    deleted, _by_model = SipSubscriber.objects.filter(username=account_id).delete()
    return deleted


def forget_deleted_account(sender: type[Account], instance: Account, **kwargs: Any) -> None:
    """post_delete of Account: however an account is deleted (the admin, a deleted user's
    cascade), its phones stop working in the same transaction."""
    forget(instance.account_id)


@dataclass
class RebuildReport:
    """What `rebuild` changed, by account ID (and, for removed rows, user@domain)."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


@transaction.atomic
def rebuild() -> RebuildReport:
    """Bring `subscriber` in line with all accounts under the current SIP_DOMAIN.

    Idempotent: a second run changes nothing. Rows of other domains, of unknown, blocked or
    passwordless accounts go. An account whose SIP password cannot be decrypted keeps its row
    if it is for the current domain (it still holds the right hashes), and is reported.
    """
    domain = settings.SIP_DOMAIN
    report = RebuildReport()
    rows = {(row.username, row.domain): row for row in SipSubscriber.objects.select_for_update()}
    keep: set[int] = set()
    accounts = Account.objects.only("account_id", "status", "sip_password").order_by("account_id")
    for account in accounts.iterator(chunk_size=500):
        current = rows.get((account.account_id, domain))
        if not account.is_blocked and account.sip_password_unreadable:
            report.unreadable.append(account.account_id)
            if current is not None:
                keep.add(current.pk)
            continue
        if not may_use_sip(account):
            continue
        wanted = _hashes(account, domain)
        if current is None:
            SipSubscriber.objects.create(username=account.account_id, domain=domain, **wanted)
            report.added.append(account.account_id)
            continue
        keep.add(current.pk)
        if any(getattr(current, name) != value for name, value in wanted.items()):
            SipSubscriber.objects.filter(pk=current.pk).update(**wanted)
            report.updated.append(account.account_id)
    gone = [row for row in rows.values() if row.pk not in keep]
    if gone:
        SipSubscriber.objects.filter(pk__in=[row.pk for row in gone]).delete()
        report.removed = sorted(str(row) for row in gone)
    return report
