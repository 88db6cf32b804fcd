"""The import of call records from the switch: `manage.py import_cdrs`.

Two formats, each read by its own parser: Asterisk's Master.csv (`asterisk_csv`) and Konto's
own call CSV (`konto_csv`). A parser turns each row into a ParsedCall or rejects it; this
module does the rest, the same for both. The SIP proxy's records (`proxy_records`, read by
`manage.py sync_switch_calls`) are rows of its tables, read through `run_rows`.

Charges go through the ledger, each entry linked to its call; a call is charged once, when
it is first imported. Importing a file again adds nothing and charges nothing.

Each record is a leg; legs sharing a call key are one call, shown in the history by its
primary leg (settle_primary_legs), each leg billed on its own.

Rows are read in batches. Each batch (its calls and their charges) is one transaction, so a
call is never stored without its charge; an interrupted import is finished by running it
again. Run one import at a time: a duplicate within the file is told from a call imported
earlier by its database id, which would confuse two imports running at once.
"""

from __future__ import annotations

import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TypeVar

from django.db import connection, models, transaction
from django.db.models import Max

from accounts import audit, bulk
from accounts.calls.asterisk_csv import ASTERISK_SOURCE, AsteriskParser, Skipped
from accounts.calls.cache import note_calls_changed
from accounts.calls.direction import UNKNOWN
from accounts.calls.konto_csv import KontoParser
from accounts.calls.records import CallKey, ParsedCall, Rejected, Rejection
from accounts.csvfiles import Record, records
from accounts.ledger.services import LedgerLine, change_balance_bulk
from accounts.models import Account, BalanceEntry, CallRecord, PhoneNumber

FORMATS = ("asterisk", "konto")
BATCH_SIZE = 5000
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
    "call_key",
]
ANSWERED = CallRecord.Disposition.ANSWERED.value
CALL_CHARGE = BalanceEntry.Kind.CALL_CHARGE.value
# Keys per query when looking for the other legs of a batch's calls (SQLite's parameter limit).
KEYS_PER_QUERY = 500
Row = TypeVar("Row", bound=models.Model)


@dataclass
class Summary:
    imported: int = 0
    already_present: int = 0
    rejected: int = 0
    charged_calls: int = 0
    charged: Decimal = Decimal("0.00")
    charged_accounts: set[int] = field(default_factory=set)
    # Records that name no account (internal calls): not an error, not a customer's call.
    skipped_without_account: int = 0
    # Calls imported whose direction nothing could tell (never charged), by dialplan context.
    unknown_direction: Counter[str] = field(default_factory=Counter)


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
        parser: AsteriskParser | KontoParser | None,
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
        self.numbers: dict[int, frozenset[str]] = {}
        # Calls with a larger id than this were written by this run: finding one of them again
        # means the file has the call twice. A dry run writes nothing, so it remembers instead.
        self.watermark = 0
        self.seen_in_dry_run: dict[CallKey, int] = {}
        self.progress_line = 0
        self.lock = threading.Lock()

    def run(self, lines: Iterable[str], total_lines: int = 0) -> Summary:
        self._import(self._parsed(lines))
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

    def run_rows(self, rows: Iterable[Row], parse: Callable[[Row], list[ParsedCall]]) -> Summary:
        """Import the legs `parse` makes of each row of a table (the SIP proxy's records),
        with their direction and charge settled; a rejection names the row by its id, as a
        file's by its line. No audit event: the caller writes its own."""

        def legs() -> Iterator[ParsedCall]:
            for row in rows:
                try:
                    yield from parse(row)
                except Rejected as error:
                    self._reject(row.pk, error)
                except Skipped:
                    self.summary.skipped_without_account += 1

        self._import(legs())
        return self.summary

    def _parsed(self, lines: Iterable[str]) -> Iterator[ParsedCall]:
        assert self.parser is not None, "run() reads lines with a parser"
        for record in self._records(lines):
            try:
                if record.fields is None:
                    raise Rejected(record.error)
                yield self.parser.parse(record.line, record.fields)
            except Rejected as error:
                self._reject(record.line, error)
            except Skipped:
                self.summary.skipped_without_account += 1

    def _import(self, calls: Iterable[ParsedCall]) -> None:
        self.watermark = CallRecord.objects.aggregate(last=Max("pk"))["last"] or 0
        with self._batches() as store:
            batch: list[ParsedCall] = []
            for call in calls:
                batch.append(call)
                if len(batch) >= self.batch_size:
                    store(self._prepare(batch))
                    batch = []
            store(self._prepare(batch))

    def _records(self, lines: Iterable[str]) -> Iterator[Record]:
        assert self.parser is not None
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
        if isinstance(self.parser, AsteriskParser):
            # Only for calls to write: a file imported again costs no rating.
            for call in new_calls:
                self.parser.settle(call, self.numbers[call.account_pk])
        self._count_charges(new_calls)
        self.summary.imported += len(new_calls)
        if new_calls and not self.dry_run:
            self._write(new_calls)

    def _load_accounts(self, codes: set[str]) -> None:
        unknown = [code for code in codes if code not in self.accounts]
        for code in unknown:
            self.accounts[code] = None
        found = list(
            Account.objects.filter(account_id__in=unknown).values_list(
                "account_id", "pk", "currency"
            )
        )
        infos = {pk: _AccountInfo(pk, currency) for _code, pk, currency in found}
        numbers: dict[int, set[str]] = {}
        for account_pk, number in PhoneNumber.objects.filter(account__in=list(infos)).values_list(
            "account_id", "number"
        ):
            numbers.setdefault(account_pk, set()).add(number)
        for code, pk, _currency in found:
            self.numbers[pk] = frozenset(numbers.get(pk, ()))
            self.accounts[code] = infos[pk]

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
            if call.direction == UNKNOWN:
                self.summary.unknown_direction[call.context] += 1
            if call.charge:
                self.summary.charged_calls += 1
                self.summary.charged += call.charge
                self.summary.charged_accounts.add(call.account_pk)

    @transaction.atomic
    def _write(self, calls: list[ParsedCall]) -> None:
        if connection.vendor == "postgresql":
            _bulk_write_settings()
        note_calls_changed(call.account_pk for call in calls)
        several_legs = calls_with_several_legs(calls)
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
                    call.call_key,
                )
                for call in calls
            ],
        )
        if several_legs:
            settle_primary_legs(several_legs)
        charges = [
            LedgerLine(
                call.account_pk,
                -call.charge,
                CALL_CHARGE,
                call.callee,
                pk,
            )
            for call, pk in sorted(
                ((call, pk) for call, pk in zip(calls, ids, strict=True) if call.charge),
                key=lambda pair: (pair[0].started_at, pair[1]),
            )
        ]
        change_balance_bulk(charges, actor=self.actor)


