"""Konto's own CSV format for call records: what the call history exports and
`manage.py import_cdrs --format konto` reads back (KontoParser).

One header row with these columns, in this order (the importer accepts any order):

- call_id: "<source>:<source id>", the call's identity (imports are idempotent on it);
- account_id: the account's ID ("ID Konta");
- start_time, answer_time: ISO 8601 in the account's time zone with the UTC offset
  ("2026-11-24T10:15:00+01:00"); answer_time is empty for an unanswered call;
- caller, callee: numbers as the switch gave them (caller empty for anonymous calls);
- direction: in | out | internal;
- duration, billed_seconds: whole seconds;
- disposition: answered | no_answer | busy | failed;
- description: free text;
- charge: the amount charged, dot as the decimal separator ("0.12");
- currency: the account's currency.

UTF-8 with a byte-order mark, so spreadsheet programs open Polish characters correctly.

Cells that could run as formulas (CSV injection, see OWASP "CSV Injection"): a spreadsheet
program that opens the file runs a cell starting with `=`, `+`, `-` or `@` (and some run one
starting with a tab or a carriage return) as a formula, and a description or a caller's name
comes from whoever placed the call. `guard_cell` therefore puts an apostrophe before such a
cell unless the whole cell is a plain number: "+48221234567" and "-12.50" stay as they are,
"=cmd|' /C calc'!A0", "@SUM(A1)" and "+A1" are written "'=cmd|' /C calc'!A0", "'@SUM(A1)",
"'+A1". A cell that itself starts with an apostrophe before such text gets one more, so
`unguard_cell` (the importer) can strip exactly the apostrophe the guard added and every
cell reads back as it was: "'=x" is written "''=x" and read back as "'=x", while "'abc" and
"'+48…" are written and read as they are.

Reading back (`KontoParser`, import_cdrs --format konto) also takes the file as a spreadsheet
set to Polish saves it again: semicolons between fields (csvfiles.sniff_delimiter), a decimal
comma in the charge ("0,12", validators.parse_amount), quoted fields, a byte-order mark and
CRLF line ends.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Iterator
from datetime import tzinfo
from itertools import islice

from accounts.calls.history import ExportedCall
from accounts.calls.local_times import LocalClock
from accounts.calls.records import (
    MAX_DESCRIPTION,
    MAX_SOURCE,
    MAX_SOURCE_ID,
    NO_CHARGE,
    ParsedCall,
    Rejected,
    check_no_nul,
    read_charge,
    read_iso_time,
    read_number,
    read_seconds,
)
from accounts.csvfiles import FileProblem, Record, sniff_delimiter
from accounts.models import Account, CallRecord

COLUMNS = [
    "call_id",
    "account_id",
    "start_time",
    "answer_time",
    "caller",
    "callee",
    "direction",
    "duration",
    "billed_seconds",
    "disposition",
    "description",
    "charge",
    "currency",
]
ENCODING = "utf-8-sig"
# The export is sent in pieces of about this many characters: large enough that the server
# does not write a million tiny chunks, small enough that memory stays flat.
PIECE_SIZE = 64 * 1024
ROWS_PER_WRITE = 1000


# What a spreadsheet may run as a formula when a cell starts with it (see the module docstring).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")
GUARD = "'"


def _needs_guard(value: str) -> bool:
    first = value[:1]
    if first in FORMULA_STARTS:
        rest = value[1:]
        # "+48221234567": the usual number, settled without the regular expression.
        if first in "+-" and rest.isdigit() and rest.isascii():
            return False
        return PLAIN_NUMBER.fullmatch(value) is None
    # An apostrophe already before such text gets another, so reading back stays exact.
    return first == GUARD and _needs_guard(value[1:])


def guard_cell(value: str) -> str:
    """The cell as written: with an apostrophe before text a spreadsheet would run."""
    return GUARD + value if _needs_guard(value) else value


def unguard_cell(value: str) -> str:
    """The cell as it was before guard_cell: the apostrophe the guard added, and only it, removed."""
    if value.startswith(GUARD) and _needs_guard(value[1:]):
        return value[1:]
    return value


class _Cells:
    """The CSV cells of calls of one account, in COLUMNS order.

    Times are written in the account's zone (LocalClock: one zone lookup per hour of calls);
    the cells that carry text from outside (the switch's id, the numbers, the description)
    are guarded, while the account's own values are guarded once and the rest are codes and
    numbers that a guard leaves alone.
    """

    def __init__(self, account: Account):
        self.clock = LocalClock(account.zone)
        self.account_id = guard_cell(account.account_id)
        self.currency = guard_cell(account.currency)

    def __call__(self, call: ExportedCall) -> list[str]:
        iso = self.clock.iso_at
        return [
            guard_cell(f"{call.source}:{call.source_id}"),
            self.account_id,
            iso(call.started),
            iso(call.answered),
            guard_cell(call.caller),
            guard_cell(call.callee),
            call.direction,
            str(call.duration),
            str(call.billed_seconds),
            call.disposition,
            guard_cell(call.description),
            f"{call.charge:.2f}",
            self.currency,
        ]


def row_for_call(call: CallRecord, account: Account) -> list[str]:
    """The CSV cells of one call, in COLUMNS order, times in the account's time zone, guarded."""
    return _Cells(account)(ExportedCall.of(call))


def csv_pieces(calls: Iterable[ExportedCall], account: Account) -> Iterator[bytes]:
    """The calls as a Konto call CSV, header first, in encoded pieces for a streaming response."""
    # The incremental encoder writes the byte-order mark once, before the header row.
    encoder = codecs.getincrementalencoder(ENCODING)()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    rows = map(_Cells(account), calls)
    # Rows go to the writer a thousand at a time: one call into C instead of one per row.
    while batch := list(islice(rows, ROWS_PER_WRITE)):
        writer.writerows(batch)
        if buffer.tell() >= PIECE_SIZE:
            yield encoder.encode(buffer.getvalue())
            buffer.seek(0)
            buffer.truncate()
    yield encoder.encode(buffer.getvalue(), final=True)


# --- Reading it back (import_cdrs --format konto) ----------------------------------------------


class KontoParser:
    """Reads Konto's own CSV (this module's format): a header row, then one call per row."""

    def __init__(self, zone: tzinfo):
        self.zone = zone
        self.index: dict[str, int] = {}

    def delimiter(self, first_line: str) -> str:
        # Exported with commas; a spreadsheet set to Polish saves it back with semicolons.
        return sniff_delimiter(first_line)

    def check_not_empty(self) -> None:
        raise FileProblem("the file is empty; a Konto call CSV starts with its header row")

    def header(self, record: Record) -> bool:
        """Read the header row; a file without Konto's header is not read at all."""
        if record.fields is None:
            raise FileProblem(f"line {record.line}: the header row cannot be read: {record.error}")
        names = [name.strip().lower() for name in record.fields]
        unknown = [name for name in names if name not in COLUMNS]
        missing = [name for name in COLUMNS if name not in names]
        twice = sorted({name for name in names if names.count(name) > 1})
        problems = []
        if unknown:
            problems.append(f"unknown columns {', '.join(map(repr, unknown))}")
        if missing:
            problems.append(f"missing columns {', '.join(missing)}")
        if twice:
            problems.append(f"columns named twice: {', '.join(twice)}")
        if problems:
            raise FileProblem(
                f"line {record.line}: this is not the header of a Konto call CSV: "
                + "; ".join(problems)
                + f". The columns are: {', '.join(COLUMNS)}"
            )
        self.index = {name: names.index(name) for name in COLUMNS}
        return True

    def parse(self, line: int, fields: list[str]) -> ParsedCall:
        if len(fields) != len(self.index):
            raise Rejected(
                f"{len(fields)} fields, but the header has {len(self.index)} (is the line cut off?)"
            )
        if "\x00" in "".join(fields):
            check_no_nul(fields, tuple(sorted(self.index, key=self.index.__getitem__)))
        cell = {name: unguard_cell(fields[position]) for name, position in self.index.items()}
        source, colon, source_id = cell["call_id"].strip().partition(":")
        if not (colon and source and source_id):
            raise Rejected(f"{cell['call_id']!r} is not <source>:<source id>", "call_id")
        if len(source) > MAX_SOURCE or len(source_id) > MAX_SOURCE_ID:
            raise Rejected("the call ID is too long", "call_id")
        account_code = cell["account_id"].strip()
        if not account_code:
            raise Rejected("no account ID", "account_id")
        started_at = read_iso_time(cell["start_time"].strip(), "start_time", self.zone)
        answer = cell["answer_time"].strip()
        answered_at = read_iso_time(answer, "answer_time", self.zone) if answer else None
        if answered_at is not None and answered_at < started_at:
            raise Rejected("the answer time is before the start time", "answer_time")
        direction = cell["direction"].strip().lower()
        if direction not in CallRecord.Direction.values:
            raise Rejected(f"{direction!r} is not in, out or internal", "direction")
        disposition = cell["disposition"].strip().lower()
        if disposition not in CallRecord.Disposition.values:
            raise Rejected(
                f"{disposition!r} is not answered, no_answer, busy or failed", "disposition"
            )
        seconds = read_seconds(cell["duration"].strip(), "duration")
        billed = read_seconds(cell["billed_seconds"].strip(), "billed_seconds")
        if billed > seconds:
            raise Rejected("billed_seconds is longer than the duration", "billed_seconds")
        description = cell["description"].strip()
        if len(description) > MAX_DESCRIPTION:
            raise Rejected(f"longer than {MAX_DESCRIPTION} characters", "description")
        charge_text = cell["charge"].strip()
        charge = read_charge(charge_text, "charge") if charge_text else NO_CHARGE
        return ParsedCall(
            line=line,
            account_code=account_code,
            source=source,
            source_id=source_id,
            started_at=started_at,
            answered_at=answered_at,
            duration=seconds,
            billed_seconds=billed,
            caller=read_number(cell["caller"], "caller"),
            callee=read_number(cell["callee"], "callee"),
            direction=direction,
            disposition=disposition,
            description=description,
            charge=charge,
            currency=cell["currency"].strip().upper(),
        )
