"""import_cdrs on the bytes real switches write: encodings, escapes, absurd values, no account."""

from __future__ import annotations

import pytest

from accounts.models import CallRecord
from tests.accounts.cdr_files import ALICE, asterisk_row, clid, run, run_rejecting, write

pytestmark = pytest.mark.django_db


def test_each_line_is_decoded_on_its_own(tmp_path, alice):
    path = tmp_path / "Master.csv"
    inbound = {"dcontext": "from-trunk", "src": "48501234567", "dst": "48223809888"}
    path.write_bytes(
        (
            asterisk_row(ALICE, uniqueid="1794961168.1", clid=clid("Łódź", "1"), **inbound) + "\n"
        ).encode()
        + (
            asterisk_row(ALICE, uniqueid="1794961168.2", clid=clid("Żółć", "2"), **inbound) + "\n"
        ).encode("cp1250")
        + (
            asterisk_row(ALICE, uniqueid="1794961168.3", clid=clid("Gęś", "3"), **inbound) + "\n"
        ).encode()
    )
    out, err = run(path, "--format", "asterisk")
    assert "Imported 3 calls" in out, err
    assert "1 line read as cp1250 (not UTF-8)." in out
    names = dict(CallRecord.objects.values_list("call_key", "description"))
    assert names == {"1794961168.1": "Łódź", "1794961168.2": "Żółć", "1794961168.3": "Gęś"}


def test_the_fallback_encoding_can_be_named(tmp_path, alice):
    line = asterisk_row(
        ALICE, dcontext="from-trunk", src="48501234567", clid=clid("Świątek", "48501234567")
    )
    path = write(tmp_path, line, encoding="iso-8859-2")
    out, _err = run(path, "--format", "asterisk", "--fallback-encoding", "iso-8859-2")
    assert "1 line read as iso-8859-2" in out
    assert CallRecord.objects.get().description == "Świątek"


def test_caller_names_are_unescaped_as_asterisk_escapes_them(tmp_path, alice):
    name = 'Jan "JK" Kowalski \\ Biuro'
    line = asterisk_row(ALICE, dcontext="from-trunk", src="48501234567", clid=clid(name, "1"))
    assert '\\""JK\\""' in line  # as cdr_csv writes it: backslash-escaped, then doubled
    run(write(tmp_path, line), "--format", "asterisk")
    assert CallRecord.objects.get().description == name


def test_records_without_an_accountcode_are_skipped_and_counted(tmp_path, alice):
    lines = [asterisk_row(ALICE), asterisk_row("", uniqueid="1794961168.9")]
    out, err = run(write(tmp_path, *lines), "--format", "asterisk")  # exit code 0
    assert "Imported 1 call; 0 already present; 0 rejected." in out
    assert "Skipped 1 record without an accountcode" in out
    assert err == ""


@pytest.mark.parametrize(
    ("fields", "column", "message"),
    [
        ({"start": "1999-12-31 23:59:00"}, "start", "a year before 2000"),
        ({"start": "2101-01-01 00:00:00"}, "start", "after 2100"),
        ({"start": "0001-01-01 00:00:00"}, "start", "a year before 2000"),
        ({"duration": "86401"}, "duration", "more than a day"),
        ({"duration": str(2**31)}, "duration", "more than a day"),
        ({"duration": "9" * 5000}, "duration", "more than a day"),
        ({"billsec": str(2**63)}, "billsec", "more than a day"),
        ({"dst": "1" * 33}, "dst", "longer than 32 characters"),
        ({"src": "4822\x00380"}, "src", "a NUL byte"),
        ({"clid": '"Jan\x00" <1>'}, "clid", "a NUL byte"),
        ({"uniqueid": "1" * 101}, "uniqueid", "longer than 100 characters"),
    ],
)
def test_absurd_values_are_rejected_with_line_and_column_and_the_rest_imported(
    tmp_path, alice, fields, column, message
):
    lines = [asterisk_row(ALICE, uniqueid=f"1794961168.{n}") for n in range(3)]
    lines.insert(1, asterisk_row(ALICE, **{"uniqueid": "1794961168.99", **fields}))
    out, err = run_rejecting(write(tmp_path, *lines), "--format", "asterisk")
    assert f"line 2, column {column}: " in err and message in err
    assert "Traceback" not in err
    assert "Imported 3 calls; 0 already present; 1 rejected." in out
    assert CallRecord.objects.count() == 3


def test_a_konto_call_dated_year_one_is_rejected_not_stored(tmp_path, alice):
    # Stored on PostgreSQL, such a call would break the customer's /calls/ for good.
    from accounts.calls.konto_csv import COLUMNS

    row = {
        "call_id": "konto:1",
        "account_id": ALICE,
        "start_time": "0001-01-01T00:00:00+00:00",
        "answer_time": "",
        "caller": "48223809888",
        "callee": "48226543210",
        "direction": "out",
        "duration": "0",
        "billed_seconds": "0",
        "disposition": "no_answer",
        "description": "",
        "charge": "0.00",
        "currency": "PLN",
    }
    path = write(tmp_path, ",".join(COLUMNS), ",".join(row[name] for name in COLUMNS))
    _out, err = run_rejecting(path, "--format", "konto")
    assert "line 2, column start_time: 0001-01-01T00:00:00+00:00: a year before 2000" in err
    assert not CallRecord.objects.exists()


def test_encoding_is_for_konto_files(tmp_path, alice):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--encoding is for Konto files"):
        run(write(tmp_path, asterisk_row(ALICE)), "--format", "asterisk", "--encoding", "cp1250")
