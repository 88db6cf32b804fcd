from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from accounts import account_csv
from accounts.account_import import ImportOptions, ImportRefused, import_accounts
from accounts.csvfiles import FileProblem, check_encoding
from accounts.management.base import OperatorCommand, counted


class Command(OperatorCommand):
    help = f"""Create or update customer accounts from a CSV file (a spreadsheet export).

A header row names the columns, in any order: {", ".join(account_csv.COLUMNS)}.
Only login is required; an empty cell leaves the value as it is (a new account
gets the default). Commas or semicolons; UTF-8. balance is the opening balance
of a new account, booked through the ledger; existing balances are never touched.
numbers are the account's telephone numbers, separated by spaces (+48223809888
+48223809889): a cell with numbers replaces the account's numbers, and a number
of another account (or of another row) is an error.

A new account with an empty password gets a strong generated one, written to
--credentials FILE (created readable by you only) and/or replaced by a welcome
e-mail with a link to choose a password (--send-welcome; needs PORTAL_URL).
Existing accounts keep their password unless --update-passwords is given.

Every row is checked first. If any row is wrong, the errors are listed (line and
column) and nothing is written, unless --skip-invalid imports the rest.
Running the same file again changes nothing. Exit status 1 when a row was rejected."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, metavar="FILE", help="The CSV file to import.")
        parser.add_argument(
            "--credentials",
            type=Path,
            metavar="FILE",
            help="Write the generated passwords here (a new file, readable by you only).",
        )
        parser.add_argument(
            "--send-welcome",
            action="store_true",
            help="E-mail new accounts with generated passwords a link to choose their own.",
        )
        parser.add_argument(
            "--update-passwords",
            action="store_true",
            help="Also set the password column's passwords on existing accounts.",
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Import the valid rows even when others are wrong (still exits with 1).",
        )
        parser.add_argument(
            "--encoding",
            default=account_csv.ENCODING,
            help="The file's encoding (default: UTF-8, with or without a byte-order mark).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and say what would change; write nothing.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        try:
            check_encoding(path, options["encoding"])
        except FileProblem as error:
            raise CommandError(f"{path}: {error} Nothing was imported.") from error
        import_options = ImportOptions(
            credentials=options["credentials"],
            send_welcome=options["send_welcome"],
            update_passwords=options["update_passwords"],
            skip_invalid=options["skip_invalid"],
            dry_run=options["dry_run"],
        )
        try:
            report = import_accounts(
                path.read_text(encoding=options["encoding"]),
                import_options,
                actor=self.actor,
                progress=self.progress,
            )
        except ImportRefused as refused:
            raise CommandError(str(refused)) from refused
        for problem in report.problems:
            self.stderr.write(f"{path.name}: {problem}")
        rejected = counted(report.rejected_rows, "row")
        if report.problems and not import_options.skip_invalid:
            raise CommandError(
                f"Errors in {rejected} (listed above); nothing was imported. Correct them, or "
                "import the other rows with --skip-invalid.",
                returncode=1,
            )
        if options["verbosity"] >= 2:
            for plan in report.plans:
                if plan.action != "unchanged":
                    changed = f": {', '.join(plan.changes)}" if plan.changes else ""
                    self.stdout.write(
                        f"line {plan.row.line}: {plan.action} {plan.row.login}{changed}"
                    )
        created = counted(report.count("create"), "account")
        updated, unchanged = report.count("update"), report.count("unchanged")
        if import_options.dry_run:
            self.stdout.write(
                f"Would create {created}, update {updated}, leave {unchanged} unchanged; "
                f"{rejected} rejected.\nDry run: nothing was written."
            )
        else:
            self.stdout.write(
                f"Created {created}, updated {updated}, left {unchanged} unchanged; "
                f"{rejected} rejected."
            )
            if import_options.credentials:
                self.stdout.write(f"Generated passwords are in {import_options.credentials}.")
            if import_options.send_welcome:
                self.stdout.write(f"Sent {counted(report.welcomed, 'welcome e-mail')}.")
            for login, why in report.unsent:
                self.stderr.write(f"Welcome e-mail to {login} not sent: {why}")
            if report.unsent:
                raise CommandError(
                    f"{counted(len(report.unsent), 'welcome e-mail')} could not be sent (listed "
                    "above); the accounts were created: send them a password reset from the "
                    "admin.",
                    returncode=1,
                )
        if report.problems:
            raise CommandError(f"{rejected} rejected (listed above).", returncode=1)
