"""import_cdrs: which way a call went, and what it costs (--rate, --increment)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.calls.rating import Tariff
from accounts.models import BalanceEntry, CallRecord, PhoneNumber
from tests.accounts.cdr_files import ALICE, asterisk_row, run, write

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("increment", "billsec", "seconds"),
    [
        ("1/1", 61, 61),
        ("60/60", 1, 60),
        ("60/60", 61, 120),
        ("60", 120, 120),
        ("60/1", 5, 60),
        ("60/1", 61, 61),
        ("30/6", 31, 36),
        ("30/6", 0, 0),
    ],
)
def test_the_billing_increment(increment, billsec, seconds):
    assert Tariff.parse("1", increment).billable_seconds(billsec) == seconds


@pytest.mark.parametrize(
    ("increment", "charge"),
    [("1/1", "0.62"), ("60/60", "1.20"), ("60/1", "0.62")],
)
def test_rate_and_increment_price_an_outbound_call(tmp_path, alice, increment, charge):
    path = write(tmp_path, asterisk_row(ALICE, billsec="62", duration="74"))
    run(path, "--format", "asterisk", "--rate", "0.60", "--increment", increment)
    assert CallRecord.objects.get().charge == Decimal(charge)


def test_a_rate_may_have_more_than_two_decimals_and_a_comma(tmp_path, alice):
    path = write(tmp_path, asterisk_row(ALICE, billsec="60"))
    run(path, "--format", "asterisk", "--rate", "0,125")
    assert CallRecord.objects.get().charge == Decimal("0.13")  # 0.125 rounded half up


def test_inbound_calls_are_never_charged(tmp_path, alice):
    line = asterisk_row(ALICE, src="48501234567", dst="48223809888", dcontext="from-pstn")
    run(write(tmp_path, line), "--format", "asterisk", "--rate", "1")
    call = CallRecord.objects.get()
    assert call.direction == CallRecord.Direction.INBOUND
    assert call.charge == Decimal("0.00")
    assert not BalanceEntry.objects.exists()


def test_an_unknown_context_is_reported_and_not_charged(tmp_path, alice):
    line = asterisk_row(ALICE, dcontext="nask-custom")
    out, err = run(write(tmp_path, line), "--format", "asterisk", "--rate", "1")
    assert err == ""  # imported, not rejected: exit code 0
    call = CallRecord.objects.get()
    assert call.direction == CallRecord.Direction.UNKNOWN
    assert call.charge == Decimal("0.00")
    assert "Direction unknown, not charged: 1 call in context 'nask-custom'" in out


def test_the_accounts_numbers_tell_the_direction(tmp_path, alice):
    PhoneNumber.objects.create(account=alice, number="48223809888")
    lines = [
        asterisk_row(ALICE, dcontext="nask-custom", uniqueid="1794961168.1"),
        asterisk_row(
            ALICE,
            src="48501234567",
            dst="48223809888",
            dcontext="nask-custom",
            uniqueid="1794961168.2",
        ),
        asterisk_row(ALICE, src="+48 22 380 98 88", dst="0048223809888", uniqueid="1794961168.3"),
    ]
    out, _err = run(write(tmp_path, *lines), "--format", "asterisk", "--rate", "1")
    directions = dict(CallRecord.objects.values_list("call_key", "direction"))
    assert directions == {
        "1794961168.1": "out",
        "1794961168.2": "in",
        "1794961168.3": "internal",
    }
    assert "Direction unknown" not in out
    assert CallRecord.objects.filter(charge__gt=0).get().call_key == "1794961168.1"


def test_operator_contexts_are_shell_patterns(tmp_path, alice):
    lines = [
        asterisk_row(ALICE, dcontext="trunk-orange-in", uniqueid="1794961168.1"),
        asterisk_row(ALICE, dcontext="Phones-Biuro", uniqueid="1794961168.2"),
    ]
    run(
        write(tmp_path, *lines),
        "--format",
        "asterisk",
        "--inbound-context",
        "trunk-*-in",
        "--outbound-context",
        "phones-*",
    )
    directions = dict(CallRecord.objects.values_list("call_key", "direction"))
    assert directions == {"1794961168.1": "in", "1794961168.2": "out"}


def test_calls_to_extensions_and_feature_codes_are_internal(tmp_path, alice):
    lines = [
        asterisk_row(ALICE, dst="1001", uniqueid="1794961168.1"),
        asterisk_row(ALICE, dst="*97", uniqueid="1794961168.2"),
    ]
    run(write(tmp_path, *lines), "--format", "asterisk", "--rate", "1")
    assert set(CallRecord.objects.values_list("direction", flat=True)) == {"internal"}
    assert not BalanceEntry.objects.exists()


@pytest.mark.parametrize(
    ("disposition", "stored"),
    [
        ("ANSWERED", "answered"),
        ("NO ANSWER", "no_answer"),
        ("BUSY", "busy"),
        ("FAILED", "failed"),
        ("CONGESTION", "failed"),
        ("CANCEL", "no_answer"),
    ],
)
def test_every_disposition_asterisk_writes(tmp_path, alice, disposition, stored):
    billsec = "60" if disposition == "ANSWERED" else "0"
    answer = "2026-11-02 08:10:14" if disposition == "ANSWERED" else None
    line = asterisk_row(ALICE, disposition=disposition, billsec=billsec, answer=answer)
    run(write(tmp_path, line), "--format", "asterisk")
    assert CallRecord.objects.get().disposition == stored


def test_initiatedseconds_may_bill_one_second_more_than_the_duration(tmp_path, alice):
    # cdr.conf initiatedseconds=yes counts a started second: billsec = duration + 1.
    line = asterisk_row(ALICE, duration="60", billsec="61")
    out, _err = run(write(tmp_path, line), "--format", "asterisk", "--rate", "0.60")
    assert "Imported 1 call" in out
    assert CallRecord.objects.get().charge == Decimal("0.61")
