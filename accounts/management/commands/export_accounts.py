from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from accounts import account_csv
from accounts.management.base import OperatorCommand, counted
from accounts.models import Account


class Command(OperatorCommand):
    help = f"""Write all accounts as CSV, in the columns import_accounts reads (no passwords).

Columns: {", ".join(account_csv.EXPORT_COLUMNS)}.
Importing the file back changes nothing; into an empty database it recreates the
accounts, their current balances becoming opening balances. The file holds personal
data: --output creates it readable by you only."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            metavar="FILE",
            help="Write to FILE (UTF-8 with a byte-order mark, for spreadsheets) instead of "
            "the standard output.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path | None = options["output"]
        total = Account.objects.count()
        if path is None:
            self._write(self.stdout, total)
            return
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with open(descriptor, "w", encoding=account_csv.ENCODING, newline="") as file:
            self._write(file, total)
        self.stdout.write(f"Exported {counted(total, 'account')} to {path}.")

    def _write(self, file, total: int) -> None:
        writer = csv.writer(file)
        writer.writerow(account_csv.EXPORT_COLUMNS)
        with self.progress(total, "accounts", "Exporting") as bar:
            for account in account_csv.accounts_for_export():
                writer.writerow(account_csv.export_row(account))
                bar.update(1)
