from __future__ import annotations

import csv
import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.db import transaction

from accounts import accountcsv, services
from accounts.csvfiles import FileProblem, check_encoding
from accounts.management.base import OperatorCommand, counted


class Command(OperatorCommand):
    help = f"""Create or update customer accounts from a CSV file (a spreadsheet export).

A header row names the columns, in any order: {", ".join(accountcsv.COLUMNS)}.
Only login is required; an empty cell leaves the value as it is (a new account
gets the default). Commas or semicolons; UTF-8. balance is the opening balance
of a new account, booked through the ledger; existing balances are never touched.

A new account with an empty password gets a strong generated one, written to
--credentials FILE (created readable by you only) and/or replaced by a welcome
e-mail with a link to choose a password (--send-welcome; needs PORTAL_URL).
Existing accounts keep their password unless --update-passwords is given.

Every row is checked first. If any row is wrong, the errors are listed (line and
column) and nothing is written, unless --skip-invalid imports the rest.
Running the same file again changes nothing. Exit status 1 when a row was rejected."""

    def add_arguments(self, parser):
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
            default=accountcsv.ENCODING,
            help="The file's encoding (default: UTF-8, with or without a byte-order mark).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and say what would change; write nothing.",
        )

    def handle(self, *args, **options):
        path: Path = options["file"]
        credentials: Path | None = options["credentials"]
        dry_run = options["dry_run"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        if options["send_welcome"] and not settings.PORTAL_URL:
            raise CommandError(
                "--send-welcome needs PORTAL_URL (the portal's address, for the link in the "
                "e-mail). Nothing was imported."
            )
        if credentials and not dry_run and credentials.exists():
            raise CommandError(
                f"{credentials} already exists; give a new file name (earlier passwords "
                "are never overwritten). Nothing was imported."
            )
        try:
            check_encoding(path, options["encoding"])
        except FileProblem as problem:
            raise CommandError(f"{path}: {problem} Nothing was imported.") from problem
        text = path.read_text(encoding=options["encoding"])

        rows, problems = accountcsv.read_rows(text)
        plans, plan_problems = accountcsv.plan_import(
            rows, update_passwords=options["update_passwords"], send_welcome=options["send_welcome"]
        )
        generated = [plan.row.line for plan in plans if plan.generated_password]
        if generated and not (credentials or options["send_welcome"]):
            raise CommandError(
                f"{counted(len(generated), 'new account')} (from line {generated[0]}) "
                f"{'has' if len(generated) == 1 else 'have'} no password, so one would be "
                "generated, but it would go nowhere: give --credentials FILE or --send-welcome. "
                "Nothing was imported."
            )
        problems = sorted([*problems, *plan_problems], key=lambda problem: problem.line)
        for problem in problems:
            self.stderr.write(f"{path.name}: {problem}")
        rejected_lines = len({problem.line for problem in problems})
        if problems and not options["skip_invalid"]:
            raise CommandError(
                f"Errors in {counted(rejected_lines, 'row')} (listed above); nothing was "
                "imported. Correct them, or import the other rows with --skip-invalid.",
                returncode=1,
            )

        counts = {"create": 0, "update": 0, "unchanged": 0}
        for plan in plans:
            counts[plan.action] += 1
            if options["verbosity"] >= 2 and plan.action != "unchanged":
                changed = f": {', '.join(plan.changes)}" if plan.changes else ""
                self.stdout.write(f"line {plan.row.line}: {plan.action} {plan.row.login}{changed}")
        if dry_run:
            self.stdout.write(
                f"Would create {counted(counts['create'], 'account')}, update "
                f"{counts['update']}, leave {counts['unchanged']} unchanged; "
                f"{counted(rejected_lines, 'row')} rejected.\nDry run: nothing was written."
            )
        else:
            welcomed, unsent = self._import(plans, credentials, options["send_welcome"])
            self.stdout.write(
                f"Created {counted(counts['create'], 'account')}, updated {counts['update']}, "
                f"left {counts['unchanged']} unchanged; {counted(rejected_lines, 'row')} "
                "rejected."
            )
            if credentials:
                self.stdout.write(f"Generated passwords are in {credentials}.")
            if options["send_welcome"]:
                self.stdout.write(f"Sent {counted(welcomed, 'welcome e-mail')}.")
            if unsent:
                raise CommandError(
                    f"{counted(unsent, 'welcome e-mail')} could not be sent (listed above); the accounts "
                    "were created: send them a password reset from the admin.",
                    returncode=1,
                )
        if problems:
            raise CommandError(
                f"{counted(rejected_lines, 'row')} rejected (listed above).", returncode=1
            )

    def _import(
        self, plans: list[accountcsv.Plan], credentials: Path | None, send_welcome: bool
    ) -> tuple[int, int]:
        """Write the plans in one transaction; returns (welcome e-mails sent, not sent)."""
        to_write = [plan for plan in plans if plan.action != "unchanged"]
        with self.progress(len(to_write), "passwords", "Hashing passwords") as bar:
            accountcsv.hash_passwords(to_write, bar.update)
        secrets_file = _open_private(credentials) if credentials else None
        welcome = []
        try:
            writer = csv.writer(secrets_file) if secrets_file else None
            if writer:
                writer.writerow(["login", "account_id", "password"])
            with (
                transaction.atomic(),
                self.progress(len(to_write), "accounts", "Importing") as bar,
            ):
                for plan in to_write:
                    account = accountcsv.apply_plan(plan, actor=self.actor)
                    if plan.generated_password:
                        if writer:
                            writer.writerow(
                                [account.login, account.account_id, plan.generated_password]
                            )
                        welcome.append(account.user)
                    bar.update(1)
        except BaseException:
            if secrets_file:
                # Nothing was created, so the passwords in it belong to no one.
                secrets_file.close()
                credentials.unlink(missing_ok=True)
            raise
        if secrets_file:
            secrets_file.close()
        if not send_welcome:
            return 0, 0
        sent = unsent = 0
        with self.progress(len(welcome), "e-mails", "Sending welcome e-mails") as bar:
            for user in welcome:
                try:
                    services.send_password_email(user, welcome=True, actor=self.actor)
                    sent += 1
                except Exception as error:  # noqa: BLE001 — report and go on with the others
                    unsent += 1
                    self.stderr.write(f"Welcome e-mail to {user.username} not sent: {error}")
                bar.update(1)
        return sent, unsent


def _open_private(path: Path):
    """A new file only its owner can read: it is going to hold passwords."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return open(descriptor, "w", encoding="utf-8", newline="")  # noqa: PTH123, SIM115
