"""import_cdrs: every leg of a call is kept and billed; the history shows the call once.

Asterisk 12+ writes one record per leg of a forked Dial, a queue or a transfer, all with
the caller's uniqueid (and, with newcdrcolumns, one linkedid and a growing sequence).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from accounts.calls.history import filtered_calls
from accounts.models import BalanceEntry, CallRecord
from tests.accounts.cdr_files import ALICE, asterisk_row, run, write

pytestmark = pytest.mark.django_db

UNIQUEID = "1794961168.42"


def forked_dial(uniqueid: str = UNIQUEID) -> list[str]:
    """Dial(PJSIP/100&PJSIP/101&PJSIP/102): three legs, the second one answered."""
    common: dict[str, Any] = {
        "uniqueid": uniqueid,
        "channel": "PJSIP/48223809888-0000002a",
        "start": "2026-11-02 08:10:00",
        "end": "2026-11-02 08:11:14",
    }
    return [
        asterisk_row(
            ALICE,
            dstchannel="PJSIP/trunk-a-00000001",
            answer=None,
            duration="74",
            billsec="0",
            disposition="NO ANSWER",
            **common,
        ),
        asterisk_row(ALICE, dstchannel="PJSIP/trunk-b-00000002", billsec="60", **common),
        asterisk_row(
            ALICE,
            dstchannel="PJSIP/trunk-c-00000003",
            answer=None,
            duration="74",
            billsec="0",
            disposition="NO ANSWER",
            **common,
        ),
    ]


def test_every_leg_of_a_forked_dial_is_kept(tmp_path, alice):
    out, err = run(write(tmp_path, *forked_dial()), "--format", "asterisk")
    assert "Imported 3 calls; 0 already present; 0 rejected." in out
    assert err == ""
    legs = CallRecord.objects.filter(call_key=UNIQUEID)
    assert legs.count() == 3
    assert len(set(legs.values_list("source_id", flat=True))) == 3


def test_the_history_shows_the_call_once_and_answered(tmp_path, alice, client):
    run(write(tmp_path, *forked_dial()), "--format", "asterisk")
    shown = list(filtered_calls(alice, {}))
    assert len(shown) == 1
    assert shown[0].disposition == CallRecord.Disposition.ANSWERED
    assert shown[0].billed_seconds == 60
    client.force_login(alice.user)
    page = client.get(reverse("accounts:calls")).content.decode()
    assert page.count("48226543210") == 1
    dashboard = client.get(reverse("accounts:dashboard")).content.decode()
    assert dashboard.count("48226543210") == 1


def test_each_leg_is_billed_once_on_its_own_billsec(tmp_path, alice):
    lines = [
        *forked_dial(),
        # A transfer leg: the same uniqueid, answered again after the transfer.
        asterisk_row(
            ALICE,
            uniqueid=UNIQUEID,
            channel="PJSIP/48223809888-0000002a",
            dstchannel="PJSIP/trunk-d-00000004",
            start="2026-11-02 08:11:14",
            answer="2026-11-02 08:11:20",
            end="2026-11-02 08:13:20",
            duration="126",
            billsec="120",
        ),
    ]
    path = write(tmp_path, *lines)
    out, _err = run(path, "--format", "asterisk", "--rate", "0.30")
    assert "Charged 0.90 for 2 calls of 1 account." in out
    alice.refresh_from_db()
    assert alice.balance == Decimal("-0.90")
    out, _err = run(path, "--format", "asterisk", "--rate", "0.30")
    assert "Imported 0 calls; 4 already present" in out
    assert BalanceEntry.objects.count() == 2
    assert filtered_calls(alice, {}).count() == 1


def test_a_leg_arriving_in_a_later_file_makes_the_call_answered(tmp_path, alice):
    missed, answered, other = forked_dial()
    run(write(tmp_path, missed, other, name="first.csv"), "--format", "asterisk")
    assert filtered_calls(alice, {}).get().disposition == CallRecord.Disposition.NO_ANSWER
    run(write(tmp_path, answered, name="second.csv"), "--format", "asterisk")
    shown = filtered_calls(alice, {}).get()
    assert shown.disposition == CallRecord.Disposition.ANSWERED
    assert CallRecord.objects.filter(call_key=UNIQUEID).count() == 3


def test_legs_of_one_call_across_batches_are_settled(tmp_path, alice):
    from io import StringIO
    from zoneinfo import ZoneInfo

    from accounts.calls import importer
    from accounts.calls.asterisk_csv import AsteriskParser
    from accounts.calls.direction import DirectionRules
    from accounts.calls.rating import Tariff

    parser = AsteriskParser(ZoneInfo("Europe/Warsaw"), Tariff(), DirectionRules())
    run_ = importer.CallImport(parser, batch_size=1)
    summary = run_.run(StringIO("\n".join(forked_dial()) + "\n"))
    assert summary.imported == 3
    assert CallRecord.objects.filter(is_primary_leg=True).get().billed_seconds == 60


def test_newcdrcolumns_legs_are_known_by_their_sequence_and_grouped_by_linkedid(tmp_path, alice):
    # A blind transfer: the second call has its own uniqueid, but the linkedid of the first.
    first = asterisk_row(
        ALICE,
        uniqueid="1794961168.50",
        newcdrcolumns=("", "1794961168.50", "101"),
    )
    transferred = asterisk_row(
        ALICE,
        uniqueid="1794961190.51",
        start="2026-11-02 08:11:14",
        answer="2026-11-02 08:11:20",
        end="2026-11-02 08:12:20",
        duration="66",
        billsec="60",
        newcdrcolumns=("", "1794961168.50", "102"),
    )
    path = write(tmp_path, first, transferred)
    out, _err = run(path, "--format", "asterisk", "--rate", "1")
    assert "Imported 2 calls" in out
    assert set(CallRecord.objects.values_list("source_id", flat=True)) == {
        "1794961168.50#101",
        "1794961190.51#102",
    }
    assert set(CallRecord.objects.values_list("call_key", flat=True)) == {"1794961168.50"}
    assert filtered_calls(alice, {}).count() == 1
    alice.refresh_from_db()
    assert alice.balance == Decimal("-2.00")


def test_the_same_uniqueid_in_two_accounts_is_two_calls(tmp_path, alice, bob):
    # An internal call: the caller's and the callee's records share the uniqueid.
    lines = [
        asterisk_row(ALICE, uniqueid=UNIQUEID),
        asterisk_row(
            "telekonferencja_48223809889", uniqueid=UNIQUEID, channel="PJSIP/other-00000001"
        ),
    ]
    run(write(tmp_path, *lines), "--format", "asterisk")
    assert filtered_calls(alice, {}).count() == 1
    assert filtered_calls(bob, {}).count() == 1
