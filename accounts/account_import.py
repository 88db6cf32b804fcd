"""Importing accounts from the accounts CSV (`manage.py import_accounts`): compare each row
with the database, then create or update the accounts, with the policy for their passwords.

Every row is checked first; if any is wrong nothing is written (unless the operator asks to
import the rest). A new account without a password gets a generated one, which must go
somewhere: a credentials file readable by its owner only, or a welcome e-mail with a link to
choose a password. Accounts are written in one transaction; e-mails go after it.
"""

from __future__ import annotations

import csv
import os
import secrets
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts import audit, bulk
from accounts.account_csv import AccountRow, Problem, read_rows, written_number
from accounts.models import Account, PhoneNumber, User, login_key
from accounts.provisioning import (
    NewAccount,
    account_changes,
    create_accounts,
    create_or_update_account,
    send_password_email,
    set_numbers,
)

# New accounts written together: few enough that the last batch, written after the last
# password is hashed, adds little; enough that a batch costs a handful of statements.
CREATE_BATCH = 100


class ProgressBar(Protocol):
    def update(self, n: int = 1) -> Any: ...


# How the caller shows progress: (total, unit, description) → a context manager with update().
Progress = Callable[[int, str, str], AbstractContextManager[ProgressBar]]


class _NoProgress:
    def update(self, n: int = 1) -> None:
        pass


def no_progress(total: int, unit: str, description: str) -> AbstractContextManager[ProgressBar]:
    return nullcontext(_NoProgress())


class ImportRefused(Exception):
    """The import as asked cannot be done; nothing was written."""


@dataclass
class Plan:
    """What importing one row does: create, update (with `changes`) or nothing."""

    row: AccountRow
    account: Account | None
    changes: dict[str, list[str]] = field(default_factory=dict)
    generated_password: str = ""
    password_hash: str | None = None

    @property
    def action(self) -> str:
        if self.account is None:
            return "create"
        return "update" if self.changes else "unchanged"


@dataclass
class ImportOptions:
    credentials: Path | None = None
    send_welcome: bool = False
    update_passwords: bool = False
    skip_invalid: bool = False
    dry_run: bool = False


@dataclass
class ImportReport:
    plans: list[Plan]
    problems: list[Problem]
    welcomed: int = 0
    unsent: list[tuple[str, str]] = field(default_factory=list)  # (login, why)

    @property
    def rejected_rows(self) -> int:
        return len({problem.line for problem in self.problems})

    def count(self, action: str) -> int:
        return sum(plan.action == action for plan in self.plans)


def import_accounts(
    text: str,
    options: ImportOptions,
    *,
    actor: audit.Actor,
    progress: Progress = no_progress,
) -> ImportReport:
    """Import the accounts CSV `text` as `options` say.

    Raises ImportRefused (nothing written) when the options cannot be honoured or, without
    `skip_invalid`, when any row is wrong; `ImportRefused.problems` then lists them.
    """
    if options.send_welcome and not settings.PORTAL_URL:
        raise ImportRefused(
            "--send-welcome needs PORTAL_URL (the portal's address, for the link in the "
            "e-mail). Nothing was imported."
        )
    credentials = options.credentials
    if credentials and not options.dry_run and credentials.exists():
        raise ImportRefused(
            f"{credentials} already exists; give a new file name (earlier passwords "
            "are never overwritten). Nothing was imported."
        )
    rows, problems = read_rows(text)
    plans, plan_problems = plan_import(
        rows, update_passwords=options.update_passwords, send_welcome=options.send_welcome
    )
    generated = [plan.row.line for plan in plans if plan.generated_password]
    if generated and not (credentials or options.send_welcome):
        accounts = "1 new account" if len(generated) == 1 else f"{len(generated)} new accounts"
        raise ImportRefused(
            f"{accounts} (from line {generated[0]}) {'has' if len(generated) == 1 else 'have'} "
            "no password, so one would be generated, but it would go nowhere: give "
            "--credentials FILE or --send-welcome. Nothing was imported."
        )
    report = ImportReport(plans, sorted([*problems, *plan_problems], key=lambda p: p.line))
    if report.problems and not options.skip_invalid:
        return report
    if not options.dry_run:
        welcome = _write(plans, credentials, actor=actor, progress=progress)
        if options.send_welcome:
            _send_welcome(welcome, report, actor=actor, progress=progress)
    return report


def _write(
    plans: list[Plan], credentials: Path | None, *, actor: audit.Actor, progress: Progress
) -> list[User]:
    """Write the plans in one transaction; returns the users to welcome (generated passwords)."""
    to_write = [plan for plan in plans if plan.action != "unchanged"]
    secrets_file = _open_private(credentials) if credentials else None
    welcome = []
    try:
        writer = csv.writer(secrets_file) if secrets_file else None
        if writer:
            writer.writerow(["login", "account_id", "password"])
        with transaction.atomic(), progress(len(to_write), "accounts", "Importing") as bar:
            for plan, account in apply_plans(with_hashed_passwords(to_write), actor=actor):
                if plan.generated_password:
                    if writer:
                        writer.writerow(
                            [account.login, account.account_id, plan.generated_password]
                        )
                    welcome.append(account.user)
                bar.update(1)
    except BaseException:
        if secrets_file and credentials:
            # Nothing was created, so the passwords in it belong to no one.
            secrets_file.close()
            credentials.unlink(missing_ok=True)
        raise
    if secrets_file:
        secrets_file.close()
    return welcome


