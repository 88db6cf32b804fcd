"""The accounts CSV: what `manage.py export_accounts` writes and `import_accounts` reads.

A header row names the columns, in any order; a column that is not one of COLUMNS is an
error. Only `login` is required. An empty cell leaves the value as it is (for a new account:
the default), so a file with a few columns updates just those.

- login: the operator-issued login; account_id: "ID Konta" (default: the login);
- password: set when the account is created (existing accounts keep theirs unless the import
  is told to update passwords); empty: a strong one is generated;
- email, first_name, last_name, company_name, phone (stored in E.164, +48221234567);
- language: pl | en; time_zone: an IANA name (Europe/Warsaw); currency: three letters (PLN);
- balance: the opening balance of a new account, booked through the ledger (ignored for
  existing accounts: their balance changes only by top-ups, charges and adjustments);
- credit_limit: an amount (dot or comma as the decimal separator);
- call_screening, voicemail, conferences: yes/no, true/false, 1/0, tak/nie;
- max_participants, max_conferences: whole numbers; mailbox: the voicemail mailbox number.

UTF-8 (a byte-order mark is fine), delimited by commas or semicolons (the header decides).
"""

from __future__ import annotations

import os
import secrets
import zoneinfo
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

import phonenumbers
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from accounts import audit, services
from accounts.csvfiles import records, sniff_delimiter
from accounts.models import Account, User

COLUMNS = [
    "login",
    "account_id",
    "password",
    "email",
    "first_name",
    "last_name",
    "company_name",
    "phone",
    "language",
    "time_zone",
    "currency",
    "balance",
    "credit_limit",
    "call_screening",
    "voicemail",
    "conferences",
    "max_participants",
    "max_conferences",
    "mailbox",
]
EXPORT_COLUMNS = [column for column in COLUMNS if column != "password"]
ENCODING = "utf-8-sig"

# The model field each column sets (`email` is the User's).
FIELDS = {
    "account_id": "account_id",
    "email": "email",
    "first_name": "first_name",
    "last_name": "last_name",
    "company_name": "company_name",
    "phone": "phone",
    "language": "language",
    "time_zone": "time_zone",
    "currency": "currency",
    "credit_limit": "credit_limit",
    "call_screening": services.FEATURES["call_screening"],
    "voicemail": services.FEATURES["voicemail"],
    "conferences": services.FEATURES["conferences"],
    "max_participants": "max_conference_participants",
    "max_conferences": "max_concurrent_conferences",
    "mailbox": "mailbox",
}
TRUE_WORDS = {"yes", "true", "1", "tak", "y", "t"}
FALSE_WORDS = {"no", "false", "0", "nie", "n", "f"}
PHONE_REGION = "PL"
LOOKUP_CHUNK = 500


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}, column {self.column}" if self.column else f"line {self.line}"
        return f"{where}: {self.message}"


@dataclass
class AccountRow:
    """A valid row: the model values it sets (only its non-empty cells)."""

    line: int
    login: str
    values: dict[str, Any]
    password: str = ""
    opening_balance: Decimal | None = None


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


# --- Reading and checking each cell ---------------------------------------------------------


class CellError(ValueError):
    pass


def _text(model_field: str) -> Callable[[str], str]:
    max_length = Account._meta.get_field(model_field).max_length

    def clean(value: str) -> str:
        value = value.strip()
        if len(value) > max_length:
            raise CellError(f"at most {max_length} characters, this has {len(value)}")
        return value

    return clean


def _login(value: str) -> str:
    value = value.strip()
    if len(value) > 150:
        raise CellError("a login has at most 150 characters")
    try:
        UnicodeUsernameValidator()(value)
    except ValidationError as error:
        raise CellError("a login has only letters, digits and @ . + - _") from error
    return value


def _email(value: str) -> str:
    value = BaseUserManager.normalize_email(value.strip())
    try:
        validate_email(value)
    except ValidationError as error:
        raise CellError(f"{value!r} is not an e-mail address") from error
    if len(value) > 254:
        raise CellError("an e-mail address has at most 254 characters")
    return value


def _phone(value: str) -> str:
    try:
        number = phonenumbers.parse(value, PHONE_REGION)
    except phonenumbers.NumberParseException as error:
        raise CellError(f"{value!r} is not a phone number") from error
    if not phonenumbers.is_valid_number(number):
        raise CellError(f"{value!r} is not a valid phone number (give the area code)")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _language(value: str) -> str:
    value = value.strip().lower()
    if value not in Account.Language.values:
        raise CellError(f"{value!r} is not a language; use pl or en")
    return value


@cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _time_zone(value: str) -> str:
    value = value.strip()
    if value not in _zones():
        raise CellError(f"{value!r} is not a time zone name such as Europe/Warsaw")
    return value


