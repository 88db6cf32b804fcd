"""The one path by which money changes: every top-up, charge, adjustment and refund.

`change_balance` (and `change_balance_bulk` for imports) moves the balance and writes its ledger
entry in one transaction, under the account row's lock; views, the admin, commands and imports
all come here. Staff's hand-made changes are checked by `check_adjustment` first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, DecimalField, F, PositiveBigIntegerField, Value, When
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import audit, bulk, validators
from accounts.ledger.low_balance import track_low_balance
from accounts.models import MONEY, Account, BalanceEntry, CallRecord

# What staff may book by hand: call charges come only with their calls.
MANUAL_BALANCE_KINDS = (
    BalanceEntry.Kind.TOP_UP,
    BalanceEntry.Kind.ADJUSTMENT,
    BalanceEntry.Kind.REFUND,
)


@transaction.atomic
def change_balance(
    account: Account,
    amount: Decimal,
    kind: str,
    description: str = "",
    *,
    actor: audit.Actor = None,
    call: CallRecord | None = None,
    request: HttpRequest | None = None,
    at: datetime | None = None,
) -> BalanceEntry:
    """Add `amount` (negative for a charge) to the account's balance and write its ledger entry.

    `at` dates the entry (default: now), for a change that happened earlier, such as the demo
    account's history; entries must still be booked in the order they happened.

    The only function that changes money. The UPDATE … SET balance = balance + amount takes the
    row's write lock (PostgreSQL row lock; SQLite database lock) until the transaction ends, so
    concurrent changes queue up and each entry's `balance_after` is exact. The balance and the
    entry are written together or not at all.
    """
    amount = Decimal(amount).quantize(Decimal("0.01"))
    if kind not in BalanceEntry.Kind.values:
        raise ValueError(f"Unknown balance entry kind: {kind!r}")
    Account.objects.filter(pk=account.pk).update(
        balance=F("balance") + amount, ledger_entries=F("ledger_entries") + 1
    )
    # Read back under the lock the UPDATE took: these are the values after this change.
    balance_after, credit_limit, threshold, alert_sent = Account.objects.values_list(
        "balance", "credit_limit", "low_balance_threshold", "low_balance_alert_sent"
    ).get(pk=account.pk)
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
        created_at=at or timezone.now(),
    )
    account.balance = balance_after
    track_low_balance(
        account, amount, balance_after + credit_limit, threshold, alert_sent, actor=actor
    )
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


def check_adjustment(amount: Decimal, kind: str, reason: str) -> None:
    """Refuse a hand-made balance change that cannot be right (ValidationError per field)."""
    errors: dict[str, ValidationError] = {}
    if kind not in MANUAL_BALANCE_KINDS:
        errors["kind"] = ValidationError(
            _("Choose top-up, adjustment or refund."), code="invalid_kind"
        )
    if amount == 0:
        errors["amount"] = ValidationError(_("Enter an amount other than zero."), code="zero")
    elif (amount_error := _amount_error(amount)) is not None:
        errors["amount"] = amount_error
    elif amount < 0 and kind in (BalanceEntry.Kind.TOP_UP, BalanceEntry.Kind.REFUND):
        errors["amount"] = ValidationError(
            _(
                "A top-up or a refund adds money: enter a positive amount. To take money off, "
                "choose an adjustment."
            ),
            code="negative",
        )
    if not reason.strip():
        errors["reason"] = ValidationError(
            _("Give the reason for the change: it is kept in the ledger and the audit trail."),
            code="required",
        )
    if errors:
        raise ValidationError(errors)


def _amount_error(amount: Decimal) -> ValidationError | None:
    try:
        validators.validate_amount(amount)
    except ValidationError as error:
        return error
    return None


def adjust_balance(
    account: Account,
    amount: Decimal,
    kind: str,
    reason: str,
    *,
    actor: audit.Actor,
    request: HttpRequest | None = None,
) -> BalanceEntry:
    """A top-up, adjustment or refund made by staff or an operator, with its reason."""
    check_adjustment(amount, kind, reason)
    return change_balance(account, amount, kind, reason.strip(), actor=actor, request=request)


class LedgerLine(NamedTuple):
    account_id: int
    amount: Decimal
    kind: str
    description: str = ""
    call_id: int | None = None


@transaction.atomic
def change_balance_bulk(lines: Sequence[LedgerLine], *, actor: audit.Actor = None) -> list[int]:
    """change_balance for many entries at once (call charges of an import); returns their ids.

    The same ledger rules: each account's balance moves by the sum of its entries in one
    UPDATE (which takes the row lock, as in change_balance), every entry is written with the
    exact balance after it (entries of an account in the given order), and all of it commits
    together or not at all. The low-balance alert is checked once per account.
    """
    if not lines:
        return []
    # Checked once per batch, not per line: an import books a hundred thousand lines of one
    # kind, and reading an enum's members per line cost a tenth of the import's writer.
    unknown = {line.kind for line in lines}.difference(BalanceEntry.Kind.values)
    if unknown:
        raise ValueError(f"Unknown balance entry kind: {sorted(unknown)[0]!r}")
    lines = [line._replace(amount=Decimal(line.amount).quantize(validators.CENT)) for line in lines]
    totals: dict[int, Decimal] = defaultdict(Decimal)
    entries: dict[int, int] = defaultdict(int)
    for line in lines:
        totals[line.account_id] += line.amount
        entries[line.account_id] += 1
    Account.objects.filter(pk__in=totals).update(
        balance=F("balance")
        + Case(
            *(When(pk=pk, then=Value(total)) for pk, total in totals.items()),
            output_field=DecimalField(**MONEY),
        ),
        ledger_entries=F("ledger_entries")
        + Case(
            *(When(pk=pk, then=Value(count)) for pk, count in entries.items()),
            output_field=PositiveBigIntegerField(),
        ),
    )
    accounts = Account.objects.only(
        "account_id",
        "balance",
        "credit_limit",
        "low_balance_threshold",
        "low_balance_alert_sent",
    ).in_bulk(list(totals))
    running = {pk: accounts[pk].balance - total for pk, total in totals.items()}
    user, _kind, label = audit.describe_actor(actor)
    now = timezone.now()
    rows = []
    for line in lines:
        running[line.account_id] += line.amount
        rows.append(
            (
                line.account_id,
                line.amount,
                running[line.account_id],
                line.kind,
                line.description[:255],
                line.call_id,
                user.pk if user else None,
                label,
                now,
            )
        )
    ids = bulk.insert_rows(
        BalanceEntry,
        [
            "account_id",
            "amount",
            "balance_after",
            "kind",
            "description",
            "call_id",
            "created_by_id",
            "created_by_label",
            "created_at",
        ],
        rows,
    )
    # The event change_balance writes, for every entry but a call's charge.
    call_charge = BalanceEntry.Kind.CALL_CHARGE.value
    audit.record_all(
        [
            audit.unsaved(
                "balance.change",
                {
                    "amount": str(line.amount),
                    "entry_kind": line.kind,
                    "balance_after": str(row[2]),
                },
                account=accounts[line.account_id],
                actor=actor,
                message=line.description,
            )
            for line, row in zip(lines, rows, strict=True)
            if line.kind != call_charge
        ]
    )
    for pk, account in accounts.items():
        track_low_balance(
            account,
            totals[pk],
            account.balance + account.credit_limit,
            account.low_balance_threshold,
            account.low_balance_alert_sent,
            actor=actor,
        )
    return ids
