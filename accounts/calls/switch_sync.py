"""Bringing the SIP proxy's call records into the call history: `manage.py sync_switch_calls`,
and the task that runs it again and again on the task worker.

What a record becomes is `proxy_records`' business; this module decides which records to
read, and makes running it from cron, from the task worker, or both at once, safe:

- Idempotent: every leg has its source id (source "kamailio"), unique in CallRecord, so a
  record read again adds nothing and charges nothing.
- One run at a time: a run holds a PostgreSQL advisory lock (SYNC_LOCK) while it works; a
  run that finds it taken does nothing and says so. The lock is the session's, so a run that
  dies releases it with its connection. SQLite (development, without a proxy: Kamailio needs
  PostgreSQL) takes no lock; there a second run at the same moment may stop with an
  IntegrityError, and the next run finishes the work.
- A watermark per table, the last row id read, kept in the audit trail: each run that read
  new records writes one "calls.switch_sync" event with the ids it reached and what it did,
  and the next run starts from there. Each run reads again the last OVERLAP_ROWS rows below
  the watermark: Kamailio's processes insert at the same time, and a row whose id was taken
  first may be committed a moment after a later one; read again, a record already imported
  is skipped as already present, and a record rejected is not reported again (the run that
  first read it did). When a table's largest id is below the watermark, the
  table was emptied and started again (a rebuilt proxy database): it is read from the start.
  Without any event (a new installation, an audit trail cleared), the tables are read whole.
- Rated with SWITCH_CALL_RATE per minute and SWITCH_CALL_INCREMENT; charges go through the
  ledger with their calls (importer.CallImport), inbound calls cost nothing.

On the task worker (`manage.py db_worker`), `sync_switch_calls_task` syncs and queues itself
again SWITCH_CALL_SYNC_SECONDS later. It queues its successor before it syncs, so a sync that
fails does not end the chain. There is one chain: a task that finds another sync waiting in
the queue queues none (two chains started at once become one), and `queue_sync` (`manage.py
sync_switch_calls --queue`) starts one only when none is waiting.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone
from django_tasks import TaskResult, TaskResultStatus, task

from accounts import audit
from accounts.calls.importer import CallImport, Summary
from accounts.calls.proxy_records import CDR_TABLE, MISSED_TABLE, ProxyRecords
from accounts.calls.rating import RatingError, Tariff
from accounts.calls.records import Rejection
from accounts.models import AuditEvent
from accounts.sip.models import SipCdr, SipMissedCall

SYNC_EVENT = "calls.switch_sync"
# Rows below the watermark read again by each run (see the module's docstring).
OVERLAP_ROWS = 1000
# Rows per query: read by id, a chunk at a time.
READ_CHUNK = 2000
# PostgreSQL advisory lock keys (any 64-bit numbers no other code of ours takes).
SYNC_LOCK = 0x6B6F6E746F0001
QUEUE_LOCK = 0x6B6F6E746F0002

# (table, rejection) → the caller shows it.
OnReject = Callable[[str, Rejection], None]


@dataclass
class SyncReport:
    """What one run did: `ran` is False when another run held the lock (nothing was read)."""

    ran: bool = True
    answered: Summary = field(default_factory=Summary)
    missed: Summary = field(default_factory=Summary)
    # The last row id read of each table (the watermark for the next run).
    last_ids: dict[str, int] = field(default_factory=dict)
    # Rejections of records read again below the watermark: reported by an earlier run.
    rejected_before: int = 0

    def total(self, name: str) -> int:
        return getattr(self.answered, name) + getattr(self.missed, name)

    @property
    def rejected(self) -> int:
        """Records rejected by this run, and reported by it."""
        return self.total("rejected") - self.rejected_before

    @property
    def charged(self) -> Decimal:
        return self.answered.charged + self.missed.charged

    @property
    def charged_accounts(self) -> set[int]:
        return self.answered.charged_accounts | self.missed.charged_accounts

    def as_data(self) -> dict[str, Any]:
        """For the audit trail and the task's result (JSON)."""
        return {
            **self.last_ids,
            "imported": self.total("imported"),
            "already_present": self.total("already_present"),
            "rejected": self.rejected,
            "skipped": self.total("skipped_without_account"),
            "charged": str(self.charged),
        }


def tariff() -> Tariff:
    """The tariff of calls recorded by the proxy, from SWITCH_CALL_RATE and _INCREMENT."""
    try:
        return Tariff.parse(settings.SWITCH_CALL_RATE, settings.SWITCH_CALL_INCREMENT)
    except RatingError as error:
        raise ImproperlyConfigured(
            f"SWITCH_CALL_RATE={settings.SWITCH_CALL_RATE!r}, "
            f"SWITCH_CALL_INCREMENT={settings.SWITCH_CALL_INCREMENT!r}: {error}"
        ) from error


