"""import_cdrs reads every column layout cdr.conf's [csv] options give (Asterisk 1.8 to 22)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from accounts.models import CallRecord
from tests.accounts.cdr_files import ALICE, asterisk_row, run, run_rejecting, write

pytestmark = pytest.mark.django_db

LAYOUTS = {
    # (loguniqueid, loguserfield, newcdrcolumns): columns written
    (False, False, False): 16,
    (True, False, False): 17,
    (False, True, False): 17,
    (True, True, False): 18,
    (False, False, True): 19,
    (True, False, True): 20,
    (False, True, True): 20,
    (True, True, True): 21,
}


def row_in(layout: tuple[bool, bool, bool], n: int, **fields) -> str:
    uniqueid, userfield, new = layout
    return asterisk_row(
        ALICE,
        channel=f"PJSIP/48223809888-{n:08x}",
        start=f"2026-11-02 08:{n:02d}:00",
        answer=f"2026-11-02 08:{n:02d}:10",
        end=f"2026-11-02 08:{n:02d}:40",
        duration="40",
        billsec="30",
        uniqueid=f"1794961168.{n}" if uniqueid else None,
        # Dialplans commonly store the DID in the userfield: the same on every call.
        userfield="48223809888" if userfield else None,
        newcdrcolumns=("", f"1794961168.{n}", str(100 + n)) if new else None,
        **fields,
    )


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_every_layout_is_read_and_reimporting_adds_nothing(tmp_path, alice, layout):
    lines = [row_in(layout, n) for n in range(3)]
    assert all(len(next(csv.reader([line]))) == LAYOUTS[layout] for line in lines)
    path = write(tmp_path, *lines)
    out, err = run(path, "--format", "asterisk")
    assert "Imported 3 calls; 0 already present; 0 rejected." in out, err
    assert f"Layout: {LAYOUTS[layout]} columns" in out
    out, _err = run(path, "--format", "asterisk")
    assert "Imported 0 calls; 3 already present" in out


def test_a_userfield_is_not_taken_for_a_uniqueid(tmp_path, alice):
    # loguserfield without loguniqueid: 17 columns, the 17th the DID of every call.
    layout = (False, True, False)
    path = write(tmp_path, row_in(layout, 1), row_in(layout, 2))
    out, _err = run(path, "--format", "asterisk")
    assert "Imported 2 calls" in out
    assert "17 columns (loguserfield)" in out
    assert set(CallRecord.objects.values_list("call_key", flat=True)) == {""}
    # The next day's call to the same DID is a new call, not "already present".
    out, _err = run(write(tmp_path, row_in(layout, 3), name="next.csv"), "--format", "asterisk")
    assert "Imported 1 call; 0 already present" in out


def test_a_uniqueid_is_recognised_in_seventeen_columns(tmp_path, alice):
    path = write(tmp_path, row_in((True, False, False), 1))
    out, _err = run(path, "--format", "asterisk")
    assert "17 columns (loguniqueid)" in out
    assert CallRecord.objects.get().call_key == "1794961168.1"


def test_a_uniqueid_with_a_system_name_is_recognised(tmp_path, alice):
    line = asterisk_row(ALICE, uniqueid="pbx-waw-1794961168.7", userfield=None)
    out, _err = run(write(tmp_path, line), "--format", "asterisk")
    assert "17 columns (loguniqueid)" in out
    assert CallRecord.objects.get().call_key == "pbx-waw-1794961168.7"


def test_the_layout_can_be_stated(tmp_path, alice):
    # A userfield that happens to look like a uniqueid: the operator knows better.
    line = asterisk_row(ALICE, uniqueid=None, userfield="1794961168.5")
    out, _err = run(write(tmp_path, line), "--format", "asterisk", "--columns", "loguserfield")
    assert "17 columns (loguserfield)" in out
    assert CallRecord.objects.get().call_key == ""


def test_a_row_that_does_not_fit_the_stated_layout_is_rejected(tmp_path, alice):
    lines = [row_in((True, True, False), 1), row_in((True, False, False), 2)]
    out, err = run_rejecting(
        write(tmp_path, *lines), "--format", "asterisk", "--columns", "loguniqueid,loguserfield"
    )
    assert "line 2: 17 fields, but --columns gives 18 columns (loguniqueid, loguserfield)" in err
    assert "Imported 1 call" in out


def test_a_file_mixing_layouts_says_so(tmp_path, alice):
    lines = [row_in((True, True, False), 1), row_in((True, True, True), 2)]
    out, _err = run(write(tmp_path, *lines), "--format", "asterisk")
    assert "Imported 2 calls" in out
    assert "Layout: 18 columns (loguniqueid, loguserfield): 1 row." in out
    assert "Layout: 21 columns (loguniqueid, loguserfield, newcdrcolumns): 1 row." in out
    assert "The file mixes layouts" in out


def test_a_sequence_that_is_not_a_number_is_rejected(tmp_path, alice):
    line = asterisk_row(ALICE, newcdrcolumns=("", "1794961168.0", "x1"))
    _out, err = run_rejecting(write(tmp_path, line), "--format", "asterisk")
    assert "line 1, column sequence: 'x1' is not a sequence number" in err


def test_too_many_columns_are_rejected(tmp_path, alice):
    line = asterisk_row(ALICE, newcdrcolumns=("", "1794961168.0", "1")) + ',"extra"'
    _out, err = run_rejecting(write(tmp_path, line), "--format", "asterisk")
    assert "22 fields, but an Asterisk record has 16 to 21" in err


def test_the_sample_master_csv_imports_whole(alice, bob):
    # The operator's sample: loguniqueid and loguserfield on, two accounts.
    path = Path(__file__).resolve().parent.parent / "data" / "asterisk-cdr" / "Master.csv"
    out, err = run(path, "--format", "asterisk")
    assert "Imported 40 calls; 0 already present; 0 rejected." in out, err


def test_newcdrcolumns_without_a_uniqueid_use_the_linkedid(tmp_path, alice):
    # newcdrcolumns=yes, loguniqueid=no: 19 columns, the call named by its linkedid.
    lines = [
        asterisk_row(ALICE, uniqueid=None, userfield=None, newcdrcolumns=("", "1794961168.3", "7")),
        asterisk_row(
            ALICE,
            uniqueid=None,
            userfield=None,
            dstchannel="PJSIP/trunk-00000009",
            newcdrcolumns=("", "1794961168.3", "8"),
        ),
    ]
    path = write(tmp_path, *lines)
    out, _err = run(path, "--format", "asterisk")
    assert "Imported 2 calls" in out
    assert set(CallRecord.objects.values_list("source_id", flat=True)) == {
        "1794961168.3#7",
        "1794961168.3#8",
    }
    assert CallRecord.objects.filter(is_primary_leg=True).count() == 1
    out, _err = run(path, "--format", "asterisk")
    assert "Imported 0 calls; 2 already present" in out
