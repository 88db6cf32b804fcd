from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from accounts.models import Account, BalanceEntry, CallRecord, User

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


def test_its_ledger_entries_are_dated_with_their_calls_and_add_up_in_that_order(settings):
    settings.DEBUG = True
    call_command("load_demo")
    account = Account.objects.get(account_id="telekonferencja_48223809888")
    entries = list(account.balance_entries.order_by("created_at", "id").select_related("call"))
    top_up, *charges = entries
    assert top_up.kind == BalanceEntry.Kind.TOP_UP
    first_call = CallRecord.objects.filter(account=account).order_by("started_at").first()
    assert first_call is not None and top_up.created_at < first_call.started_at
    assert charges and all(entry.call is not None for entry in charges)
    for entry in charges:
        assert entry.call is not None
        assert entry.created_at == entry.call.started_at + timedelta(seconds=entry.call.duration)
    # Booked in the order they happened: each balance_after follows from the one before.
    running = Decimal(0)
    for entry in entries:
        running += entry.amount
        assert entry.balance_after == running
    assert len({entry.created_at for entry in entries}) == len(entries)


def test_a_changed_password_is_reported_and_reset_brings_the_published_one_back(settings):
    settings.DEBUG = True
    call_command("load_demo")
    user = User.objects.get(username="telekonferencja_48223809888")
    user.set_password("Moje-Wlasne-Haslo-9")
    user.save()
    account = user.account
    account.company_name = "Zmieniona"
    account.save()

    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "password was changed" in out.getvalue() and "load_demo --reset" in out.getvalue()
    assert "Sign in with" not in out.getvalue()

    out = StringIO()
    call_command("load_demo", "--reset", stdout=out)
    assert "Sign in with login telekonferencja_48223809888 and password Demo-Konto-2026" in (
        out.getvalue()
    )
    account = Account.objects.get(account_id="telekonferencja_48223809888")
    assert account.company_name != "Zmieniona"
    assert account.user.check_password("Demo-Konto-2026")
    assert account.balance == account.balance_entries.aggregate(s=Sum("amount"))["s"]
    assert CallRecord.objects.filter(source="demo").count() == 36


def test_inbound_demo_calls_carry_the_callers_name_as_their_description(settings):
    settings.DEBUG = True
    call_command("load_demo")
    inbound = CallRecord.objects.filter(source="demo", direction="in")
    assert inbound.exclude(description="").exists()
    assert not CallRecord.objects.filter(source="demo", direction="out").exclude(description="")
