from __future__ import annotations

import io
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum

from accounts.calls import importer
from accounts.calls.asterisk_csv import AsteriskParser
from accounts.calls.direction import DirectionRules
from accounts.calls.rating import Tariff
from accounts.models import Account, AuditEvent, BalanceEntry, CallRecord
from tests import factories
from tests.accounts.cdr_files import ALICE, BOB, asterisk_row, run, run_rejecting, write

pytestmark = pytest.mark.django_db


@pytest.fixture
def day(tmp_path, alice, bob) -> Path:
    """A small day on the switch: two answered calls, one unanswered, one busy."""
    return write(
        tmp_path,
        asterisk_row(ALICE, uniqueid="1794961168.0"),
        asterisk_row(
            BOB,
            src="48223809889",
            dst="1001",
            start="2026-11-02 10:08:00",
            answer=None,
            end="2026-11-02 10:08:03",
            duration="3",
            billsec="0",
            disposition="NO ANSWER",
            uniqueid="1794334083.3",
        ),
        asterisk_row(
            ALICE,
            start="2026-11-02 11:00:00",
            answer="2026-11-02 11:00:05",
            end="2026-11-02 11:02:05",
            duration="125",
            billsec="120",
            uniqueid="1794331821.4",
        ),
        asterisk_row(
            BOB,
            src="48223809889",
            disposition="BUSY",
            answer=None,
            billsec="0",
            uniqueid="1794331821.5",
        ),
    )


def test_it_explains_itself(capsys):
    with pytest.raises(SystemExit):
        call_command("import_cdrs", "--help")
    help_text = capsys.readouterr().out
    assert "--format {asterisk,konto}" in help_text
    assert "--dry-run" in help_text and "--rate" in help_text
    assert "adds nothing and charges nothing" in help_text


def test_it_imports_a_day_of_asterisk_records(day, alice, bob):
    out, err = run(day, "--format", "asterisk")
    assert "Imported 4 calls; 0 already present; 0 rejected." in out
    assert err == ""
    call = CallRecord.objects.get(source="asterisk", source_id__startswith="1794961168.0#")
    assert call.account == alice
    # 08:10 in Warsaw on 2 November is 07:10 UTC.
    assert call.started_at == datetime(2026, 11, 2, 7, 10, tzinfo=UTC)
    assert call.answered_at == datetime(2026, 11, 2, 7, 10, 14, tzinfo=UTC)
    assert (call.duration, call.billed_seconds) == (74, 60)
    assert (call.caller, call.callee) == ("48223809888", "48226543210")
    assert call.direction == CallRecord.Direction.OUTBOUND
    assert call.disposition == CallRecord.Disposition.ANSWERED
    assert call.charge == Decimal("0.00")
    unanswered = CallRecord.objects.get(source_id__startswith="1794334083.3#")
    assert unanswered.account == bob
    # 1001 is an extension: a call to it from a phone is internal, never charged.
    assert unanswered.direction == CallRecord.Direction.INTERNAL
    assert unanswered.answered_at is None
    assert unanswered.disposition == CallRecord.Disposition.NO_ANSWER
    assert CallRecord.objects.get(call_key="1794331821.5").disposition == "busy"
    assert not BalanceEntry.objects.exists()  # no --rate: Master.csv has no prices


def test_a_second_run_adds_nothing_and_charges_nothing(day, alice):
    run(day, "--format", "asterisk", "--rate", "0.30")
    alice.refresh_from_db()
    balance, entries = alice.balance, BalanceEntry.objects.count()
    out, _err = run(day, "--format", "asterisk", "--rate", "0.30")
    assert "Imported 0 calls; 4 already present; 0 rejected." in out
    assert CallRecord.objects.count() == 4
    assert BalanceEntry.objects.count() == entries
    alice.refresh_from_db()
    assert alice.balance == balance


def test_rate_charges_answered_outbound_calls_through_the_ledger(day, alice, bob):
    out, _err = run(day, "--format", "asterisk", "--rate", "0.30")
    assert "Charged 0.90 for 2 calls of 1 account." in out
    alice.refresh_from_db()
    bob.refresh_from_db()
    # 60 s and 120 s at 0.30 a minute; bob's calls were not answered.
    assert alice.balance == Decimal("-0.90")
    assert bob.balance == Decimal("0.00")
    entries = list(BalanceEntry.objects.filter(account=alice).order_by("id"))
    assert [e.amount for e in entries] == [Decimal("-0.30"), Decimal("-0.60")]
    assert [e.balance_after for e in entries] == [Decimal("-0.30"), Decimal("-0.90")]
    assert all(e.kind == BalanceEntry.Kind.CALL_CHARGE for e in entries)
    assert all(e.created_by_label == "manage.py import_cdrs" for e in entries)
    assert entries[0].call == CallRecord.objects.get(call_key="1794961168.0")
    assert entries[0].call.charge == Decimal("0.30")
    total = BalanceEntry.objects.filter(account=alice).aggregate(total=Sum("amount"))["total"]
    assert alice.balance == total


