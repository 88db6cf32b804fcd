from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import CommandError, CommandParser
from django.db import IntegrityError

from accounts.calls import switch_sync
from accounts.calls.records import Rejection
from accounts.management.base import OperatorCommand, counted


class Command(OperatorCommand):
    help = """Bring the SIP proxy's new call records into the accounts' call history.

The proxy (Kamailio's acc module with dialog, deploy/kamailio/) writes each answered call to
acc_cdrs and each failed one to missed_calls, in Konto's database. Each record becomes a leg
of every account it names: outbound for the caller's account, inbound for the callee's, so a
call between two accounts is in both histories. Answered calls have their duration (started
seconds); missed and declined ones their result from the SIP code: 486 and 600 busy; 408,
480 and 487 no answer; 603 (declined, as call screening rejects) and any other failure
failed.

Answered outbound calls are charged through the ledger at SWITCH_CALL_RATE per minute with
SWITCH_CALL_INCREMENT (settings); inbound calls cost nothing.

Safe to run at any time, as often as you like: a record read again adds nothing and charges
nothing; a run that finds another one working does nothing; each run starts where the last
one stopped. Run it every minute from cron:

    * * * * *  cd /srv/konto && .venv/bin/python manage.py sync_switch_calls

or let the task worker (manage.py db_worker) run it every SWITCH_CALL_SYNC_SECONDS: start
that once with --queue (it keeps itself queued; starting it again changes nothing).
The exit status is 1 when a record was rejected (listed, with its table and id)."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--queue",
            action="store_true",
            help="Instead of syncing now, queue the sync on the task worker, which then runs "
            "it every SWITCH_CALL_SYNC_SECONDS (nothing happens when it is queued already).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["queue"]:
            self._queue()
            return

        def reject(table: str, rejection: Rejection) -> None:
            column = "" if rejection.column in ("", "account_id") else f", {rejection.column}"
            self.stderr.write(f"{table} id {rejection.line}{column}: {rejection.message}")

        try:
            report = switch_sync.sync_switch_calls(actor=self.actor, on_reject=reject)
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        except IntegrityError as error:
            # Only another sync writing the same calls at that moment gets here (SQLite,
            # which has no advisory lock); the next run finishes the work.
            raise CommandError(
                f"Another sync wrote some of these calls at the same time ({error}). The next "
                "run brings in the rest."
            ) from error
        if not report.ran:
            self.stdout.write("Another sync_switch_calls is running; this one did nothing.")
            return
        self._report(report)
        rejected = report.rejected
        if rejected:
            raise CommandError(
                f"{counted(rejected, 'record')} rejected (listed above).", returncode=1
            )

    def _report(self, report: switch_sync.SyncReport) -> None:
        self.stdout.write(
            f"Imported {counted(report.total('imported'), 'call')}; "
            f"{report.total('already_present')} already present; "
            f"{report.rejected} rejected."
        )
        charged_calls = report.total("charged_calls")
        if charged_calls:
            self.stdout.write(
                f"Charged {report.charged:.2f} for {counted(charged_calls, 'call')} of "
                f"{counted(len(report.charged_accounts), 'account')}."
            )
        skipped = report.total("skipped_without_account")
        if skipped:
            self.stdout.write(
                f"Skipped {counted(skipped, 'record')} of no account's call (no account "
                "named, or a digest challenge)."
            )
        self.stdout.write(
            "Read up to "
            + ", ".join(f"{table} id {last}" for table, last in report.last_ids.items())
            + "."
        )

    def _queue(self) -> None:
        try:
            queued = switch_sync.queue_sync()
        except switch_sync.QueueUnavailable as error:
            raise CommandError(str(error)) from error
        every = settings.SWITCH_CALL_SYNC_SECONDS
        if queued is None:
            waiting = switch_sync.waiting_sync()
            when = f" (next at {waiting.run_after:%Y-%m-%d %H:%M:%S %Z})" if waiting else ""
            self.stdout.write(f"The sync is queued already{when}; nothing changed.")
            return
        self.stdout.write(
            f"Queued: the task worker (manage.py db_worker) syncs the proxy's calls now and "
            f"then every {counted(every, 'second')} (SWITCH_CALL_SYNC_SECONDS)."
        )
