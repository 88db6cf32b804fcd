"""Importing call records (CDRs) from the switch: `manage.py import_cdrs`.

Two formats:

- "asterisk": Asterisk's Master.csv (cdr_csv). No header; 16 fields (accountcode, src, dst,
  dcontext, clid, channel, dstchannel, lastapp, lastdata, start, answer, end, duration,
  billsec, disposition, amaflags), 17 with uniqueid, 18 with userfield. Times are the
  switch's local time (`--tz`; ambiguous times of the autumn clock change are read as the
  first, summer-time, occurrence).
- "konto": Konto's own CSV (accounts.callcsv), with a header row and a charge column.

How an Asterisk record becomes a call of an account:

- the account is the one whose account ID is the record's `accountcode`;
- the call's identity is ("asterisk", uniqueid); without a uniqueid (16-field files, or an
  empty one) it is a hash of the record's fields, so the same line always maps to the same
  call;
- direction: inbound when `dcontext` is one of the contexts where calls from outside enter
  the dialplan (INBOUND_CONTEXTS, or `--inbound-context`), otherwise outbound: a call that
  enters any other context was placed by the account's own phone. Asterisk records do not
  say whether the other party is one of the operator's customers, so they are never
  "internal";
- caller is `src` (or the number in `clid` when `src` is empty), callee is `dst`; the
  description of an inbound call is the caller's name from `clid`;
- the charge: a `userfield` that is a plain amount ("0.12") is the price the switch put on
  the call, whatever its direction; otherwise answered outbound calls cost `--rate` per
  minute, per second of billsec (rate × billsec / 60, rounded to the cent). The default rate
  is 0: Master.csv has no prices, so nothing is charged unless the operator says so.

Charges go through the ledger, each entry linked to its call; a call is charged once, when
it is first imported. Importing a file again adds nothing and charges nothing.

Rows are read in batches. Each batch (its calls and their charges) is one transaction, so a
call is never stored without its charge; an interrupted import is finished by running it
again. Run one import at a time: a duplicate within the file is told from a call imported
earlier by its database id, which would confuse two imports running at once.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import connection, transaction
from django.db.models import Max

from accounts import audit, bulk, callcsv, services
from accounts.csvfiles import FileProblem, Record, records, sniff_delimiter
from accounts.models import Account, BalanceEntry, CallRecord

FORMATS = ("asterisk", "konto")
ASTERISK_SOURCE = "asterisk"
INBOUND_CONTEXTS = (
    "from-trunk",
    "from-pstn",
    "from-external",
    "from-did",
    "ext-did",
    "incoming",
    "inbound",
)
BATCH_SIZE = 5000
CENT = Decimal("0.01")
NO_CHARGE = Decimal("0.00")
# Plain strings, not the enum members: a million of them go to the database driver.
INBOUND = CallRecord.Direction.INBOUND.value
OUTBOUND = CallRecord.Direction.OUTBOUND.value
ANSWERED = CallRecord.Disposition.ANSWERED.value
DISPOSITIONS = {
    "ANSWERED": ANSWERED,
    "NO ANSWER": CallRecord.Disposition.NO_ANSWER.value,
    "BUSY": CallRecord.Disposition.BUSY.value,
    "FAILED": CallRecord.Disposition.FAILED.value,
    # Asterisk 12 and later write CONGESTION for calls the network could not complete.
    "CONGESTION": CallRecord.Disposition.FAILED.value,
}
ASTERISK_COLUMNS = (
    "accountcode",
    "src",
    "dst",
    "dcontext",
    "clid",
    "channel",
    "dstchannel",
    "lastapp",
    "lastdata",
    "start",
    "answer",
    "end",
    "duration",
    "billsec",
    "disposition",
    "amaflags",
    "uniqueid",
    "userfield",
)
AMOUNT = re.compile(r"-?[0-9]+(\.[0-9]+)?")
CLID_NUMBER = re.compile(r"<([^<>]*)>\s*$")
MAX_NUMBER = CallRecord._meta.get_field("caller").max_length
MAX_SOURCE_ID = CallRecord._meta.get_field("source_id").max_length
MAX_SOURCE = CallRecord._meta.get_field("source").max_length
MAX_DESCRIPTION = CallRecord._meta.get_field("description").max_length
# The columns written for each new call, in this order (see _call_row).
CALL_FIELDS = [
    "account_id",
    "source",
    "source_id",
    "started_at",
    "answered_at",
    "duration",
    "billed_seconds",
    "caller",
    "callee",
    "direction",
    "disposition",
    "description",
    "charge",
]


# A call's identity: (source, source id).
CallKey = tuple[str, str]


class Rejected(Exception):
    """A row that cannot be imported, and why."""

    def __init__(self, message: str, column: str = ""):
        super().__init__(message)
        self.column = column


@dataclass(slots=True)
class ParsedCall:
    line: int
    account_code: str
    source: str
    source_id: str
    started_at: datetime
    answered_at: datetime | None
    duration: int
    billed_seconds: int
    caller: str
    callee: str
    direction: str
    disposition: str
    description: str
    charge: Decimal
    currency: str = ""
    account_pk: int = 0


@dataclass
class Summary:
    imported: int = 0
    already_present: int = 0
    rejected: int = 0
    charged_calls: int = 0
    charged: Decimal = Decimal("0.00")
    charged_accounts: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class Rejection:
    line: int
    message: str
    column: str = ""

    def __str__(self) -> str:
        where = f"line {self.line}, column {self.column}" if self.column else f"line {self.line}"
        return f"{where}: {self.message}"


# --- Reading fields ------------------------------------------------------------------------------


def _local_time(value: str, column: str, zone: tzinfo) -> datetime:
    # fromisoformat is fast but lenient; the shape check keeps it to Asterisk's own format.
    if len(value) == 19 and value[4] == "-" and value[7] == "-" and value[10] == " ":
        try:
            return datetime.fromisoformat(value).replace(tzinfo=zone)
        except ValueError:
            pass
    raise Rejected(f"{value!r} is not a date and time like 2026-11-02 08:10:00", column)


def _iso_time(value: str, column: str, zone: tzinfo) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise Rejected(
            f"{value!r} is not a date and time like 2026-11-24T10:15:00+01:00", column
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _seconds(value: str, column: str) -> int:
    if value.isascii() and value.isdigit():
        return int(value)
    if value.startswith("-") and value[1:].isascii() and value[1:].isdigit():
        raise Rejected(f"a negative number of seconds ({value})", column)
    raise Rejected(f"{value!r} is not a whole number of seconds", column)


def _number(value: str, column: str) -> str:
    value = value.strip()
    if len(value) > MAX_NUMBER:
        raise Rejected(f"longer than {MAX_NUMBER} characters", column)
    return value


def _charge(value: str, column: str) -> Decimal:
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise Rejected(f"{value!r} is not an amount like 0.12", column) from None
    if not amount.is_finite() or amount < 0:
        raise Rejected(f"{value!r}: a charge is an amount of zero or more", column)
    if amount >= services.MAX_MANUAL_AMOUNT:
        raise Rejected(f"{value!r} is too large", column)
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _clid_parts(clid: str) -> tuple[str, str]:
    """'"Jan Kowalski" <48221234567>' → ("Jan Kowalski", "48221234567")."""
    match = CLID_NUMBER.search(clid)
    if not match:
        return clid.strip().strip('"').strip(), ""
    return clid[: match.start()].strip().strip('"').strip(), match.group(1).strip()


# --- Asterisk ------------------------------------------------------------------------------------


class AsteriskParser:
    """Turns Master.csv records into ParsedCall (or raises Rejected)."""

    def __init__(self, zone: tzinfo, rate: Decimal, inbound_contexts: Iterable[str]):
        self.zone = zone
        self.rate = rate
        self.inbound_contexts = tuple(context.lower() for context in inbound_contexts)

    def delimiter(self, first_line: str) -> str:
        return ","

    def header(self, record: Record) -> bool:
        """Master.csv has no header: the first record is a call."""
        return False

    def check_not_empty(self) -> None:
        """An empty Master.csv is a quiet day on the switch."""

    def parse(self, line: int, fields: list[str]) -> ParsedCall:
        count = len(fields)
        if not 16 <= count <= 18:
            hint = ""
            if count < 16 and any(";" in value or "\t" in value for value in fields):
                hint = "; the fields seem separated by ';' or tabs, but Asterisk writes commas"
            elif count < 16:
                hint = " (is the line cut off?)"
            raise Rejected(f"{count} fields, but an Asterisk record has 16 to 18{hint}")
        (
            accountcode,
            src,
            dst,
            dcontext,
            clid,
            _channel,
            _dstchannel,
            _lastapp,
            _lastdata,
            start,
            answer,
            end,
            duration,
            billsec,
            disposition,
        ) = fields[:15]
        uniqueid = fields[16].strip() if count > 16 else ""
        userfield = fields[17].strip() if count > 17 else ""
        zone = self.zone
        started_at = _local_time(start, "start", zone)
        answered_at = _local_time(answer, "answer", zone) if answer else None
        ended_at = _local_time(end, "end", zone)
        if answered_at is not None and answered_at < started_at:
            raise Rejected("the answer time is before the start time", "answer")
        if ended_at < started_at:
            raise Rejected("the end time is before the start time", "end")
        seconds = _seconds(duration, "duration")
        billed = _seconds(billsec, "billsec")
        if billed > seconds:
            raise Rejected(f"billsec ({billed}) is longer than the duration ({seconds})", "billsec")
        state = DISPOSITIONS.get(disposition.strip().upper())
        if state is None:
            raise Rejected(
                f"{disposition!r} is not ANSWERED, NO ANSWER, BUSY, FAILED or CONGESTION",
                "disposition",
            )
        accountcode = accountcode.strip()
        if not accountcode:
            raise Rejected("no accountcode: the record names no account", "accountcode")
        if uniqueid:
            if len(uniqueid) > MAX_SOURCE_ID:
                raise Rejected(f"longer than {MAX_SOURCE_ID} characters", "uniqueid")
            source_id = uniqueid
        else:
            digest = hashlib.blake2b("\x1f".join(fields[:16]).encode(), digest_size=16)
            source_id = f"row-{digest.hexdigest()}"
        inbound = dcontext.strip().lower().startswith(self.inbound_contexts)
        name, clid_number = _clid_parts(clid) if inbound or not src else ("", "")
        if userfield and AMOUNT.fullmatch(userfield):
            charge = _charge(userfield, "userfield")
        elif self.rate and not inbound and billed and state == ANSWERED:
            charge = (self.rate * billed / 60).quantize(CENT, rounding=ROUND_HALF_UP)
        else:
            charge = NO_CHARGE
        return ParsedCall(
            line=line,
            account_code=accountcode,
            source=ASTERISK_SOURCE,
            source_id=source_id,
            started_at=started_at,
            answered_at=answered_at,
            duration=seconds,
            billed_seconds=billed,
            caller=_number(src or clid_number, "src"),
            callee=_number(dst, "dst"),
            direction=INBOUND if inbound else OUTBOUND,
            disposition=state,
            description=name[:MAX_DESCRIPTION] if inbound else "",
            charge=charge,
        )


# --- Konto CSV -----------------------------------------------------------------------------------


class KontoParser:
    """Reads Konto's own CSV (accounts.callcsv): a header row, then one call per row."""

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
        unknown = [name for name in names if name not in callcsv.COLUMNS]
        missing = [name for name in callcsv.COLUMNS if name not in names]
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
                + f". The columns are: {', '.join(callcsv.COLUMNS)}"
            )
        self.index = {name: names.index(name) for name in callcsv.COLUMNS}
        return True

    def parse(self, line: int, fields: list[str]) -> ParsedCall:
        if len(fields) != len(self.index):
            raise Rejected(
                f"{len(fields)} fields, but the header has {len(self.index)} (is the line cut off?)"
            )
        cell = {name: fields[position] for name, position in self.index.items()}
        source, colon, source_id = cell["call_id"].strip().partition(":")
        if not (colon and source and source_id):
            raise Rejected(f"{cell['call_id']!r} is not <source>:<source id>", "call_id")
        if len(source) > MAX_SOURCE or len(source_id) > MAX_SOURCE_ID:
            raise Rejected("the call ID is too long", "call_id")
        account_code = cell["account_id"].strip()
        if not account_code:
            raise Rejected("no account ID", "account_id")
        started_at = _iso_time(cell["start_time"].strip(), "start_time", self.zone)
        answer = cell["answer_time"].strip()
        answered_at = _iso_time(answer, "answer_time", self.zone) if answer else None
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
        seconds = _seconds(cell["duration"].strip(), "duration")
        billed = _seconds(cell["billed_seconds"].strip(), "billed_seconds")
        if billed > seconds:
            raise Rejected("billed_seconds is longer than the duration", "billed_seconds")
        description = cell["description"].strip()
        if len(description) > MAX_DESCRIPTION:
            raise Rejected(f"longer than {MAX_DESCRIPTION} characters", "description")
        charge_text = cell["charge"].strip()
        charge = _charge(charge_text, "charge") if charge_text else NO_CHARGE
        return ParsedCall(
            line=line,
            account_code=account_code,
            source=source,
            source_id=source_id,
            started_at=started_at,
            answered_at=answered_at,
            duration=seconds,
            billed_seconds=billed,
            caller=_number(cell["caller"], "caller"),
            callee=_number(cell["callee"], "callee"),
            direction=direction,
            disposition=disposition,
            description=description,
            charge=charge,
            currency=cell["currency"].strip().upper(),
        )