def _currency(value: str) -> str:
    value = value.strip().upper()
    if not (len(value) == 3 and value.isascii() and value.isalpha()):
        raise CellError(f"{value!r} is not a three-letter currency code such as PLN")
    return value


def parse_amount(value: str) -> Decimal:
    """An amount as people type it: "1234.50", "1234,50", "1 234,50"."""
    text = value.strip().replace(" ", "").replace("\u00a0", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        amount = Decimal(text)
    except InvalidOperation as error:
        raise CellError(f"{value!r} is not an amount such as 125.50") from error
    if not amount.is_finite() or amount != amount.quantize(services.CENT):
        raise CellError(f"{value!r} is not an amount with at most two decimals")
    if abs(amount) >= services.MAX_MANUAL_AMOUNT:
        raise CellError(f"{value!r} is too large")
    return amount


def _credit_limit(value: str) -> Decimal:
    amount = parse_amount(value)
    if amount < 0:
        raise CellError("the credit limit cannot be negative")
    return amount


def parse_flag(value: str) -> bool:
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(f"{value!r} is not yes or no (also: true/false, 1/0, tak/nie)")


def _whole_number(low: int, high: int) -> Callable[[str], int]:
    def clean(value: str) -> int:
        text = value.strip()
        if not (text.isascii() and text.isdigit()) or not low <= int(text) <= high:
            raise CellError(f"{value!r} is not a whole number from {low} to {high}")
        return int(text)

    return clean


def _mailbox(value: str) -> str:
    value = value.strip()
    if not (value.isascii() and value.isdigit() and len(value) <= 32):
        raise CellError(f"{value!r} is not a mailbox number (1 to 32 digits)")
    return value


CLEANERS: dict[str, Callable[[str], Any]] = {
    "account_id": _text("account_id"),
    "email": _email,
    "first_name": _text("first_name"),
    "last_name": _text("last_name"),
    "company_name": _text("company_name"),
    "phone": _phone,
    "language": _language,
    "time_zone": _time_zone,
    "currency": _currency,
    "credit_limit": _credit_limit,
    "call_screening": parse_flag,
    "voicemail": parse_flag,
    "conferences": parse_flag,
    "max_participants": _whole_number(1, services.SMALLINT_MAX),
    "max_conferences": _whole_number(0, services.SMALLINT_MAX),
    "mailbox": _mailbox,
}


# --- The file ----------------------------------------------------------------------------------


def read_rows(text: str) -> tuple[list[AccountRow], list[Problem]]:
    """Parse and check every row of the file's text; cross-row checks included."""
    first_line = text.split("\n", 1)[0]
    delimiter = sniff_delimiter(first_line)
    rows: list[AccountRow] = []
    problems: list[Problem] = []
    stream = records(text.splitlines(keepends=True), delimiter)
    header_record = next(stream, None)
    if header_record is None:
        return [], [Problem(1, "", "the file is empty; it needs a header row")]
    if header_record.fields is None:
        return [], [Problem(header_record.line, "", header_record.error)]
    header = [name.strip().lower() for name in header_record.fields]
    header_problems = _check_header(header, header_record.line, delimiter)
    if header_problems:
        return [], header_problems
    first_line_of: dict[tuple[str, str], int] = {}
    for record in stream:
        if record.fields is None:
            problems.append(Problem(record.line, "", record.error))
            continue
        if len(record.fields) != len(header):
            problems.append(
                Problem(
                    record.line,
                    "",
                    f"{len(record.fields)} fields, but the header has {len(header)} "
                    "(is a delimiter missing, or the line cut off?)",
                )
            )
            continue
        row, row_problems = _read_row(record.line, dict(zip(header, record.fields, strict=True)))
        for key in _unique_keys(row):
            if key in first_line_of:
                row_problems.append(
                    Problem(
                        record.line,
                        key[0],
                        f"{key[1]!r} is already on line {first_line_of[key]}",
                    )
                )
            else:
                first_line_of[key] = record.line
        if row_problems:
            problems.extend(row_problems)
        else:
            rows.append(row)
    return rows, problems


def _check_header(header: list[str], line: int, delimiter: str) -> list[Problem]:
    problems = []
    for name in header:
        if name not in COLUMNS:
            hint = ""
            if len(header) == 1:
                hint = " (the columns must be separated by commas or semicolons)"
            problems.append(
                Problem(
                    line,
                    name,
                    f"unknown column{hint}; the columns are: {', '.join(COLUMNS)}",
                )
            )
    for name in sorted({name for name in header if header.count(name) > 1}):
        problems.append(Problem(line, name, "the column appears twice in the header"))
    if "login" not in header:
        problems.append(Problem(line, "login", "the header must have a login column"))
    return problems


def _read_row(line: int, cells: dict[str, str]) -> tuple[AccountRow, list[Problem]]:
    problems = []
    login = cells["login"].strip()
    if not login:
        problems.append(Problem(line, "login", "the login is required"))
    else:
        try:
            login = _login(login)
        except CellError as error:
            problems.append(Problem(line, "login", str(error)))
            login = ""
    row = AccountRow(line, login, {}, password=cells.get("password", ""))
    for column, raw in cells.items():
        if column in ("login", "password") or not raw.strip():
            continue
        try:
            if column == "balance":
                row.opening_balance = parse_amount(raw)
            else:
                row.values[FIELDS[column]] = CLEANERS[column](raw)
        except CellError as error:
            problems.append(Problem(line, column, str(error)))
    return row, problems


def _unique_keys(row: AccountRow) -> Iterator[tuple[str, str]]:
    """What no two rows of a file may share."""
    if row.login:
        yield ("login", row.login)
    if account_id := row.values.get("account_id"):
        yield ("account_id", account_id)
    if mailbox := row.values.get("mailbox"):
        yield ("mailbox", mailbox)


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
    ids_taken = _owners("account_id", [_account_id(row) for row in rows])
    mailboxes_taken = _owners("mailbox", [row.values.get("mailbox") for row in rows])
    plans, problems = [], []
    for row in rows:
        account = existing.get(row.login)
        row_problems = []
        if account is None and row.login in orphans:
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
        if (owner := mailboxes_taken.get(mailbox)) and owner != row.login:
            row_problems.append(
                Problem(row.line, "mailbox", f"mailbox {mailbox} belongs to the login {owner!r}")
            )
        plan = Plan(row, account)
        if account is None:
            row_problems.extend(_new_password_problems(row, send_welcome))
            if not row.password:
                plan.generated_password = generate_password()
        else:
            plan.changes = services.account_changes(account, row.values)
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


def _chunks(values: list, size: int = LOOKUP_CHUNK) -> Iterator[list]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _existing_accounts(logins: list[str]) -> dict[str, Account]:
    found = {}
    for chunk in _chunks(sorted({login for login in logins if login})):
        for account in Account.objects.select_related("user").filter(user__username__in=chunk):
            found[account.user.username] = account
    return found


def _users_without_account(logins: list[str]) -> set[str]:
    found = set()
    for chunk in _chunks(sorted({login for login in logins if login})):
        users = User.objects.filter(username__in=chunk, account__isnull=True)
        found.update(users.values_list("username", flat=True))
    return found


def _owners(field_name: str, values: list[str | None]) -> dict[str, str]:
    """{value: login of the account that has it} for an Account field."""
    owners = {}
    for chunk in _chunks(sorted({value for value in values if value})):
        owners.update(
            Account.objects.filter(**{f"{field_name}__in": chunk}).values_list(
                field_name, "user__username"
            )
        )
    return owners


# --- Writing -----------------------------------------------------------------------------------


def hash_passwords(plans: list[Plan], progress: Callable[[int], None] | None = None) -> None:
    """Hash the passwords to be set before any transaction opens.

    Argon2 takes a tenth of a second and 100 MB per password, on purpose; the hashing runs
    on every processor (argon2 releases Python's lock while it works).
    """
    jobs = []
    for plan in plans:
        if plan.action == "create":
            jobs.append((plan, plan.row.password or plan.generated_password))
        elif "password" in plan.changes:
            jobs.append((plan, plan.row.password))
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        hashes = pool.map(make_password, [password for _plan, password in jobs])
        for (plan, _password), encoded in zip(jobs, hashes, strict=True):
            plan.password_hash = encoded
            if progress:
                progress(1)


def apply_plan(plan: Plan, *, actor: audit.Actor) -> Account:
    """Create or update the account of one planned row (callers hold the transaction)."""
    result = services.create_or_update_account(
        plan.row.login,
        plan.row.values,
        password_hash=plan.password_hash,
        opening_balance=plan.row.opening_balance if plan.account is None else None,
        actor=actor,
    )
    return result.account


def export_row(account: Account) -> list[str]:
    """An account as a row of EXPORT_COLUMNS (what import_accounts reads back unchanged)."""

    def flag(value: bool) -> str:
        return "yes" if value else "no"

    return [
        account.user.username,
        account.account_id,
        account.user.email,
        account.first_name,
        account.last_name,
        account.company_name,
        account.phone,
        account.language,
        account.time_zone,
        account.currency,
        f"{account.balance:.2f}",
        f"{account.credit_limit:.2f}",
        flag(account.call_screening_enabled),
        flag(account.voicemail_enabled),
        flag(account.conferences_enabled),
        str(account.max_conference_participants),
        str(account.max_concurrent_conferences),
        account.mailbox or "",
    ]


def accounts_for_export() -> Iterable[Account]:
    return Account.objects.select_related("user").order_by("account_id").iterator(chunk_size=2000)