def test_charges_continue_from_the_current_balance(tmp_path, alice):
    from accounts.ledger.services import change_balance

    change_balance(alice, Decimal("10.00"), BalanceEntry.Kind.TOP_UP, "Wpłata")
    run(write(tmp_path, asterisk_row(ALICE)), "--format", "asterisk", "--rate", "0.30")
    alice.refresh_from_db()
    assert alice.balance == Decimal("9.70")
    assert BalanceEntry.objects.filter(call__isnull=False).get().balance_after == Decimal("9.70")


@pytest.mark.parametrize("userfield", ["1.25", "48223809888", "VIP", "0,50"])
def test_the_userfield_is_free_text_never_a_price(tmp_path, alice, userfield):
    # Dialplans store the DID there: a digits-only userfield was once charged 211,474.00.
    path = write(tmp_path, asterisk_row(ALICE, userfield=userfield))
    out, _err = run(path, "--format", "asterisk")
    assert CallRecord.objects.get().charge == Decimal("0.00")
    alice.refresh_from_db()
    assert alice.balance == Decimal("0.00")
    assert "Charged" not in out


def test_calls_from_a_trunk_context_are_inbound_and_not_charged(tmp_path, alice):
    path = write(
        tmp_path,
        asterisk_row(
            ALICE,
            src="48501234567",
            dst="48223809888",
            dcontext="from-trunk",
            clid='"Zażółć Gęślą" <48501234567>',
        ),
    )
    run(path, "--format", "asterisk", "--rate", "0.30")
    call = CallRecord.objects.get()
    assert call.direction == CallRecord.Direction.INBOUND
    assert call.description == "Zażółć Gęślą"
    assert call.charge == Decimal("0.00")


def test_more_inbound_contexts_can_be_named(tmp_path, alice):
    path = write(tmp_path, asterisk_row(ALICE, dcontext="dids-nask"))
    run(path, "--format", "asterisk", "--inbound-context", "dids-*")
    assert CallRecord.objects.get().direction == CallRecord.Direction.INBOUND


def test_the_caller_comes_from_the_clid_when_src_is_empty(tmp_path, alice):
    path = write(tmp_path, asterisk_row(ALICE, src="", clid='"Jan" <48221234567>'))
    run(path, "--format", "asterisk")
    assert CallRecord.objects.get().caller == "48221234567"


def test_sixteen_and_seventeen_field_files_are_read_and_stay_idempotent(tmp_path, alice):
    sixteen = asterisk_row(ALICE, uniqueid=None)
    seventeen = asterisk_row(
        ALICE,
        start="2026-11-02 09:00:00",
        end="2026-11-02 09:01:14",
        answer="2026-11-02 09:00:14",
        uniqueid="1794961168.7",
        userfield=None,
    )
    path = write(tmp_path, sixteen, seventeen)
    out, _err = run(path, "--format", "asterisk")
    assert "Imported 2 calls" in out
    hashed = CallRecord.objects.exclude(call_key="1794961168.7").get()
    assert hashed.source_id.startswith("row-")
    out, _err = run(path, "--format", "asterisk")
    assert "Imported 0 calls; 2 already present" in out


def test_the_switch_time_zone_can_be_given(tmp_path, alice):
    run(write(tmp_path, asterisk_row(ALICE)), "--format", "asterisk", "--tz", "UTC")
    assert CallRecord.objects.get().started_at == datetime(2026, 11, 2, 8, 10, tzinfo=UTC)


def test_a_file_with_bom_crlf_polish_letters_and_quotes_is_read(tmp_path, alice):
    path = write(
        tmp_path,
        asterisk_row(ALICE, dcontext="from-pstn", clid='"Łukasz "Szef" Żółw" <48221234567>'),
        newline="\r\n",
        prefix="\ufeff",
    )
    out, err = run(path, "--format", "asterisk")
    assert "Imported 1 call" in out and err == ""
    assert CallRecord.objects.get().description == 'Łukasz "Szef" Żółw'


