"""manage.py sync_switch_calls: the SIP proxy's call records (Kamailio's acc_cdrs and
missed_calls, written as the proxy writes them) into the accounts' call history."""

from __future__ import annotations

import io
import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from accounts.calls import switch_sync
from accounts.models import Account, AuditEvent, BalanceEntry, CallRecord
from accounts.sip.models import SipCdr, SipMissedCall
from tests import factories
from tests.concurrency import run_concurrently

pytestmark = pytest.mark.django_db

AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
ALICE_NUMBER = "48223809888"
BOB_NUMBER = "48223809889"
_callids = itertools.count(1)
postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="advisory locks are PostgreSQL's"
)


def account_id(account: Account | None) -> str:
    return account.account_id if account else ""


def answered_call(
    caller: Account | None,
    callee: Account | None,
    *,
    seconds: float = 12.2,
    callid: str = "",
    src_user: str = ALICE_NUMBER,
    dst_user: str = BOB_NUMBER,
    at: datetime = AT,
    **fields,
) -> SipCdr:
    """A row of acc_cdrs as the proxy's CDR engine writes it when an answered call ends."""
    values = {
        "start_time": at,
        "end_time": at + timedelta(seconds=seconds),
        "duration": seconds,
        "callid": callid or f"{next(_callids)}-5e1f@192.0.2.10",
        "src_user": src_user,
        "dst_user": dst_user,
        "src_account": account_id(caller),
        "dst_account": account_id(callee),
    }
    return SipCdr.objects.create(**{**values, **fields})


def missed_call(
    caller: Account | None,
    callee: Account | None,
    sip_code: str,
    sip_reason: str = "",
    *,
    callid: str = "",
    method: str = "INVITE",
    at: datetime = AT,
) -> SipMissedCall:
    """A row of missed_calls as acc writes it for a failed INVITE."""
    return SipMissedCall.objects.create(
        method=method,
        from_tag="a8f3c1",
        to_tag="" if sip_code in ("407", "408") else "b77d02",
        callid=callid or f"{next(_callids)}-5e1f@192.0.2.10",
        sip_code=sip_code,
        sip_reason=sip_reason,
        time=at,
        src_user=ALICE_NUMBER,
        dst_user=BOB_NUMBER,
        src_account=account_id(caller),
        dst_account=account_id(callee),
    )