def calls_with_several_legs(calls: list[ParsedCall]) -> set[tuple[int, str]]:
    """The calls (account pk, call key) of a batch about to be written that will then have
    more than one leg: twice in the batch, or with a leg stored already.

    Asked before the batch is written, the database finds nothing for nearly every key (a
    call's legs are written together, and uniqueids grow with time), which costs far less
    than reading the batch's own fresh rows back afterwards.
    """
    seen: set[tuple[int, str]] = set()
    several: set[tuple[int, str]] = set()
    for call in calls:
        if call.call_key:
            pair = (call.account_pk, call.call_key)
            if pair in seen:
                several.add(pair)
            seen.add(pair)
    keys = sorted({key for _account, key in seen})
    stored = bulk.stored_pairs(CallRecord, "call_key", keys, "account_id")
    several.update((account, key) for key, account in stored if (account, key) in seen)
    return several


def settle_primary_legs(several: set[tuple[int, str]]) -> None:
    """Mark the one leg each call is shown by, for calls (account pk, call key) with several.

    The primary leg is an answered one if any (an answered leg makes the call answered),
    else the earliest; ties go to the first written. Most calls have one leg, which is
    primary by default: only calls with several legs are looked at, and only rows whose flag
    changes are written.
    """
    legs: dict[tuple[int, str], list[tuple[bool, datetime, int, bool]]] = {}
    wanted = sorted({key for _account, key in several})
    for start in range(0, len(wanted), KEYS_PER_QUERY):
        for pk, account, key, disposition, started_at, primary in CallRecord.objects.filter(
            call_key__in=wanted[start : start + KEYS_PER_QUERY]
        ).values_list(
            "pk", "account_id", "call_key", "disposition", "started_at", "is_primary_leg"
        ):
            if (account, key) in several:
                legs.setdefault((account, key), []).append(
                    (disposition != ANSWERED, started_at, pk, primary)
                )
    promote: list[int] = []
    demote: list[int] = []
    for group in legs.values():
        group.sort(key=lambda leg: leg[:3])
        best = group[0]
        if not best[3]:
            promote.append(best[2])
        demote.extend(leg[2] for leg in group[1:] if leg[3])
    for pks, primary in ((promote, True), (demote, False)):
        for start in range(0, len(pks), KEYS_PER_QUERY):
            CallRecord.objects.filter(pk__in=pks[start : start + KEYS_PER_QUERY]).update(
                is_primary_leg=primary
            )


def _bulk_write_settings() -> None:
    """synchronous_commit off for the rest of this batch's transaction (PostgreSQL): the
    commit returns before its WAL reaches the disk. A crash can lose the last batches
    committed, never corrupt or half-write one, and an import is idempotent: running the
    file again adds exactly what was lost, so a batch need not wait for the disk."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('synchronous_commit', 'off', true)")


def _close_thread_connection() -> None:
    """Close the calling thread's database connection (a writer thread's, when it is done)."""
    connection.close()


def _earlier_in_file(call: ParsedCall) -> str:
    return f"the call {call.source}:{call.source_id} is already on an earlier line of this file"


def _chain_first(first: str, rest: Iterator[str]) -> Iterator[str]:
    if first:
        yield first
    yield from rest