def test_empty_lines_are_skipped_and_line_numbers_stay_true(tmp_path, alice):
    path = write(
        tmp_path,
        "",
        asterisk_row(ALICE, uniqueid="1794961168.1"),
        "",
        "   ",
        asterisk_row("nieznane_konto", uniqueid="1794961168.2"),
    )
    _out, err = run_rejecting(path, "--format", "asterisk")
    assert "line 5, column accountcode: unknown account 'nieznane_konto'" in err
    assert CallRecord.objects.count() == 1


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (asterisk_row(ALICE, start="02/11/2026 08:10"), "column start: '02/11/2026 08:10' is not"),
        (asterisk_row(ALICE, start="2026-11-31 08:10:00"), "column start"),
        (asterisk_row(ALICE, end="2026-11-02 08:00:00"), "the end time is before the start"),
        (asterisk_row(ALICE, duration="-5"), "column duration: a negative number of seconds"),
        (asterisk_row(ALICE, billsec="abc"), "column billsec: 'abc' is not a whole number"),
        (asterisk_row(ALICE, billsec="100"), "column billsec: billsec (100) is longer than"),
        (asterisk_row(ALICE, billsec="76"), "column billsec: billsec (76) is longer than"),
        (asterisk_row(ALICE, disposition="RINGING"), "column disposition: 'RINGING' is not"),
        (asterisk_row("nieznane_konto"), "column accountcode: unknown account"),
        (asterisk_row(ALICE).replace('","', '";"'), "the fields seem separated by ';'"),
        ('"telekonferencja_48223809888","48223809888","4822654', "a closing quote is missing"),
        ('"telekonferencja_48223809888","48223809888",12', "3 fields, but an Asterisk record"),
        (asterisk_row(ALICE).replace('"Dial"', '"Dial"x'), "a quote inside a field must be"),
    ],
)
def test_bad_rows_are_reported_with_their_line_and_the_rest_is_imported(
    tmp_path, alice, line, message
):
    good = asterisk_row(ALICE, uniqueid="1794961000.1")
    path = tmp_path / "Master.csv"
    path.write_text(good + "\n" + line, encoding="utf-8")  # the bad line is last, unterminated
    out, err = run_rejecting(path, "--format", "asterisk")
    assert "Master.csv: line 2" in err
    assert message in err
    assert "Imported 1 call; 0 already present; 1 rejected." in out
    assert list(CallRecord.objects.values_list("call_key", flat=True)) == ["1794961000.1"]
    assert "Traceback" not in err


def test_a_call_twice_in_a_file_is_imported_once_and_the_copy_reported(tmp_path, alice):
    row = asterisk_row(ALICE, uniqueid="1794961168.1")
    _out, err = run_rejecting(write(tmp_path, row, row), "--format", "asterisk", "--rate", "1")
    assert "line 2: the call asterisk:1794961168.1#" in err and "is already on line 1" in err
    assert CallRecord.objects.count() == 1
    assert BalanceEntry.objects.count() == 1


def test_a_call_twice_in_a_file_is_found_across_batches(tmp_path, alice):
    lines = [asterisk_row(ALICE, uniqueid=f"1794961168.{n}") for n in range(3)] + [
        asterisk_row(ALICE, uniqueid="1794961168.0")
    ]
    rejected = []
    run_ = importer.CallImport(
        AsteriskParser(ZoneInfo("Europe/Warsaw"), Tariff(), DirectionRules()),
        on_reject=rejected.append,
        batch_size=2,
    )
    summary = run_.run(io.StringIO("\n".join(lines) + "\n"))
    assert (summary.imported, summary.already_present, summary.rejected) == (3, 0, 1)
    assert str(rejected[0]).startswith("line 4: the call asterisk:1794961168.0#")
    assert str(rejected[0]).endswith("is already on an earlier line of this file")


def test_a_dry_run_reports_and_writes_nothing(day):
    out, _err = run(day, "--format", "asterisk", "--rate", "0.30", "--dry-run")
    assert "Would import 4 calls; 0 already present; 0 rejected." in out
    assert "Would charge 0.90 for 2 calls of 1 account." in out
    assert not CallRecord.objects.exists()
    assert not BalanceEntry.objects.exists()
    assert not AuditEvent.objects.exists()


def test_the_import_is_audited_once_with_its_counts(day):
    run(day, "--format", "asterisk")
    event = AuditEvent.objects.get(kind="calls.import")
    assert event.actor_label == "manage.py import_cdrs"
    assert event.actor_kind == AuditEvent.ActorKind.OPERATOR
    assert event.data["imported"] == 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tz", "Europe/Warszawa"], "is not a time zone name"),
        (["--rate", "tanio"], "is not a price per minute"),
        (["--rate", "-1"], "is not a price per minute"),
        (["--rate", "1e999"], "is not a price per minute"),
        (["--increment", "60/0"], "must be 1 second or more"),
        (["--increment", "minuta"], "is not FIRST/NEXT"),
        (["--columns", "loguniqueid,costam"], "name the cdr.conf options"),
        (["--fallback-encoding", "klingon"], "is not an encoding"),
    ],
)
def test_bad_options_are_refused(day, args, message):
    with pytest.raises(CommandError, match=message):
        run(day, "--format", "asterisk", *args)


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run(tmp_path / "brak.csv", "--format", "asterisk")


