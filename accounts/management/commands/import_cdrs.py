from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError, CommandParser
from django.db import IntegrityError

from accounts import text, validators
from accounts.calls import importer
from accounts.calls.asterisk_csv import AsteriskParser
from accounts.calls.asterisk_layout import Layout
from accounts.calls.direction import INBOUND_CONTEXTS, OUTBOUND_CONTEXTS, DirectionRules
from accounts.calls.konto_csv import KontoParser
from accounts.calls.rating import RatingError, Tariff
from accounts.calls.records import Rejection
from accounts.csvfiles import DecodedLines, FileProblem, check_encoding, count_lines
from accounts.management.base import OperatorCommand, counted

KONTO_ENCODING = "utf-8-sig"
# The contexts that show how contexts are matched, in --help.
CONTEXTS_HELP = ", ".join(INBOUND_CONTEXTS)
OUTBOUND_HELP = ", ".join(OUTBOUND_CONTEXTS)


class Command(OperatorCommand):
    help = f"""Import call records from the switch into the accounts' call history.

FILE is Asterisk's Master.csv (--format asterisk) or Konto's own call CSV (--format konto:
the call history export, with a charge column). The account is the record's accountcode
(asterisk) or account_id (konto). Importing a file again adds nothing and charges nothing.

Asterisk files, whatever cdr.conf's [csv] section says:
- Columns: the 16 base columns, plus uniqueid (loguniqueid), userfield (loguserfield) and
  peeraccount, linkedid, sequence (newcdrcolumns): 16 to 21. The layout is read from each
  row; --columns states it (e.g. --columns loguniqueid,loguserfield). The summary names the
  layouts found.
- Every record is a leg: forked Dial, queue and transfer legs sharing a uniqueid are all
  kept and billed on their own billsec. The history shows each call once, answered if any
  leg was answered.
- Times are the switch's local time in --tz (usegmtime=yes: --tz UTC). A time in the
  repeated autumn hour is settled by the uniqueid's epoch or an unambiguous end time, else
  the record is rejected; a time the spring change skipped is rejected.
- Direction: calls entering an inbound context ({CONTEXTS_HELP}, and any
  --inbound-context) are inbound; otherwise the account's own numbers tell (to one:
  inbound, from one: outbound); otherwise an outbound context ({OUTBOUND_HELP}, and any
  --outbound-context) makes it outbound (internal when the destination is an extension or
  a short code). A call nothing can place is imported with direction "unknown", listed in
  the summary, and never charged.
- Charges: only answered outbound calls, at --rate per minute with --increment FIRST/NEXT
  seconds (1/1 by the second, 60/60 by the started minute, 60/1 a whole first minute then
  by the second; default 1/1). The userfield is free text, never a price.
- Each line is read as UTF-8, or else in --fallback-encoding (default cp1250); the summary
  counts the lines that needed it.
- Records without an accountcode (internal calls) are skipped and counted.

Charges go through the ledger, linked to their call. Rows that cannot be imported (unknown
account, bad or impossible date, a duration over a day, a call twice in the file, ...) are
listed with their line and column and skipped; the exit status is 1 only when some row was
rejected."""

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
            "UTC for a switch with usegmtime=yes).",
        )
        parser.add_argument(
            "--rate",
            default="0",
            metavar="PER_MINUTE",
            help="Price of a minute of an answered outbound Asterisk call, e.g. 0.12 "
            "(default 0: no charge).",
        )
        parser.add_argument(
            "--increment",
            default="1/1",
            metavar="FIRST/NEXT",
            help="Billing increment in seconds for --rate: 1/1, 60/60, 60/1, 30/6 "
            "(default %(default)s, by the second).",
        )
        parser.add_argument(
            "--columns",
            metavar="OPTIONS",
            help="The cdr.conf [csv] options the file was written with: any of loguniqueid, "
            "loguserfield, newcdrcolumns, comma-separated, or none (default: read from each row).",
        )
        parser.add_argument(
            "--inbound-context",
            action="append",
            default=[],
            metavar="PATTERN",
            help="A dialplan context where calls from outside arrive, shell-style "
            "(from-trunk-*); may be given several times.",
        )
        parser.add_argument(
            "--outbound-context",
            action="append",
            default=[],
            metavar="PATTERN",
            help="A dialplan context of the customers' own phones, shell-style; may be given "
            "several times.",
        )
        parser.add_argument(
            "--fallback-encoding",
            default=text.DEFAULT_FALLBACK_ENCODING,
            metavar="ENCODING",
            help="For Asterisk lines that are not UTF-8 (default %(default)s).",
        )
        parser.add_argument(
            "--encoding",
            help="The encoding of a Konto file (default: UTF-8, with or without a byte-order "
            "mark).",
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
        parser = self._parser(options)
        lines: Iterable[str]
        if isinstance(parser, AsteriskParser):
            lines = DecodedLines(path, options["fallback_encoding"])
            total_lines = count_lines(path)
        else:
            options["encoding"] = options["encoding"] or KONTO_ENCODING
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
            if isinstance(parser, AsteriskParser):
                summary = run.run(lines, total_lines)
            else:
                with path.open(encoding=options["encoding"], newline="") as konto_lines:
                    summary = run.run(konto_lines, total_lines)
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
        if isinstance(parser, AsteriskParser):
            self._report_asterisk(parser, summary, lines)
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was written.")
        if summary.rejected:
            raise CommandError(f"{summary.rejected} rows rejected (listed above).", returncode=1)

    def _parser(self, options: dict[str, Any]) -> AsteriskParser | KontoParser:
        try:
            # The same list of zones as everywhere else (accounts.validators).
            zone = zoneinfo.ZoneInfo(validators.validate_time_zone(options["tz"]))
        except ValidationError as error:
            raise CommandError(
                f"--tz {options['tz']!r} is not a time zone name such as Europe/Warsaw."
            ) from error
        try:
            tariff = Tariff.parse(options["rate"], options["increment"])
        except RatingError as error:
            raise CommandError(str(error)) from error
        if options["format"] == "konto":
            if tariff:
                raise CommandError("--rate is for Asterisk files: Konto's CSV has its charges.")
            return KontoParser(zone)
        if options["encoding"]:
            raise CommandError(
                "--encoding is for Konto files: each line of a Master.csv is read as UTF-8, "
                "else in --fallback-encoding."
            )
        try:
            text.check_encoding_name(options["fallback_encoding"])
        except LookupError as error:
            raise CommandError(
                f"--fallback-encoding {options['fallback_encoding']!r} is not an encoding "
                "Python knows, such as cp1250 or iso-8859-2."
            ) from error
        layout = None
        if options["columns"]:
            try:
                layout = Layout.from_options(options["columns"])
            except ValueError as error:
                raise CommandError(str(error)) from error
        rules = DirectionRules(options["inbound_context"], options["outbound_context"])
        return AsteriskParser(zone, tariff, rules, layout)

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

    def _report_asterisk(
        self, parser: AsteriskParser, summary: importer.Summary, lines: Iterable[str]
    ) -> None:
        self.stdout.write(f"Times read in {parser.zone_name}.")
        for layout, rows in parser.layouts_seen():
            self.stdout.write(f"Layout: {layout}: {counted(rows, 'row')}.")
        if len(parser.layouts) > 1:
            self.stdout.write(
                "The file mixes layouts (cdr.conf changed, or rows were guessed differently); "
                "state the layout with --columns if the guess is wrong."
            )
        if summary.skipped_without_account:
            self.stdout.write(
                f"Skipped {counted(summary.skipped_without_account, 'record')} without an "
                "accountcode (calls of no account)."
            )
        if isinstance(lines, DecodedLines) and lines.fallback_lines:
            self.stdout.write(
                f"{counted(lines.fallback_lines, 'line')} read as {lines.fallback} (not UTF-8)."
            )
        for context, calls in summary.unknown_direction.most_common():
            self.stdout.write(
                f"Direction unknown, not charged: {counted(calls, 'call')} in context "
                f"{context!r}. Name it with --inbound-context or --outbound-context, or give "
                "the accounts their numbers."
            )