def sync_switch_calls(
    *, actor: audit.Actor = None, on_reject: OnReject = lambda table, rejection: None
) -> SyncReport:
    """Import the proxy's records that are new since the last run (see the module's docstring)."""
    rates = tariff()
    with _exclusive(SYNC_LOCK) as ours:
        if not ours:
            return SyncReport(ran=False)
        since = watermarks()
        records = ProxyRecords(rates)
        answered = _Rows(SipCdr, since.get(CDR_TABLE, 0))
        missed = _Rows(SipMissedCall, since.get(MISSED_TABLE, 0))
        report = SyncReport()

        def reporter(table: str, rows: _Rows) -> Callable[[Rejection], None]:
            def reject(rejection: Rejection) -> None:
                if rejection.line <= rows.watermark:
                    report.rejected_before += 1
                else:
                    on_reject(table, rejection)

            return reject

        # Answered calls first: a call's failed branches then join its answered leg.
        report.answered = CallImport(
            None, actor=actor, on_reject=reporter(CDR_TABLE, answered)
        ).run_rows(answered, records.answered)
        report.missed = CallImport(
            None, actor=actor, on_reject=reporter(MISSED_TABLE, missed)
        ).run_rows(missed, records.missed)
        report.last_ids = {CDR_TABLE: answered.last_id, MISSED_TABLE: missed.last_id}
        if report.last_ids != {table: since.get(table, 0) for table in report.last_ids}:
            audit.record(
                SYNC_EVENT,
                actor=actor,
                message=f"{report.total('imported')} calls imported from the SIP proxy",
                **report.as_data(),
            )
        return report


def watermarks() -> dict[str, int]:
    """{table: the last row id read} by the last run that read anything ({} before the first)."""
    data = (
        AuditEvent.objects.filter(kind=SYNC_EVENT).order_by("-id").values_list("data", flat=True)
    ).first()
    if not data:
        return {}
    return {table: int(data.get(table, 0)) for table in (CDR_TABLE, MISSED_TABLE)}


class _Rows:
    """The rows of a proxy table from OVERLAP_ROWS below `watermark` on, by id, a chunk per
    query; `last_id` is the watermark for the next run once they have been read."""

    def __init__(self, model: type[models.Model], watermark: int):
        self.model = model
        largest = model._default_manager.aggregate(largest=Max("pk"))["largest"] or 0
        if largest < watermark:
            watermark = 0  # every id is below it: the table was started again
        # Rows up to here were read by an earlier run; from here on they are new.
        self.watermark = watermark
        self.last_id = watermark
        self.start = max(0, watermark - OVERLAP_ROWS)

    def __iter__(self) -> Iterator[Any]:
        after = self.start
        while True:
            chunk = list(
                self.model._default_manager.filter(pk__gt=after).order_by("pk")[:READ_CHUNK]
            )
            if not chunk:
                return
            yield from chunk
            after = chunk[-1].pk
            self.last_id = max(self.last_id, after)
            if len(chunk) < READ_CHUNK:
                return


@contextmanager
def _exclusive(key: int) -> Iterator[bool]:
    """Hold PostgreSQL's advisory lock `key` for this session if it is free: True if taken."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        ours = bool(cursor.fetchone()[0])
    try:
        yield ours
    finally:
        if ours:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


# --- On the task worker ----------------------------------------------------------------------


@task()
def sync_switch_calls_task() -> dict[str, Any]:
    """Sync the proxy's calls, having queued the next sync SWITCH_CALL_SYNC_SECONDS later."""
    queue_sync(timedelta(seconds=max(1, settings.SWITCH_CALL_SYNC_SECONDS)))
    report = sync_switch_calls()
    return {"ran": report.ran, **report.as_data()}


class QueueUnavailable(Exception):
    """The task backend runs tasks as they are queued (TASKS_BACKEND=immediate): no chain."""


def queue_sync(delay: timedelta = timedelta(0)) -> TaskResult | None:
    """Queue a sync `delay` from now, unless one is waiting in the queue already; returns the
    queued task, or None when one was waiting.

    Raises QueueUnavailable when tasks cannot wait (the immediate backend): from a task this
    is never raised, as there the chain simply stops.
    """
    backend = sync_switch_calls_task.get_backend()
    if not backend.supports_defer:
        if delay:
            return None  # a chain run by the immediate backend would never return
        raise QueueUnavailable(
            "The task backend runs tasks as they are queued (TASKS_BACKEND=immediate), so "
            "nothing can wait for the next sync: run sync_switch_calls from cron instead."
        )
    with transaction.atomic():
        _lock_in_transaction(QUEUE_LOCK)
        if _sync_waiting():
            return None
        return sync_switch_calls_task.using(run_after=timezone.now() + delay).enqueue()


def waiting_sync() -> Any | None:
    """The sync waiting in the database queue (its DBTaskResult), if any."""
    from django_tasks_db.models import DBTaskResult

    return (
        DBTaskResult.objects.filter(
            task_path=sync_switch_calls_task.module_path, status=TaskResultStatus.READY
        )
        .order_by("run_after")
        .first()
    )


def _sync_waiting() -> bool:
    from django_tasks_db.backend import DatabaseBackend

    # Only the database queue can be asked what waits in it; another backend gets a new
    # task each time (a chain's tasks still never sync at once: SYNC_LOCK).
    if not isinstance(sync_switch_calls_task.get_backend(), DatabaseBackend):
        return False
    return waiting_sync() is not None


def _lock_in_transaction(key: int) -> None:
    """PostgreSQL's advisory lock `key` until the transaction ends (waits for it)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
