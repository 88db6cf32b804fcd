from __future__ import annotations

import zoneinfo
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.db import IntegrityError

from accounts import validators
from accounts.calls import importer
from accounts.calls.asterisk_csv import INBOUND_CONTEXTS, AsteriskParser
from accounts.calls.konto_csv import KontoParser
from accounts.calls.records import Rejection
from accounts.csvfiles import FileProblem, check_encoding
from accounts.management.base import OperatorCommand, counted


class Command(OperatorCommand):
    help = """Import call records from the switch into the accounts' call history.

FILE is Asterisk's Master.csv (--format asterisk: no header, 16, 17 or 18 fields) or
Konto's own call CSV (--format konto: the call history export, with a charge column).
The account is the record's accountcode (asterisk) or account_id (konto).

Importing a file again adds nothing and charges nothing: calls are known by their
uniqueid (or a hash of the record when there is none) or by Konto's call_id.

Charges go through the ledger, linked to their call. Master.csv has no prices: a
userfield holding a plain amount ("0.12") is the call's price; otherwise answered
outbound calls cost --rate per minute, per second billed. Calls entering the contexts
from-trunk, from-pstn, from-external, from-did, ext-did, incoming or inbound (and any
--inbound-context) are inbound, the rest outbound.

Rows that cannot be imported (unknown account, bad date, negative duration, a call
twice in the file, ...) are listed with their line numbers and skipped; the exit status
is 1 when any row was rejected."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, metavar="FILE", help="The CSV file to import.")
        parser.add_argument(
            "--format",
            choices=importer.FORMATS,
            required=True,
            help="asterisk (Master.csv) or konto (Konto's call CSV).",
        )
        parser.add_argument(
            "--tz",
            default=settings.TIME_ZONE,
            metavar="ZONE",
            help="The switch's time zone, for times without an offset (default: %(default)s; "
            "UTC for a switch that logs in GMT).",
        )
        parser.add_argument(
            "--rate",
            default="0",
            metavar="PER_MINUTE",
            help="Price of a minute of an answered outbound Asterisk call, e.g. 0.12 "
            "(default 0: no charge).",
        )
        parser.add_argument(
            "--inbound-context",
            action="append",
            default=[],
            metavar="PREFIX",
            help="Another dialplan context (prefix) where calls from outside arrive; may be "
            "given several times.",
        )
        parser.add_argument(
            "--encoding",
            default="utf-8-sig",
            help="The file's encoding (default: UTF-8, with or without a byte-order mark).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and say what would be imported; write nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        try:
            # The same list of zones as everywhere else (accounts.validators).
            zone = zoneinfo.ZoneInfo(validators.validate_time_zone(options["tz"]))
        except ValidationError as error:
            raise CommandError(
                f"--tz {options['tz']!r} is not a time zone name such as Europe/Warsaw."
            ) from error
        try:
            rate = Decimal(options["rate"].replace(",", "."))
        except InvalidOperation:
            rate = Decimal(-1)
        if not rate.is_finite() or rate < 0:
            raise CommandError(f"--rate {options['rate']!r} is not an amount such as 0.12.")
        parser: AsteriskParser | KontoParser
        if options["format"] == "asterisk":
            parser = AsteriskParser(zone, rate, [*INBOUND_CONTEXTS, *options["inbound_context"]])
        else:
            if rate:
                raise CommandError("--rate is for Asterisk files: Konto's CSV has its charges.")
            parser = KontoParser(zone)
        try:
            total_lines = check_encoding(path, options["encoding"])
        except FileProblem as problem:
            raise CommandError(f"{path}: {problem} Nothing was imported.") from problem

        bar = self.progress(total_lines, "lines", "Importing")

        def reject(rejection: Rejection) -> None:
            bar.clear()
            self.stderr.write(f"{path.name}: {rejection}")

        run = importer.CallImport(
            parser,
            dry_run=options["dry_run"],
            actor=self.actor,
            on_reject=reject,
            on_progress=bar.update,
        )
        try:
            with path.open(encoding=options["encoding"], newline="") as lines:
                summary = run.run(lines, total_lines)
        except FileProblem as problem:
            raise CommandError(f"{path}: {problem} Nothing was imported.") from problem
        except IntegrityError as error:
            # Only another import writing the same calls at the same moment gets here; the
            # batches written so far are complete, and a second run finishes the rest.
            raise CommandError(
                f"Another import wrote some of these calls at the same time ({error}). "
                "Run this import again when it has finished: calls already imported are "
                "skipped."
            ) from error
        finally:
            bar.close()
        self._report(summary, options["dry_run"])
        if summary.rejected:
            raise CommandError(f"{summary.rejected} rows rejected (listed above).", returncode=1)

    def _report(self, summary: importer.Summary, dry_run: bool) -> None:
        verb = "Would import" if dry_run else "Imported"
        self.stdout.write(
            f"{verb} {counted(summary.imported, 'call')}; {summary.already_present} already "
            f"present; {summary.rejected} rejected."
        )
        if summary.charged_calls:
            verb = "Would charge" if dry_run else "Charged"
            self.stdout.write(
                f"{verb} {summary.charged:.2f} for {counted(summary.charged_calls, 'call')} of "
                f"{counted(len(summary.charged_accounts), 'account')}."
            )
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
