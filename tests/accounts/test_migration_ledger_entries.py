"""Migration 0015 counts the ledger entries already written into Account.ledger_entries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("accounts", "0014_records_search_indexes")]
AFTER = [("accounts", "0015_ledger_entries_count")]


@pytest.mark.django_db(transaction=True)
def test_the_entries_already_written_are_counted():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    try:
        User = old.get_model("accounts", "User")
        Account = old.get_model("accounts", "Account")
        BalanceEntry = old.get_model("accounts", "BalanceEntry")
        counts = {"with_three": 3, "with_one": 1, "with_none": 0}
        for login, entries in counts.items():
            account = Account.objects.create(
                user=User.objects.create(username=login), account_id=login
            )
            for n in range(entries):
                BalanceEntry.objects.create(
                    account=account, amount=Decimal(1), balance_after=Decimal(n + 1), kind="top_up"
                )
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    found = dict(
        new.get_model("accounts", "Account").objects.values_list("account_id", "ledger_entries")
    )
    assert found == counts
