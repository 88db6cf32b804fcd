from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from accounts.models import Account, BalanceEntry, CallRecord

pytestmark = pytest.mark.django_db


def test_it_creates_the_demo_account_once(settings, client):
    settings.DEBUG = True
    call_command("load_demo")
    counts = (CallRecord.objects.count(), BalanceEntry.objects.count())
    call_command("load_demo")
    assert (CallRecord.objects.count(), BalanceEntry.objects.count()) == counts
    account = Account.objects.get(account_id="telekonferencja_48223809888")
    assert counts[0] >= 24
    assert account.hunt_groups.exists()
    # Its number, so the sample Master.csv imports with directions told by it.
    assert list(account.numbers.values_list("number", flat=True)) == ["48223809888"]
    assert account.balance == account.balance_entries.aggregate(s=Sum("amount"))["s"]
    response = client.post(
        "/login/", {"username": "telekonferencja_48223809888", "password": "Demo-Konto-2026"}
    )
    assert response["Location"] == "/"


def test_it_refuses_to_run_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo")
    assert not Account.objects.exists()
