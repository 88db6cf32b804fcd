from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection
from django.db.models import Sum

from accounts.ledger.services import LedgerLine, change_balance, change_balance_bulk
from accounts.models import Account, AuditEvent, BalanceEntry
from tests import factories
from tests.concurrency import run_concurrently


@pytest.mark.django_db
def test_a_change_moves_the_balance_and_writes_its_entry(alice, staff):
    entry = change_balance(alice, Decimal("25.50"), "top_up", "Przelew", actor=staff)
    alice.refresh_from_db()
    assert alice.balance == Decimal("25.50")
    assert entry.balance_after == Decimal("25.50")
    assert entry.created_by == staff and entry.created_by_label == staff.username
    event = AuditEvent.objects.get(kind="balance.change")
    assert event.account == alice and event.actor_kind == "staff"


@pytest.mark.django_db
def test_a_bulk_change_is_audited_as_each_change_alone_would_be(alice, bob, staff):
    change_balance(alice, Decimal("10"), "top_up", "Przelew", actor=staff)
    change_balance_bulk(
        [
            LedgerLine(bob.pk, Decimal("10"), "top_up", "Przelew"),
            LedgerLine(bob.pk, Decimal("-0.12"), "call_charge", "+48501234567"),
            LedgerLine(bob.pk, Decimal("-2.5"), "adjustment", "Korekta"),
        ],
        actor=staff,
    )
    events = AuditEvent.objects.order_by("id")
    assert {(e.kind, e.actor, e.actor_kind, e.actor_label) for e in events} == {
        ("balance.change", staff, "staff", staff.username)
    }
    assert [(event.account, event.message, event.data) for event in events] == [
        (alice, "Przelew", {"amount": "10.00", "entry_kind": "top_up", "balance_after": "10.00"}),
        (bob, "Przelew", {"amount": "10.00", "entry_kind": "top_up", "balance_after": "10.00"}),
        # The call's charge is in the ledger with its call; the adjustment follows it.
        (bob, "Korekta", {"amount": "-2.50", "entry_kind": "adjustment", "balance_after": "7.38"}),
    ]


@pytest.mark.django_db
def test_the_balance_is_always_the_sum_of_its_entries(alice):
    for amount in ["10", "-3.33", "0.01", "-20"]:
        change_balance(alice, Decimal(amount), "adjustment", "")
    alice.refresh_from_db()
    total = alice.balance_entries.aggregate(total=Sum("amount"))["total"]
    assert alice.balance == total == Decimal("-13.32")


@pytest.mark.django_db
def test_an_unknown_kind_changes_nothing(alice):
    with pytest.raises(ValueError):
        change_balance(alice, Decimal("5"), "gift")
    with pytest.raises(ValueError):
        change_balance_bulk([LedgerLine(alice.pk, Decimal("5"), "gift")])
    alice.refresh_from_db()
    assert alice.balance == 0 and not alice.balance_entries.exists()
    assert alice.ledger_entries == 0


@pytest.mark.django_db
def test_the_accounts_count_of_entries_moves_with_them(alice, bob):
    """Historia salda pages by Account.ledger_entries rather than counting: every way money
    changes keeps it equal to the entries' count, one account's and the other's apart."""
    change_balance(alice, Decimal("10"), "top_up", "")
    change_balance(alice, Decimal("-1"), "adjustment", "")
    call = factories.make_call(bob)
    change_balance_bulk(
        [
            LedgerLine(bob.pk, Decimal("-0.12"), "call_charge", "+48501234567", call.pk),
            LedgerLine(alice.pk, Decimal("-0.50"), "adjustment"),
            LedgerLine(bob.pk, Decimal("3"), "top_up"),
        ]
    )
    for account, entries in ((alice, 3), (bob, 2)):
        account.refresh_from_db()
        assert account.ledger_entries == account.balance_entries.count() == entries


@pytest.mark.django_db
def test_a_call_is_charged_only_once(alice):
    call = factories.make_call(alice)
    change_balance(alice, Decimal("-0.12"), "call_charge", call=call)
    with pytest.raises(IntegrityError):
        change_balance(alice, Decimal("-0.12"), "call_charge", call=call)


@pytest.mark.django_db(transaction=True)
def test_concurrent_changes_lose_nothing_on_postgresql(alice):
    if connection.vendor != "postgresql":
        pytest.skip("row locks between real connections are a PostgreSQL matter")
    threads, per_thread = 8, 10

    def top_up(account):
        for _ in range(per_thread):
            change_balance(account, Decimal("1.00"), "top_up", "równolegle")

    # Each thread has its own copy of the account, as each worker process would.
    run_concurrently(top_up, [Account.objects.get(pk=alice.pk) for _ in range(threads)])

    alice.refresh_from_db()
    assert alice.balance == Decimal(threads * per_thread)
    assert alice.ledger_entries == threads * per_thread
    afters = sorted(
        BalanceEntry.objects.filter(account=alice).values_list("balance_after", flat=True)
    )
    assert afters == [Decimal(n) for n in range(1, threads * per_thread + 1)]