# --- The import ----------------------------------------------------------------------------------


@dataclass
class _AccountInfo:
    pk: int
    currency: str


class CallImport:
    """One run of import_cdrs over one file.

    `on_reject` receives each Rejection as it is found (the command prints it), `on_progress`
    the number of lines read since the last call.
    """

    def __init__(
        self,
        parser: AsteriskParser | KontoParser,
        *,
        dry_run: bool = False,
        actor: audit.Actor = None,
        on_reject: Callable[[Rejection], None] = lambda rejection: None,
        on_progress: Callable[[int], None] = lambda lines: None,
        batch_size: int = BATCH_SIZE,
    ):
        self.parser = parser
        self.dry_run = dry_run
        self.actor = actor
        self.on_reject = on_reject
        self.on_progress = on_progress
        self.batch_size = batch_size
        self.summary = Summary()
        self.accounts: dict[str, _AccountInfo | None] = {}
        # Calls with a larger id than this were written by this run: finding one of them again
        # means the file has the call twice. A dry run writes nothing, so it remembers instead.
        self.watermark = 0
        self.seen_in_dry_run: dict[CallKey, int] = {}
        self.progress_line = 0
        self.lock = threading.Lock()

    def run(self, lines: Iterable[str], total_lines: int = 0) -> Summary:
        self.watermark = CallRecord.objects.aggregate(last=Max("pk"))["last"] or 0
        with self._batches() as store:
            batch: list[ParsedCall] = []
            for record in self._records(lines):
                try:
                    if record.fields is None:
                        raise Rejected(record.error)
                    batch.append(self.parser.parse(record.line, record.fields))
                except Rejected as error:
                    self._reject(record.line, error)
                if len(batch) >= self.batch_size:
                    store(self._prepare(batch))
                    batch = []
            store(self._prepare(batch))
        if total_lines:
            self._report_progress(total_lines)
        if not self.dry_run and self.summary.imported:
            audit.record(
                "calls.import",
                actor=self.actor,
                message=f"{self.summary.imported} calls imported",
                imported=self.summary.imported,
                already_present=self.summary.already_present,
                rejected=self.summary.rejected,
                charged=str(self.summary.charged),
            )
        return self.summary

    def _records(self, lines: Iterable[str]) -> Iterator[Record]:
        lines = iter(lines)
        first = next(lines, "")
        stream = records(_chain_first(first, lines), self.parser.delimiter(first))
        first_record = next(stream, None)
        if first_record is None:
            self.parser.check_not_empty()
            return
        if not self.parser.header(first_record):
            yield first_record
        for record in stream:
            yield record
            if record.line - self.progress_line >= self.batch_size:
                self._report_progress(record.line)

    def _report_progress(self, line: int) -> None:
        if line > self.progress_line:
            self.on_progress(line - self.progress_line)
            self.progress_line = line

    @contextmanager
    def _batches(self) -> Iterator[Callable[[dict[CallKey, ParsedCall]], None]]:
        """Where prepared batches go: straight to _store, or to a writer thread.

        On PostgreSQL the database works on one batch (index updates, mostly) while Python
        reads the next, so the two overlap instead of taking turns. The thread has its own
        connection, so it is used only outside a transaction: inside one (a caller's atomic
        block, a test) it could not see the caller's uncommitted rows.
        """
        if connection.vendor != "postgresql" or connection.in_atomic_block:
            yield self._store
            return
        writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="import_cdrs")
        pending: deque[Future] = deque()

        def submit(batch: dict[CallKey, ParsedCall]) -> None:
            pending.append(writer.submit(self._store, batch))
            while len(pending) > 2:  # bounded memory: at most two batches waiting
                pending.popleft().result()

        try:
            yield submit
            while pending:
                pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()
            writer.submit(_close_thread_connection).result()
            writer.shutdown()

    def _reject(self, line: int, error: Rejected) -> None:
        with self.lock:
            self.summary.rejected += 1
            self.on_reject(Rejection(line, str(error), error.column))

    def _prepare(self, batch: list[ParsedCall]) -> dict[CallKey, ParsedCall]:
        """A batch's calls by their key, without those that cannot be imported (reads only)."""
        fresh: dict[CallKey, ParsedCall] = {}
        if not batch:
            return fresh
        self._load_accounts({call.account_code for call in batch})
        for call in batch:
            info = self.accounts[call.account_code]
            column = "accountcode" if call.source == ASTERISK_SOURCE else "account_id"
            if info is None:
                self._reject(call.line, Rejected(f"unknown account {call.account_code!r}", column))
            elif call.currency and call.currency != info.currency:
                self._reject(
                    call.line,
                    Rejected(
                        f"the charge is in {call.currency}, the account's currency is "
                        f"{info.currency}",
                        "currency",
                    ),
                )
            elif (key := (call.source, call.source_id)) in fresh:
                self._reject(
                    call.line,
                    Rejected(
                        f"the call {call.source}:{call.source_id} is already on line "
                        f"{fresh[key].line}"
                    ),
                )
            else:
                call.account_pk = info.pk
                fresh[key] = call
        return fresh

    def _store(self, fresh: dict[CallKey, ParsedCall]) -> None:
        """Write a prepared batch's new calls and their charges; batches come in file order."""
        if not fresh:
            return
        for key, pk in self._existing(list(fresh)):
            call = fresh.pop(key)
            if pk > self.watermark:
                self._reject(call.line, Rejected(_earlier_in_file(call)))
            else:
                self.summary.already_present += 1
        if self.dry_run:
            for key, call in list(fresh.items()):
                if key in self.seen_in_dry_run:
                    del fresh[key]
                    self._reject(call.line, Rejected(_earlier_in_file(call)))
                else:
                    self.seen_in_dry_run[key] = call.line
        new_calls = list(fresh.values())
        self._count_charges(new_calls)
        self.summary.imported += len(new_calls)
        if not self.dry_run:
            self._write(new_calls)

    def _load_accounts(self, codes: set[str]) -> None:
        unknown = [code for code in codes if code not in self.accounts]
        for code in unknown:
            self.accounts[code] = None
        for code, pk, currency in Account.objects.filter(account_id__in=unknown).values_list(
            "account_id", "pk", "currency"
        ):
            self.accounts[code] = _AccountInfo(pk, currency)

    def _existing(self, keys: list[CallKey]) -> Iterator[tuple[CallKey, int]]:
        by_source: dict[str, list[str]] = {}
        for source, source_id in keys:
            by_source.setdefault(source, []).append(source_id)
        for source, source_ids in by_source.items():
            for source_id, pk in bulk.ids_by_value(
                CallRecord, "source_id", source_ids, source=source
            ):
                yield (source, source_id), pk

    def _count_charges(self, calls: list[ParsedCall]) -> None:
        for call in calls:
            if call.charge:
                self.summary.charged_calls += 1
                self.summary.charged += call.charge
                self.summary.charged_accounts.add(call.account_pk)

    @transaction.atomic
    def _write(self, calls: list[ParsedCall]) -> None:
        ids = bulk.insert_rows(
            CallRecord,
            CALL_FIELDS,
            [
                (
                    call.account_pk,
                    call.source,
                    call.source_id,
                    call.started_at,
                    call.answered_at,
                    call.duration,
                    call.billed_seconds,
                    call.caller,
                    call.callee,
                    call.direction,
                    call.disposition,
                    call.description,
                    call.charge,
                )
                for call in calls
            ],
        )
        charges = [
            services.LedgerLine(
                call.account_pk,
                -call.charge,
                BalanceEntry.Kind.CALL_CHARGE,
                call.callee,
                pk,
            )
            for call, pk in sorted(
                ((call, pk) for call, pk in zip(calls, ids, strict=True) if call.charge),
                key=lambda pair: (pair[0].started_at, pair[1]),
            )
        ]
        services.change_balance_bulk(charges, actor=self.actor)


def _close_thread_connection() -> None:
    """Close the calling thread's database connection (a writer thread's, when it is done)."""
    connection.close()


def _earlier_in_file(call: ParsedCall) -> str:
    return f"the call {call.source}:{call.source_id} is already on an earlier line of this file"


def _chain_first(first: str, rest: Iterator[str]) -> Iterator[str]:
    if first:
        yield first
    yield from rest
