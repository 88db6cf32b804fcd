"""Business rules over the shared model that views, the admin and commands all call."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models import F

from accounts import audit
from accounts.models import Account, BalanceEntry, CallRecord


@transaction.atomic
def change_balance(
    account: Account,
    amount: Decimal,
    kind: str,
    description: str = "",
    *,
    actor: audit.Actor = None,
    call: CallRecord | None = None,
    request=None,
) -> BalanceEntry:
    """Add `amount` (negative for a charge) to the account's balance and write its ledger entry.

    The only function that changes money. The UPDATE … SET balance = balance + amount takes the
    row's write lock (PostgreSQL row lock; SQLite database lock) until the transaction ends, so
    concurrent changes queue up and each entry's `balance_after` is exact. The balance and the
    entry are written together or not at all.
    """
    amount = Decimal(amount).quantize(Decimal("0.01"))
    if kind not in BalanceEntry.Kind.values:
        raise ValueError(f"Unknown balance entry kind: {kind!r}")
    Account.objects.filter(pk=account.pk).update(balance=F("balance") + amount)
    balance_after = Account.objects.values_list("balance", flat=True).get(pk=account.pk)
    user, _kind, label = audit.describe_actor(actor)
    entry = BalanceEntry.objects.create(
        account=account,
        amount=amount,
        balance_after=balance_after,
        kind=kind,
        description=description[:255],
        call=call,
        created_by=user,
        created_by_label=label,
    )
    account.balance = balance_after
    if kind != BalanceEntry.Kind.CALL_CHARGE:
        # Call charges are many and already recorded in the ledger with their call.
        audit.record(
            "balance.change",
            account=account,
            actor=actor,
            request=request,
            message=description,
            amount=str(amount),
            entry_kind=kind,
            balance_after=str(balance_after),
        )
    return entry


def set_status(account: Account, status: str, *, actor: audit.Actor = None, request=None) -> None:
    """Block or unblock an account. A blocked account is signed out on its next request."""
    if status not in Account.Status.values:
        raise ValueError(f"Unknown account status: {status!r}")
    if account.status == status:
        return
    old = account.status
    account.status = status
    account.save(update_fields=["status", "updated_at"])
    audit.record(
        "account.status", account=account, actor=actor, request=request, old=old, new=status
    )