def sync(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("sync_switch_calls", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def sync_failing(*args: str, match: str | None = None) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match=match) as raised:
        call_command("sync_switch_calls", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue() + str(raised.value)


@pytest.fixture
def rate(settings):
    settings.SWITCH_CALL_RATE = "0.60"
    settings.SWITCH_CALL_INCREMENT = "1/1"


def test_it_explains_itself(capsys):
    with pytest.raises(SystemExit):
        call_command("sync_switch_calls", "--help")
    help_text = capsys.readouterr().out
    assert "* * * * *" in help_text and "manage.py sync_switch_calls" in help_text
    assert "--queue" in help_text and "SWITCH_CALL_RATE" in help_text


def test_a_call_between_two_accounts_is_in_both_histories_with_its_duration(alice, bob):
    answered_call(alice, bob, seconds=12.2, callid="a84b4c76e66710@192.0.2.10")
    out, err = sync()
    assert "Imported 2 calls; 0 already present; 0 rejected." in out
    assert err == ""
    outgoing = CallRecord.objects.get(account=alice)
    incoming = CallRecord.objects.get(account=bob)
    assert (outgoing.direction, incoming.direction) == ("out", "in")
    for call in (outgoing, incoming):
        assert call.source == "kamailio"
        assert call.source_id.startswith("a84b4c76e66710@192.0.2.10#c")
        assert (call.caller, call.callee) == (ALICE_NUMBER, BOB_NUMBER)
        assert call.started_at == call.answered_at == AT
        assert call.disposition == "answered"
        assert call.duration == call.billed_seconds == 13  # 12.2 s: 13 started seconds


def test_both_customers_see_the_call_in_spis_polaczen(client, alice, bob):
    answered_call(alice, bob, seconds=42)
    sync()
    for account in (alice, bob):
        client.force_login(account.user)
        page = client.get("/calls/").content.decode()
        assert BOB_NUMBER in page and "0:00:42" in page
        assert ("Wychodzące" if account == alice else "Przychodzące").lower() in page.lower()


def test_answered_outbound_calls_are_charged_through_the_ledger_and_inbound_are_not(
    rate, alice, bob
):
    answered_call(alice, bob, seconds=12.2)
    answered_call(None, alice, seconds=600, src_user="48601234567", dst_user=ALICE_NUMBER)
    out, _err = sync()
    assert "Charged 0.13 for 1 call of 1 account." in out  # 13 s at 0.60 per minute
    entry = BalanceEntry.objects.get()
    assert (entry.account, entry.kind, entry.amount) == (alice, "call_charge", Decimal("-0.13"))
    assert entry.call == CallRecord.objects.get(account=alice, direction="out")
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert (alice.balance, bob.balance) == (Decimal("-0.13"), Decimal("0.00"))
    assert CallRecord.objects.get(account=bob).charge == Decimal("0.00")
    assert CallRecord.objects.get(account=alice, direction="in").charge == Decimal("0.00")


def test_the_increment_of_the_setting_rounds_the_billed_time(settings, alice):
    settings.SWITCH_CALL_RATE = "0.60"
    settings.SWITCH_CALL_INCREMENT = "60/60"
    answered_call(alice, None, seconds=61, dst_user="48601234567")
    sync()
    assert CallRecord.objects.get().charge == Decimal("1.20")  # two started minutes


def test_running_it_again_adds_nothing_and_charges_nothing(rate, alice, bob):
    answered_call(alice, bob)
    missed_call(alice, bob, "486", "Busy Here")
    sync()
    calls, entries = CallRecord.objects.count(), BalanceEntry.objects.count()
    alice.refresh_from_db()
    balance = alice.balance
    out, _err = sync()
    assert "Imported 0 calls; 4 already present; 0 rejected." in out  # read again: overlap
    # Without the watermark (the audit trail cleared), the tables are read whole: still nothing.
    AuditEvent.objects.filter(kind="calls.switch_sync").delete()
    out, _err = sync()
    assert "Imported 0 calls; 4 already present" in out
    assert (CallRecord.objects.count(), BalanceEntry.objects.count()) == (calls, entries)
    alice.refresh_from_db()
    assert alice.balance == balance


@pytest.mark.parametrize(
    ("sip_code", "sip_reason", "disposition"),
    [
        ("486", "Busy Here", "busy"),
        ("600", "Busy Everywhere", "busy"),
        ("480", "Temporarily Unavailable", "no_answer"),
        ("408", "Request Timeout", "no_answer"),
        ("487", "Request Terminated", "no_answer"),
        ("603", "Decline", "failed"),
        ("404", "Not Found", "failed"),
        ("503", "Service Unavailable", "failed"),
    ],
)
def test_missed_and_declined_calls_get_their_result_from_the_sip_code(
    rate, alice, bob, sip_code, sip_reason, disposition
):
    missed_call(alice, bob, sip_code, sip_reason)
    sync()
    for account, direction in ((alice, "out"), (bob, "in")):
        call = CallRecord.objects.get(account=account)
        assert (call.direction, call.disposition) == (direction, disposition)
        assert call.started_at == AT and call.answered_at is None
        assert (call.duration, call.charge) == (0, Decimal("0.00"))
    assert not BalanceEntry.objects.exists()


def test_the_reason_phrase_of_the_callees_side_is_not_kept(alice, bob):
    missed_call(alice, bob, "603", "Rejected by rule: Była żona")
    sync()
    assert not CallRecord.objects.exclude(description="").exists()


def test_a_call_to_ones_own_number_is_one_internal_leg(alice):
    answered_call(alice, alice, dst_user=ALICE_NUMBER)
    sync()
    call = CallRecord.objects.get()
    assert (call.account, call.direction, call.charge) == (alice, "internal", Decimal("0.00"))


def test_a_failed_branch_and_the_answered_call_are_one_call_in_the_history(alice, bob):
    missed_call(None, bob, "480", callid="fork-1@192.0.2.10")
    answered_call(None, bob, callid="fork-1@192.0.2.10", src_user="48601234567")
    sync()
    assert CallRecord.objects.filter(account=bob).count() == 2  # both legs kept
    shown = CallRecord.objects.filter(account=bob).one_per_call().get()
    assert shown.disposition == "answered"


def test_challenges_other_requests_and_calls_of_no_account_are_skipped(alice):
    missed_call(alice, None, "407", "Proxy Authentication Required")
    missed_call(alice, None, "404", method="MESSAGE")
    answered_call(None, None, src_user="48601234567", dst_user="48601234568")
    out, _err = sync()
    assert "Imported 0 calls" in out
    assert "Skipped 3 records of no account's call" in out
    assert not CallRecord.objects.exists()


def test_a_record_that_cannot_be_imported_is_named_by_table_and_id(alice, bob):
    unknown = answered_call(alice, None, dst_account="telekonferencja_usuniete")
    broken = missed_call(alice, bob, "2x")
    _out, err = sync_failing(match="2 records rejected")
    assert f"acc_cdrs id {unknown.id}: unknown account 'telekonferencja_usuniete'" in err
    assert f"missed_calls id {broken.id}, sip_code: '2x' is not the code of a failed call" in err
    # The caller's leg of the call to a removed account is kept.
    assert CallRecord.objects.get().account == alice
    # Reported once: the next run starts after them.
    out, err = sync()
    assert "0 rejected" in out and err == ""


def test_times_written_by_the_proxy_are_utc(alice):
    with connection.cursor() as cursor:
        # As Kamailio's db_postgres writes: `timestamp without time zone`, the proxy on UTC.
        cursor.execute(
            "INSERT INTO acc_cdrs (start_time, end_time, duration, callid, src_user, dst_user, "
            "src_account, dst_account) VALUES ('2026-07-01 12:00:00', '2026-07-01 12:00:05', "
            "5.0, 'raw-1@192.0.2.10', %s, '48601234567', %s, '')",
            [ALICE_NUMBER, alice.account_id],
        )
    sync()
    call = CallRecord.objects.get()
    assert call.started_at == datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    assert call.duration == 5  # a REAL 5.0 is five seconds, not six


def test_each_run_starts_where_the_last_one_stopped(monkeypatch, alice, bob):
    first = answered_call(alice, bob)
    sync()
    event = AuditEvent.objects.get(kind="calls.switch_sync")
    assert event.data["acc_cdrs"] == first.id and event.data["imported"] == 2
    assert event.actor_label == "manage.py sync_switch_calls"
    # Rows below the watermark (past the overlap) are not read again.
    monkeypatch.setattr(switch_sync, "OVERLAP_ROWS", 0)
    CallRecord.objects.all().delete()
    second = answered_call(alice, None, dst_user="48601234567")
    out, _err = sync()
    assert "Imported 1 call; 0 already present" in out
    assert list(CallRecord.objects.values_list("source_id", flat=True)) == [
        f"{second.callid}#c{second.id}-out"
    ]
    assert f"Read up to acc_cdrs id {second.id}" in out
    # A run that read nothing new leaves no event.
    sync()
    assert AuditEvent.objects.filter(kind="calls.switch_sync").count() == 2


def test_a_row_committed_late_below_the_watermark_is_still_imported(alice):
    answered_call(alice, None, id=101, dst_user="48601234567")
    answered_call(alice, None, id=103, dst_user="48601234567")
    sync()
    # Id 102 was taken first by another proxy process, and committed after 103 was read.
    answered_call(alice, None, id=102, dst_user="48601234567")
    out, _err = sync()
    assert "Imported 1 call" in out
    assert CallRecord.objects.count() == 3


def test_a_proxy_table_started_again_is_read_from_the_start(alice):
    AuditEvent.objects.create(
        kind="calls.switch_sync", actor_label="x", data={"acc_cdrs": 90000, "missed_calls": 0}
    )
    answered_call(alice, None, dst_user="48601234567")
    out, _err = sync()
    assert "Imported 1 call" in out


def test_an_impossible_rate_setting_is_explained(settings):
    settings.SWITCH_CALL_RATE = "dużo"
    sync_failing(match="SWITCH_CALL_RATE='dużo'")


@postgresql_only
def test_a_run_while_another_is_working_does_nothing(alice, bob):
    answered_call(alice, bob)
    other = psycopg.connect(**_connection_parameters(), autocommit=True)
    try:
        other.execute("SELECT pg_advisory_lock(%s)", [switch_sync.SYNC_LOCK])
        out, _err = sync()
        assert "Another sync_switch_calls is running; this one did nothing." in out
        assert not CallRecord.objects.exists()
        # Released by the other session itself: closing it would release the lock only once
        # the server has ended that session, which may come after the next run has looked.
        other.execute("SELECT pg_advisory_unlock(%s)", [switch_sync.SYNC_LOCK])
    finally:
        other.close()
    sync()
    assert CallRecord.objects.count() == 2


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_runs_at_the_same_moment_import_each_call_once(rate):
    alice = factories.make_account("telekonferencja_48223809888")
    bob = factories.make_account("telekonferencja_48223809889")
    for _ in range(50):
        answered_call(alice, bob)

    def run(_index: int) -> bool:
        return switch_sync.sync_switch_calls().ran

    ran = run_concurrently(run, range(4))
    assert any(ran)
    assert CallRecord.objects.count() == 100
    assert BalanceEntry.objects.count() == 50
    alice.refresh_from_db()
    assert alice.balance == Decimal("-6.50")  # 50 × 13 s at 0.60 per minute


def _connection_parameters() -> dict[str, object]:
    settings = connection.settings_dict
    return {
        "dbname": settings["NAME"],
        "user": settings["USER"],
        "password": settings["PASSWORD"],
        "host": settings["HOST"],
        "port": settings["PORT"] or 5432,
    }


# --- On the task worker ----------------------------------------------------------------------


def waiting() -> list[DBTaskResult]:
    return list(
        DBTaskResult.objects.filter(
            task_path=switch_sync.sync_switch_calls_task.module_path,
            status=TaskResultStatus.READY,
        )
    )


def test_queue_starts_one_chain_on_the_task_worker(task_queue, settings, alice, bob):
    settings.SWITCH_CALL_SYNC_SECONDS = 60
    answered_call(alice, bob)
    out, _err = sync("--queue")
    assert "Queued: the task worker (manage.py db_worker) syncs" in out
    out, _err = sync("--queue")
    assert "The sync is queued already" in out
    assert len(waiting()) == 1
    task_queue()
    assert CallRecord.objects.count() == 2
    # The task queued the next sync a minute on, and only that one.
    (following,) = waiting()
    assert (
        timezone.now() + timedelta(seconds=50)
        < following.run_after
        < timezone.now() + timedelta(seconds=70)
    )
    event = AuditEvent.objects.get(kind="calls.switch_sync")
    assert event.actor_label == "system"


def test_two_chains_become_one(task_queue, alice):
    for _ in range(2):
        switch_sync.sync_switch_calls_task.enqueue()
    task_queue()
    assert len(waiting()) == 1


def test_without_a_task_queue_queue_points_to_cron(alice):
    sync_failing("--queue", match="run sync_switch_calls from cron")


def test_the_task_run_at_once_syncs_once(alice, bob):
    answered_call(alice, bob)
    result = switch_sync.sync_switch_calls_task.enqueue()
    assert result.return_value["imported"] == 2
    assert CallRecord.objects.count() == 2