def test_an_empty_master_csv_imports_nothing(tmp_path, alice):
    out, _err = run(write(tmp_path), "--format", "asterisk")
    assert "Imported 0 calls; 0 already present; 0 rejected." in out


def test_charges_that_take_funds_below_the_threshold_alert_once(
    tmp_path, alice, mailoutbox, django_capture_on_commit_callbacks
):
    alice.low_balance_threshold = Decimal("1.00")
    alice.save()
    lines = [asterisk_row(ALICE, uniqueid=f"1794961168.{n}") for n in range(5)]
    with django_capture_on_commit_callbacks(execute=True):
        run(write(tmp_path, *lines), "--format", "asterisk", "--rate", "0.30")
    alice.refresh_from_db()
    assert alice.balance == Decimal("-1.50")
    assert alice.low_balance_alert_sent
    assert len(mailoutbox) == 1


# --- Outside a transaction (PostgreSQL: the writer thread) ----------------------------------------


@pytest.mark.django_db(transaction=True)
def test_an_import_outside_a_transaction_writes_calls_and_charges(tmp_path):
    account = factories.make_account(ALICE)
    lines = [asterisk_row(ALICE, uniqueid=f"1794961168.{n}") for n in range(12)]
    lines.append(asterisk_row(ALICE, uniqueid="1794961168.3"))
    rejected = []
    run_ = importer.CallImport(
        AsteriskParser(ZoneInfo("Europe/Warsaw"), Tariff(Decimal("0.30")), DirectionRules()),
        on_reject=rejected.append,
        batch_size=5,
    )
    summary = run_.run(io.StringIO("\n".join(lines) + "\n"))
    assert (summary.imported, summary.rejected) == (12, 1)
    assert "already on an earlier line" in str(rejected[0])
    account.refresh_from_db()
    assert account.balance == Decimal("-3.60")
    assert Account.objects.get().balance == BalanceEntry.objects.aggregate(s=Sum("amount"))["s"]


def test_interleaved_charges_of_several_accounts_keep_each_ledger_exact(tmp_path, alice, bob):
    lines = []
    for n in range(6):
        account, src = (ALICE, "48223809888") if n % 2 else (BOB, "48223809889")
        billsec = str(6 * (n + 1))  # 0.10, 0.20, ... at 1.00 a minute
        lines.append(asterisk_row(account, src=src, uniqueid=f"1794961168.{n}", billsec=billsec))
    run(write(tmp_path, *lines), "--format", "asterisk", "--rate", "1")
    for account in (alice, bob):
        account.refresh_from_db()
        entries = list(BalanceEntry.objects.filter(account=account).order_by("id"))
        running = Decimal("0.00")
        for entry in entries:
            running += entry.amount
            assert entry.balance_after == running
        assert account.balance == running
    assert alice.balance == Decimal("-1.20") and bob.balance == Decimal("-0.90")


def test_existing_calls_are_found_however_far_apart_their_ids_are(alice):
    from accounts import bulk

    CallRecord.objects.bulk_create(
        [
            CallRecord(
                account=alice,
                source="asterisk",
                source_id=f"a{n:03d}",
                started_at=datetime(2026, 11, 2, tzinfo=UTC),
                direction="out",
                disposition="answered",
            )
            for n in range(150)
        ]
    )
    found = bulk.ids_by_value(CallRecord, "source_id", ["a000", "a149", "b1"], source="asterisk")
    assert sorted(value for value, _pk in found) == ["a000", "a149"]
    assert bulk.ids_by_value(CallRecord, "source_id", ["a000"], source="konto") == []


def test_keys_are_found_whatever_characters_they_hold(alice):
    # Keys travel to PostgreSQL joined by the unit separator; a key holding one goes as an
    # array instead, and is found all the same.
    from accounts import bulk

    keys = ["1794961168.7", "odd\x1fkey", "Zażółć-1"]
    CallRecord.objects.bulk_create(
        [
            CallRecord(
                account=alice,
                source="asterisk",
                source_id=f"{key}#1",
                call_key=key,
                started_at=datetime(2026, 11, 2, tzinfo=UTC),
                direction="out",
                disposition="answered",
            )
            for key in keys
        ]
    )
    wanted = [*keys, "1794961168.8"]
    assert bulk.stored_pairs(CallRecord, "call_key", wanted, "account_id") == {
        (key, alice.pk) for key in keys
    }
    plain = bulk.stored_pairs(CallRecord, "call_key", ["1794961168.7", "x"], "account_id")
    assert plain == {("1794961168.7", alice.pk)}
    found = bulk.ids_by_value(CallRecord, "source_id", [f"{key}#1" for key in keys])
    assert sorted(value for value, _pk in found) == sorted(f"{key}#1" for key in keys)
