"""manage.py import_cdrs --format konto: Konto's own call CSV, as the call history exports it."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.calls import konto_csv as konto_format
from accounts.models import CallRecord
from tests import factories

pytestmark = pytest.mark.django_db

ALICE = "telekonferencja_48223809888"
BOB = "telekonferencja_48223809889"


def run(path: Path, *args: str, **options) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_cdrs", str(path), *args, stdout=out, stderr=err, **options)
    return out.getvalue(), err.getvalue()


def run_rejecting(path: Path, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="rejected") as raised:
        call_command("import_cdrs", str(path), *args, stdout=out, stderr=err)
    assert raised.value.returncode == 1
    return out.getvalue(), err.getvalue()


def konto_csv(tmp_path: Path, rows: list[list[str]], *, delimiter=",", columns=None) -> Path:
    path = tmp_path / "calls.csv"
    with path.open("w", encoding=konto_format.ENCODING, newline="") as file:
        writer = csv.writer(file, delimiter=delimiter)
        writer.writerow(columns or konto_format.COLUMNS)
        writer.writerows(rows)
    return path


def test_konto_csv_exported_calls_come_back_with_their_charges(tmp_path, alice):
    calls = [
        factories.make_call(alice, source="switch", source_id=f"s{n}", charge=Decimal("0.12"))
        for n in range(3)
    ]
    # The CSV keeps whole seconds.
    original = {
        c.source_id: (
            c.started_at.replace(microsecond=0),
            c.answered_at.replace(microsecond=0),
            c.caller,
            c.callee,
        )
        for c in calls
    }
    path = konto_csv(tmp_path, [konto_format.row_for_call(call, alice) for call in calls])
    CallRecord.objects.all().delete()
    out, _err = run(path, "--format", "konto")
    assert "Imported 3 calls" in out
    for call in CallRecord.objects.all():
        assert (call.started_at, call.answered_at, call.caller, call.callee) == original[
            call.source_id
        ]
        assert call.charge == Decimal("0.12")
    alice.refresh_from_db()
    assert alice.balance == Decimal("-0.36")
    out, _err = run(path, "--format", "konto")
    assert "Imported 0 calls; 3 already present" in out


def test_konto_csv_saved_by_a_polish_spreadsheet_with_semicolons_is_read(tmp_path, alice):
    call = factories.make_call(alice, source="switch", source_id="s1")
    path = konto_csv(tmp_path, [konto_format.row_for_call(call, alice)], delimiter=";")
    call.delete()
    out, _err = run(path, "--format", "konto")
    assert "Imported 1 call" in out


def test_konto_csv_rows_are_checked(tmp_path, alice):
    call = factories.make_call(alice, source="switch", source_id="s1")
    good = konto_format.row_for_call(call, alice)
    call.delete()
    index = {name: n for n, name in enumerate(konto_format.COLUMNS)}

    def changed(**values):
        row = list(good)
        for name, value in values.items():
            row[index[name]] = value
        return row

    path = konto_csv(
        tmp_path,
        [
            changed(call_id="bez-dwukropka"),
            changed(call_id="switch:s2", currency="EUR"),
            changed(call_id="switch:s3", direction="sideways"),
            changed(call_id="switch:s4", charge="-0.10"),
            changed(call_id="switch:s5", start_time="wczoraj"),
            changed(call_id="switch:s6", account_id="nieznane"),
            # Used to end in a traceback, or on PostgreSQL lose the whole batch.
            changed(call_id="switch:s7", charge="1e999"),
            changed(call_id="switch:s8", duration="2147483648"),
            changed(call_id="switch:s9", caller="48\x00"),
            good,
        ],
    )
    out, err = run_rejecting(path, "--format", "konto")
    assert "line 2, column call_id: 'bez-dwukropka' is not <source>:<source id>" in err
    assert "line 3, column currency: the charge is in EUR" in err
    assert "line 4, column direction" in err
    assert "line 5, column charge" in err
    assert "line 6, column start_time" in err
    assert "line 7, column account_id: unknown account 'nieznane'" in err
    assert "line 8, column charge: '1e999': Enter an amount below one billion" in err
    assert "line 9, column duration" in err
    assert "line 10, column caller: a NUL byte" in err
    assert "Imported 1 call; 0 already present; 9 rejected." in out


def test_a_file_that_is_not_konto_csv_is_refused_whole(tmp_path, alice):
    path = konto_csv(tmp_path, [["x"] * 3], columns=["call_id", "konto", "start"])
    with pytest.raises(CommandError, match="unknown columns 'konto', 'start'; missing columns"):
        run(path, "--format", "konto")


def test_a_rate_makes_no_sense_for_konto_csv(tmp_path, alice):
    with pytest.raises(CommandError, match="--rate is for Asterisk files"):
        run(konto_csv(tmp_path, []), "--format", "konto", "--rate", "0.1")


def test_tabs_backslashes_and_line_breaks_in_fields_are_kept(tmp_path, alice):
    call = factories.make_call(
        alice, source="switch", source_id="s\\1", description="Linia\t1\\2\nkoniec"
    )
    path = konto_csv(tmp_path, [konto_format.row_for_call(call, alice)])
    call.delete()
    run(path, "--format", "konto")
    stored = CallRecord.objects.get()
    assert (stored.source_id, stored.description) == ("s\\1", "Linia\t1\\2\nkoniec")


def test_konto_csv_guarded_cells_come_back_as_they_were(tmp_path, alice, client):
    texts = {
        "f1": "=cmd|' /C calc'!A0",
        "f2": "@SUM(A1)",
        "f3": "+A1",
        "f4": "'=już z apostrofem",
        "f5": "'zwykły apostrof",
        "f6": "-12.50",
    }
    for source_id, text in texts.items():
        factories.make_call(alice, source="switch", source_id=source_id, description=text)
    factories.make_call(alice, source="switch", source_id="f7", caller="@123", callee="+A1")
    # The file exactly as the history page's download gives it.
    client.force_login(alice.user)
    raw = b"".join(client.get("/calls/export.csv").streaming_content)
    assert b"'=cmd" in raw and b"''=" in raw
    path = tmp_path / "calls.csv"
    path.write_bytes(raw)
    CallRecord.objects.all().delete()
    out, _err = run(path, "--format", "konto")
    assert "Imported 7 calls" in out
    stored = {c.source_id: c for c in CallRecord.objects.all()}
    assert {key: stored[key].description for key in texts} == texts
    assert (stored["f7"].caller, stored["f7"].callee) == ("@123", "+A1")


def test_konto_csv_saved_again_by_a_polish_spreadsheet_is_read(tmp_path, alice):
    # What a spreadsheet set to Polish writes on "save as CSV UTF-8": a byte-order mark,
    # semicolons, CRLF line ends, decimal commas, quotes only around fields that need them,
    # and a guarded cell kept as it was shown (with its apostrophe).
    header = ";".join(konto_format.COLUMNS)
    lines = [
        header,
        f"switch:p1;{ALICE};2026-11-24T10:15:00+01:00;2026-11-24T10:15:07+01:00;"
        "+48223809888;0048426543210;out;127;120;answered;"
        '"Łódź; ul. ""Żółta"" 5";0,12;PLN',
        f"switch:p2;{ALICE};2026-11-24T11:00:00+01:00;;+48223809888;+48221234567;out;0;0;"
        'no_answer;\'=HYPERLINK("http://zły");0;PLN',
        f"switch:p3;{ALICE};2026-11-24T12:00:00+01:00;2026-11-24T12:00:03+01:00;;"
        '+48223809888;in;3600;3600;answered;;"1 234,50";PLN',
    ]
    path = tmp_path / "calls.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode() + b"\r\n")
    out, err = run(path, "--format", "konto")
    assert "Imported 3 calls" in out, err
    calls = {c.source_id: c for c in CallRecord.objects.all()}
    assert calls["p1"].charge == Decimal("0.12")
    assert calls["p1"].description == 'Łódź; ul. "Żółta" 5'
    assert calls["p1"].callee == "0048426543210"
    assert calls["p2"].description == '=HYPERLINK("http://zły")'
    assert calls["p2"].answered_at is None
    assert calls["p3"].charge == Decimal("1234.50") and calls["p3"].caller == ""
    alice.refresh_from_db()
    assert alice.balance == Decimal("-1234.62")


def test_konto_csv_with_commas_between_fields_takes_a_quoted_decimal_comma(tmp_path, alice):
    call = factories.make_call(alice, source="switch", source_id="c1")
    row = konto_format.row_for_call(call, alice)
    row[konto_format.COLUMNS.index("charge")] = "0,25"
    path = konto_csv(tmp_path, [row])  # the csv module quotes "0,25"
    assert '"0,25"' in path.read_text(encoding="utf-8-sig")
    call.delete()
    run(path, "--format", "konto")
    assert CallRecord.objects.get().charge == Decimal("0.25")