def _send_welcome(
    users: list[User], report: ImportReport, *, actor: audit.Actor, progress: Progress
) -> None:
    with progress(len(users), "e-mails", "Sending welcome e-mails") as bar:
        for user in users:
            try:
                send_password_email(user, welcome=True, actor=actor)
                report.welcomed += 1
            except Exception as error:  # report and go on with the others
                report.unsent.append((user.username, str(error)))
            bar.update(1)


def _open_private(path: Path) -> IO[str]:
    """A new file only its owner can read: it is going to hold passwords."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return open(descriptor, "w", encoding="utf-8", newline="")  # closed by _write


# --- Comparing with the database ---------------------------------------------------------------


def plan_import(
    rows: list[AccountRow], *, update_passwords: bool = False, send_welcome: bool = False
) -> tuple[list[Plan], list[Problem]]:
    """Decide what each row does, and find the rows that clash with existing accounts.

    A new account without a password gets a generated one (`Plan.generated_password`); the
    caller makes sure it goes somewhere (a credentials file, a welcome e-mail).
    """
    existing = _existing_accounts([row.login for row in rows])
    orphans = _users_without_account([row.login for row in rows])
    spelled = _logins_as_spelled([row.login for row in rows])
    ids_taken = _owners("account_id", [_account_id(row) for row in rows])
    mailboxes_taken = _owners("mailbox", [row.values.get("mailbox") for row in rows])
    numbers_taken = _number_owners([number for row in rows for number in row.numbers or ()])
    numbers_now = _numbers_of(
        [existing[row.login] for row in rows if row.numbers is not None and row.login in existing]
    )
    plans, problems = [], []
    for row in rows:
        account = existing.get(row.login)
        row_problems = []
        existing_login = spelled.get(login_key(row.login), row.login)
        if existing_login != row.login:
            row_problems.append(
                Problem(
                    row.line,
                    "login",
                    f"{row.login!r} differs only in case from the existing login "
                    f"{existing_login!r} (logins are unique regardless of case)",
                )
            )
        elif account is None and row.login in orphans:
            row_problems.append(
                Problem(
                    row.line,
                    "login",
                    "the login belongs to a user without an account (operator staff?)",
                )
            )
        account_id = _account_id(row)
        if account is not None and "account_id" in row.values and account_id != account.account_id:
            row_problems.append(
                Problem(
                    row.line,
                    "account_id",
                    f"the account's ID is {account.account_id!r}; an import does not change "
                    "account IDs",
                )
            )
        elif (owner := ids_taken.get(account_id)) and owner != row.login:
            row_problems.append(
                Problem(row.line, "account_id", f"{account_id!r} is the ID of the login {owner!r}")
            )
        mailbox = row.values.get("mailbox")
        if mailbox and (owner := mailboxes_taken.get(mailbox)) and owner != row.login:
            row_problems.append(
                Problem(row.line, "mailbox", f"mailbox {mailbox} belongs to the login {owner!r}")
            )
        for number in row.numbers or ():
            if (owner := numbers_taken.get(number)) and owner != row.login:
                row_problems.append(
                    Problem(
                        row.line,
                        "numbers",
                        f"{written_number(number)} belongs to the login {owner!r}",
                    )
                )
        plan = Plan(row, account)
        if account is None:
            row_problems.extend(_new_password_problems(row, send_welcome))
            if not row.password:
                plan.generated_password = generate_password()
        else:
            plan.changes = account_changes(account, row.values)
            current = numbers_now.get(account.pk, [])
            if row.numbers is not None and sorted(set(row.numbers)) != current:
                plan.changes["numbers"] = [
                    " ".join(written_number(number) for number in current),
                    " ".join(written_number(number) for number in sorted(set(row.numbers))),
                ]
            if row.password and update_passwords:
                row_problems.extend(_password_problems(row, account.user.email))
                if not row_problems and not check_password(row.password, account.user.password):
                    plan.changes["password"] = ["", "changed"]
        if row_problems:
            problems.extend(row_problems)
        else:
            plans.append(plan)
    return plans, problems


def generate_password() -> str:
    """16 random letters, digits, '-' and '_' (96 bits): strong, and safe in a CSV cell."""
    return secrets.token_urlsafe(12)


def _account_id(row: AccountRow) -> str:
    return row.values.get("account_id") or row.login


def _new_password_problems(row: AccountRow, send_welcome: bool) -> list[Problem]:
    if row.password:
        return _password_problems(row, row.values.get("email", ""))
    if send_welcome and not row.values.get("email"):
        return [Problem(row.line, "email", "the welcome e-mail needs an e-mail address")]
    return []


def _password_problems(row: AccountRow, email: str) -> list[Problem]:
    try:
        validate_password(row.password, User(username=row.login, email=email))
    except ValidationError as error:
        return [Problem(row.line, "password", " ".join(error.messages))]
    return []


def _existing_accounts(logins: list[str]) -> dict[str, Account]:
    found = {}
    for chunk in bulk.chunks(sorted({login for login in logins if login})):
        for account in Account.objects.select_related("user").filter(user__username__in=chunk):
            found[account.user.username] = account
    return found


def _users_without_account(logins: list[str]) -> set[str]:
    found: set[str] = set()
    for chunk in bulk.chunks(sorted({login for login in logins if login})):
        users = User.objects.filter(username__in=chunk, account__isnull=True)
        found.update(users.values_list("username", flat=True))
    return found


def _logins_as_spelled(logins: list[str]) -> dict[str, str]:
    """{login_key: the login as the database has it} for the users with one of `logins`."""
    found: dict[str, str] = {}
    for chunk in bulk.chunks(sorted({login for login in logins if login})):
        for username in User.objects.with_logins(chunk).values_list("username", flat=True):
            found[login_key(username)] = username
    return found


def _owners(field_name: str, values: list[str | None]) -> dict[str, str]:
    """{value: login of the account that has it} for an Account field."""
    owners: dict[str, str] = {}
    for chunk in bulk.chunks(sorted({value for value in values if value})):
        owners.update(
            Account.objects.filter(**{f"{field_name}__in": chunk}).values_list(
                field_name, "user__username"
            )
        )
    return owners


def _number_owners(numbers: list[str]) -> dict[str, str]:
    """{number: login of the account that has it} for telephone numbers (E.164 digits)."""
    owners: dict[str, str] = {}
    for chunk in bulk.chunks(sorted(set(numbers))):
        owners.update(
            PhoneNumber.objects.filter(number__in=chunk).values_list(
                "number", "account__user__username"
            )
        )
    return owners


def _numbers_of(accounts: list[Account]) -> dict[int, list[str]]:
    """{account pk: its numbers, sorted} for these accounts."""
    numbers: dict[int, list[str]] = {}
    for chunk in bulk.chunks(sorted({account.pk for account in accounts})):
        for account_pk, number in PhoneNumber.objects.filter(account__in=chunk).values_list(
            "account_id", "number"
        ):
            numbers.setdefault(account_pk, []).append(number)
    return {pk: sorted(found) for pk, found in numbers.items()}


def with_hashed_passwords(plans: list[Plan]) -> Iterator[Plan]:
    """The plans in order, each with its password hashed by the time it comes.

    Argon2 takes about 20 ms and 19 MiB per password (accounts.hashers). The hashing runs on
    every processor (argon2 releases Python's lock while it works) while the accounts before
    are written, so 10,000 new accounts take about as long as hashing their passwords alone
    rather than that plus the writing (bench/sign_in.py).
    """
    jobs = [_password_to_set(plan) for plan in plans]
    pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 1)
    try:
        hashes = pool.map(make_password, [password for password in jobs if password is not None])
        for plan, password in zip(plans, jobs, strict=True):
            if password is not None:
                plan.password_hash = next(hashes)
            yield plan
    finally:
        # Stopped half-way (a failed write): the passwords not yet hashed are not waited for.
        pool.shutdown(cancel_futures=True)


def _password_to_set(plan: Plan) -> str | None:
    if plan.action == "create":
        return plan.row.password or plan.generated_password
    if "password" in plan.changes:
        return plan.row.password
    return None


def apply_plans(plans: Iterable[Plan], *, actor: audit.Actor) -> Iterator[tuple[Plan, Account]]:
    """Create or update the accounts of the planned rows, in order, each with its account as
    soon as it is written (callers hold the transaction).

    New accounts are created CREATE_BATCH at a time (provisioning.create_accounts): one at a
    time, 10,000 of them took 15 statements and 7 ms of processor time each, taken from the
    hashing of their passwords. An update writes the new accounts before it first, so the
    database sees the rows in the file's order.
    """
    batch: list[Plan] = []

    def create_batch() -> Iterator[tuple[Plan, Account]]:
        if not batch:
            return
        accounts = create_accounts(
            [
                NewAccount(
                    plan.row.login,
                    plan.row.values,
                    password_hash=plan.password_hash,
                    opening_balance=plan.row.opening_balance,
                    numbers=plan.row.numbers,
                )
                for plan in batch
            ],
            actor=actor,
        )
        yield from zip(batch, accounts, strict=True)
        batch.clear()

    for plan in plans:
        if plan.account is None:
            batch.append(plan)
            if len(batch) == CREATE_BATCH:
                yield from create_batch()
            continue
        yield from create_batch()
        result = create_or_update_account(
            plan.row.login, plan.row.values, password_hash=plan.password_hash, actor=actor
        )
        if plan.row.numbers is not None:
            set_numbers(result.account, plan.row.numbers, actor=actor)
        yield plan, result.account
    yield from create_batch()
