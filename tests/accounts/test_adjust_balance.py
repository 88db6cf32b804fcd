from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import AuditEvent, BalanceEntry

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("adjust_balance", *args, stdout=out)
    return out.getvalue()


def test_it_explains_itself(capsys):
    with pytest.raises(SystemExit):
        call_command("adjust_balance", "--help")
    help_text = capsys.readouterr().out
    assert "LOGIN AMOUNT" in help_text and "--reason" in help_text
    assert "{top-up,adjustment,refund}" in help_text


def test_an_operator_tops_up_an_account_through_the_ledger(alice):
    out = run(alice.user.username, "50.00", "--reason", "Przelew 2026-11-24")
    assert (
        "Booked top-up of +50.00 PLN for telekonferencja_48223809888: balance 0.00 → 50.00 PLN."
        in out
    )
    alice.refresh_from_db()
    assert alice.balance == Decimal("50.00")
    entry = BalanceEntry.objects.get()
    assert (entry.kind, entry.description) == (BalanceEntry.Kind.TOP_UP, "Przelew 2026-11-24")
    assert entry.created_by_label == "manage.py adjust_balance"
    event = AuditEvent.objects.get(kind="balance.change")
    assert event.actor_label == "manage.py adjust_balance"
    assert event.actor_kind == AuditEvent.ActorKind.OPERATOR
    assert event.account == alice


def test_an_adjustment_may_take_money_off_and_the_account_id_works_too(alice):
    alice.account_id = "ID-0001"
    alice.save()
    run("ID-0001", "-12.50", "--reason", "Korekta", "--kind", "adjustment")
    alice.refresh_from_db()
    assert alice.balance == Decimal("-12.50")
    assert BalanceEntry.objects.get().kind == BalanceEntry.Kind.ADJUSTMENT


def test_a_refund_is_booked_as_a_refund(alice):
    run(alice.user.username, "3", "--reason", "Zwrot za awarię", "--kind", "refund")
    assert BalanceEntry.objects.get().kind == BalanceEntry.Kind.REFUND


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nobody", "5", "--reason", "x"], "No account has the login or account ID 'nobody'"),
        (["{login}", "-5", "--reason", "x"], "A top-up or a refund adds money"),
        (["{login}", "0", "--reason", "x"], "Enter an amount other than zero"),
        (["{login}", "5", "--reason", "  "], "Give the reason for the change"),
        (["{login}", "pięć", "--reason", "x"], "AMOUNT 'pięć': Enter an amount such as 125.50"),
        (["{login}", "5.001", "--reason", "x"], "at most two decimal places"),
        (["{login}", "1e999", "--reason", "x"], "AMOUNT '1e999': Enter an amount below one"),
        (["{login}", "1e30", "--reason", "x"], "AMOUNT '1e30': Enter an amount below one"),
        (["{login}", "Infinity", "--reason", "x"], "AMOUNT 'Infinity': Enter an amount such"),
    ],
)
def test_wrong_input_is_refused_in_english_and_nothing_is_booked(alice, args, message):
    args = [arg.format(login=alice.user.username) for arg in args]
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not BalanceEntry.objects.exists()


def test_a_dry_run_books_nothing(alice):
    out = run(alice.user.username, "50", "--reason", "Próba", "--dry-run")
    assert "Would book top-up of +50.00 PLN" in out and "Dry run" in out
    assert not BalanceEntry.objects.exists()
    alice.refresh_from_db()
    assert alice.balance == Decimal("0.00")
