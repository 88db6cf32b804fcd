from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django.db import DatabaseError, connection, transaction

from accounts.ledger.services import change_balance
from accounts.models import Account, AuditEvent
from tests.concurrency import run_concurrently

pytestmark = pytest.mark.django_db


@pytest.fixture
def watched(alice):
    """alice with 30,00 PLN, 10,00 PLN of credit and an alert below 20,00 PLN of funds."""
    alice.credit_limit = Decimal("10.00")
    alice.low_balance_threshold = Decimal("20.00")
    alice.save()
    change_balance(alice, Decimal("30.00"), "top_up", "start")
    return alice


def _charge(account: Account, amount: str, capture) -> None:
    with capture(execute=True):
        change_balance(account, Decimal(amount), "call_charge", "")


def _flag(account: Account) -> bool:
    return Account.objects.values_list("low_balance_alert_sent", flat=True).get(pk=account.pk)


def test_a_charge_taking_funds_below_the_threshold_sends_one_email_in_polish(
    watched, mailoutbox, django_capture_on_commit_callbacks
):
    _charge(watched, "-15.00", django_capture_on_commit_callbacks)  # funds 40 → 25: above
    assert mailoutbox == []
    _charge(watched, "-6.00", django_capture_on_commit_callbacks)  # funds 25 → 19: below
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [watched.user.email]
    assert message.subject == "Niskie saldo na koncie telekonferencja_48223809888"
    assert "spadły poniżej ustawionego progu powiadomienia (20,00 PLN)" in message.body
    assert "Dostępne środki: 19,00 PLN" in message.body
    html, _mime = message.alternatives[0]
    assert "19,00 PLN" in html
    assert _flag(watched)


def test_further_charges_below_the_threshold_send_nothing_more(
    watched, mailoutbox, django_capture_on_commit_callbacks
):
    for _ in range(4):
        _charge(watched, "-8.00", django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1


def test_rising_above_the_threshold_rearms_the_alert(
    watched, mailoutbox, django_capture_on_commit_callbacks
):
    _charge(watched, "-25.00", django_capture_on_commit_callbacks)  # funds 15
    with django_capture_on_commit_callbacks(execute=True):
        change_balance(watched, Decimal("5.00"), "top_up", "")  # funds 20: not above
    assert _flag(watched)
    _charge(watched, "-1.00", django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        change_balance(watched, Decimal("50.00"), "top_up", "")  # funds 69
    assert not _flag(watched)
    _charge(watched, "-60.00", django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 2


def test_the_credit_limit_counts_as_available_funds(
    alice, mailoutbox, django_capture_on_commit_callbacks
):
    alice.credit_limit = Decimal("50.00")
    alice.low_balance_threshold = Decimal("20.00")
    alice.save()
    _charge(alice, "-25.00", django_capture_on_commit_callbacks)  # balance -25, funds 25
    assert mailoutbox == []
    _charge(alice, "-10.00", django_capture_on_commit_callbacks)  # funds 15
    assert len(mailoutbox) == 1


def test_without_a_threshold_no_email_is_sent(
    alice, mailoutbox, django_capture_on_commit_callbacks
):
    _charge(alice, "-100.00", django_capture_on_commit_callbacks)
    assert mailoutbox == [] and not _flag(alice)


def test_the_email_speaks_the_customers_language(
    watched, mailoutbox, django_capture_on_commit_callbacks
):
    watched.language = "en"
    watched.save()
    _charge(watched, "-25.00", django_capture_on_commit_callbacks)
    assert mailoutbox[0].subject == "Low balance on your account telekonferencja_48223809888"
    assert "Available funds: 15.00 PLN" in mailoutbox[0].body


def test_the_email_waits_for_the_charge_to_commit(watched, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        change_balance(watched, Decimal("-25.00"), "call_charge", "")
        assert mail.outbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 1


def test_a_rolled_back_charge_neither_alerts_nor_keeps_the_flag(
    watched, mailoutbox, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        change_balance(watched, Decimal("-25.00"), "call_charge", "")
        raise RuntimeError("the import failed")
    assert mailoutbox == [] and not _flag(watched)
    watched.refresh_from_db()
    assert watched.balance == Decimal("30.00")


def test_a_stale_copy_of_the_account_cannot_send_a_second_email(
    watched, mailoutbox, django_capture_on_commit_callbacks
):
    first = Account.objects.get(pk=watched.pk)
    second = Account.objects.get(pk=watched.pk)
    _charge(first, "-25.00", django_capture_on_commit_callbacks)
    _charge(second, "-1.00", django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1


def test_the_alert_is_recorded_in_the_audit_trail(watched, django_capture_on_commit_callbacks):
    _charge(watched, "-25.00", django_capture_on_commit_callbacks)
    event = AuditEvent.objects.get(kind="balance.low_alert")
    assert event.account == watched
    assert event.data == {"funds": "15.00", "threshold": "20.00"}


def test_an_alert_that_cannot_be_queued_is_released_for_the_next_charge(
    watched, mailoutbox, monkeypatch, django_capture_on_commit_callbacks
):
    # The mail server's failures are the queue's to retry; only a queue that cannot take the
    # e-mail at all leaves the customer without it.
    def unavailable(message):
        raise DatabaseError("the task queue is unavailable")

    with monkeypatch.context() as patched:
        patched.setattr("accounts.mail.queue", unavailable)
        _charge(watched, "-25.00", django_capture_on_commit_callbacks)
    watched.refresh_from_db()
    assert watched.balance == Decimal("5.00")  # the charge itself stands
    assert not _flag(watched)
    _charge(watched, "-1.00", django_capture_on_commit_callbacks)
    assert len(mailoutbox) == 1


def test_an_account_without_an_email_address_is_skipped_quietly(
    watched, mailoutbox, django_capture_on_commit_callbacks
):
    watched.user.email = ""
    watched.user.save()
    _charge(watched, "-25.00", django_capture_on_commit_callbacks)
    assert mailoutbox == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_charges_send_exactly_one_email_on_postgresql(alice, mailoutbox):
    if connection.vendor != "postgresql":
        pytest.skip("row locks between real connections are a PostgreSQL matter")
    alice.low_balance_threshold = Decimal("50.00")
    alice.save()
    change_balance(alice, Decimal("60.00"), "top_up", "")
    # Eight charges at once, each on its own copy of the account, as each worker process has.
    run_concurrently(
        lambda account: change_balance(account, Decimal("-5.00"), "call_charge", ""),
        [Account.objects.get(pk=alice.pk) for _ in range(8)],
    )
    assert len(mailoutbox) == 1
    alice.refresh_from_db()
    assert alice.balance == Decimal("20.00") and alice.low_balance_alert_sent
