"""manage.py import_voicemail SPOOL_DIR [--context default] [--dry-run]"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from centrex.voicemail.importer import import_spool
from centrex.voicemail.spool import SpoolMessage, SpoolProblem


class Command(BaseCommand):
    help = (
        "Import new voicemail messages from an Asterisk voicemail spool "
        "(SPOOL_DIR/<context>/<mailbox>/<folder>/msgNNNN.txt + .wav). Mailboxes are matched to "
        "accounts by their mailbox number. Messages already imported (or deleted since) are "
        "skipped, so the command can run as often as needed. Customers are e-mailed about new "
        "messages as their voicemail settings say. Messages that cannot be imported (unknown "
        "mailbox, broken .txt, missing audio) are listed and skipped; the exit status is then 1."
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
            "--dry-run",
            action="store_true",
            help="check the spool and report what would be imported; change nothing, send nothing",
        )

    def handle(
        self, *args: Any, spool_dir: Path, context: str, dry_run: bool, **options: Any
    ) -> None:
        if not context or Path(context).name != context or context in {".", ".."}:
            raise CommandError(f"--context must be the name of one folder, not {context!r}.")
        if not spool_dir.is_dir():
            raise CommandError(f"{spool_dir} is not a directory.")
        if not (spool_dir / context).is_dir():
            raise CommandError(
                f"{spool_dir} has no {context!r} folder. Give the spool directory that holds the "
                "context folders (e.g. /var/spool/asterisk/voicemail) and pick the context with "
                "--context."
            )

        # A progress bar only for a person watching; cron and tests get plain lines.
        interactive = self.stderr.isatty()

        def on_problem(problem: SpoolProblem) -> None:
            line = f"Skipped {problem.path}: {problem.reason}"
            if interactive:
                tqdm.write(self.style.WARNING(line), file=sys.stderr)
            else:
                self.stderr.write(line)

        def progress(
            items: Sequence[SpoolMessage | SpoolProblem],
        ) -> Iterable[SpoolMessage | SpoolProblem]:
            return tqdm(items, unit="msg", desc="Importing", file=sys.stderr, leave=False)

        report = import_spool(
            spool_dir,
            context=context,
            dry_run=dry_run,
            on_problem=on_problem,
            progress=progress if interactive else None,
        )

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
                f"{report.notified} e-mails sent, {len(report.email_failures)} e-mails failed."
            )
        if not report.ok:
            raise CommandError(
                "Some messages were not imported or their e-mails not sent: see the lines above.",
                returncode=1,
            )
