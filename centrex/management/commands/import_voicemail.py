"""manage.py import_voicemail SPOOL_DIR [--context default] [--fallback-encoding cp1250] [--dry-run]"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from accounts import text
from accounts.management.base import counted
from centrex.voicemail.importer import ImportReport, import_spool
from centrex.voicemail.recordings import find_sox
from centrex.voicemail.spool import SpoolItem, SpoolLater, SpoolProblem


def _shown(path: Path) -> str:
    # A file name in no encoding at all (bytes a phone sent) must not stop the report.
    return str(path).encode("utf-8", "backslashreplace").decode("utf-8")


class Command(BaseCommand):
    help = (
        "Import new voicemail messages and the mailboxes' greetings from an Asterisk voicemail spool "
        "(SPOOL_DIR/<context>/<mailbox>/<folder>/msgNNNN.txt + recordings), from every folder "
        "app_voicemail writes (INBOX, Old, Work, Family, Friends, Cust1-Cust5, Urgent; not "
        "Deleted). Mailboxes are matched to accounts by their mailbox number. Recordings other "
        "than PCM WAV (WAV = GSM in WAV, gsm, ulaw, alaw, sln…) are converted with sox for the "
        "browser, the original kept for download; the best format is used when a message has "
        "several. Messages already imported (or deleted since) are skipped, so the command can "
        "run as often as needed; messages the switch is still writing are left for the next "
        "run. Customers are e-mailed about new messages as their voicemail settings say. "
        "Messages that cannot be imported (unknown mailbox, broken .txt, no usable recording, "
        "symbolic links and other non-regular files) are listed and skipped; the exit status "
        "is then 1. Greetings (unavail, busy, greet = the recorded name, temp) are kept in step "
        "with the spool: new or recorded again are stored, those the switch no longer has are "
        "removed, one changed in the last minute waits for the next run."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "spool_dir",
            type=Path,
            help="the switch's voicemail spool, e.g. /var/spool/asterisk/voicemail",
        )
        parser.add_argument(
            "--context",
            default="default",
            help="the voicemail context to import (a folder of SPOOL_DIR; default: %(default)s)",
        )
        parser.add_argument(
            "--fallback-encoding",
            default=text.DEFAULT_FALLBACK_ENCODING,
            metavar="ENCODING",
            help="for caller names that are not UTF-8, e.g. iso-8859-2 (default %(default)s)",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check the spool and report what would be imported; change nothing, send nothing",
        )

    def handle(
        self,
        *args: Any,
        spool_dir: Path,
        context: str,
        fallback_encoding: str,
        dry_run: bool,
        **options: Any,
    ) -> None:
        if not context or Path(context).name != context or context in {".", ".."}:
            raise CommandError(f"--context must be the name of one folder, not {context!r}.")
        try:
            fallback_encoding = text.check_encoding_name(fallback_encoding)
        except LookupError:
            raise CommandError(
                f"--fallback-encoding {fallback_encoding!r} is not an encoding Python knows, "
                "such as cp1250 or iso-8859-2."
            ) from None
        if not spool_dir.is_dir():
            raise CommandError(f"{spool_dir} is not a directory.")
        # The operator names the spool; from there on nothing outside it is read.
        spool_dir = spool_dir.resolve()
        if (spool_dir / context).is_symlink():
            raise CommandError(
                f"{spool_dir / context} is a symbolic link; give the spool it points to."
            )
        if not (spool_dir / context).is_dir():
            raise CommandError(
                f"{spool_dir} has no {context!r} folder. Give the spool directory that holds the "
                "context folders (e.g. /var/spool/asterisk/voicemail) and pick the context with "
                "--context."
            )

        # A progress bar only for a person watching; cron and tests get plain lines.
        interactive = self.stderr.isatty()

        def say(line: str, *, error: bool) -> None:
            if interactive:
                styled = self.style.WARNING(line) if error else line
                tqdm.write(styled, file=sys.stderr if error else sys.stdout)
            else:
                (self.stderr if error else self.stdout).write(line)

        def on_problem(problem: SpoolProblem) -> None:
            say(f"Skipped {_shown(problem.path)}: {problem.reason}", error=True)

        def on_later(item: SpoolLater) -> None:
            say(f"Left for the next run: {_shown(item.path)}: {item.reason}", error=False)

        def progress(items: Sequence[SpoolItem]) -> Iterable[SpoolItem]:
            return tqdm(items, unit="msg", desc="Importing", file=sys.stderr, leave=False)

        if find_sox() is None:
            self.stdout.write(
                "sox is not installed: only PCM WAV recordings can be imported; messages "
                "recorded in other formats wait for a run with sox (apt-get install sox)."
            )
        report = import_spool(
            spool_dir,
            context=context,
            dry_run=dry_run,
            fallback_encoding=fallback_encoding,
            on_problem=on_problem,
            on_later=on_later,
            progress=progress if interactive else None,
        )
        self._summary(report, dry_run, fallback_encoding)
        if not report.ok:
            raise CommandError(
                "Some messages or greetings were not imported, or e-mails not sent: see the lines above.",
                returncode=1,
            )

    def _summary(self, report: ImportReport, dry_run: bool, fallback_encoding: str) -> None:
        rejected = len(report.rejected)
        if dry_run:
            self.stdout.write(
                f"Dry run: {report.imported} would be imported, {report.already_present} "
                f"already present, {rejected} rejected. Nothing was changed."
            )
        else:
            self.stdout.write(
                f"Imported {report.imported} ({report.emailed_only} e-mailed only), "
                f"{report.already_present} already present, {rejected} rejected; "
                f"{report.notified} e-mails queued, {len(report.email_failures)} e-mails failed."
            )
        messages_later = len(report.later) - report.greetings_later
        self.stdout.write(
            f"{counted(messages_later, 'message')} left for the next run (still being "
            f"written); {report.converted} converted with sox; "
            f"{counted(report.fallback_decoded, 'message')} with text read as "
            f"{fallback_encoding} (not UTF-8)."
        )
        greetings = report.greetings
        would = "would be " if dry_run else ""
        self.stdout.write(
            f"Greetings: {greetings.imported} {would}imported, {greetings.updated} {would}updated "
            f"(recorded again), {greetings.removed} {would}removed (no longer on the switch), "
            f"{greetings.unchanged} unchanged, {report.greetings_later} left for the next run."
        )
