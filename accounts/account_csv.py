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
- max_participants, max_conferences: whole numbers; mailbox: the voicemail mailbox number;
- numbers: the account's telephone numbers, separated by spaces, each written without spaces
  (+48223809888 +48223809889; 0048…, or 22… for a Polish number, work too). Stored as E.164
  digits; a number belongs to one account only. A cell with numbers replaces the account's
  numbers; an empty cell leaves them as they are.

UTF-8 (a byte-order mark is fine), delimited by commas or semicolons (the header decides).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from accounts import validators
from accounts.csvfiles import records, sniff_delimiter
from accounts.features import FEATURES
from accounts.fields import max_length
from accounts.models import Account, login_key

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
    "numbers",
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
    "call_screening": FEATURES["call_screening"],
    "voicemail": FEATURES["voicemail"],
    "conferences": FEATURES["conferences"],
    "max_participants": "max_conference_participants",
    "max_conferences": "max_concurrent_conferences",
    "mailbox": "mailbox",
}
TRUE_WORDS = {"yes", "true", "1", "tak", "y", "t"}
FALSE_WORDS = {"no", "false", "0", "nie", "n", "f"}


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
    # The `numbers` cell as stored (E.164 digits); None when the cell is empty: left as they are.
    numbers: tuple[str, ...] | None = None


# --- Reading and checking each cell ---------------------------------------------------------


class CellError(ValueError):
    pass


def _text(model_field: str) -> Callable[[str], str]:
    limit = max_length(Account, model_field)

    def clean(value: str) -> str:
        value = value.strip()
        if len(value) > limit:
            raise CellError(f"at most {limit} characters, this has {len(value)}")
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


def _checked(check: Callable[[str], Any]) -> Callable[[str], Any]:
    """A shared validator (accounts.validators) as a cell reader: its message names the value."""

    def clean(value: str) -> Any:
        try:
            return check(value)
        except ValidationError as error:
            raise CellError(f"{value.strip()!r}: {' '.join(error.messages)}") from error

    return clean


def _whole(check: Callable[[int], None]) -> Callable[[str], int]:
    def clean(text: str) -> int:
        value = validators.parse_whole_number(text)
        check(value)
        return value

    return _checked(clean)


def _language(value: str) -> str:
    value = value.strip().lower()
    if value not in Account.Language.values:
        raise CellError(f"{value!r} is not a language; use pl or en")
    return value


def _currency(value: str) -> str:
    value = value.strip().upper()
    if not (len(value) == 3 and value.isascii() and value.isalpha()):
        raise CellError(f"{value!r} is not a three-letter currency code such as PLN")
    return value


def parse_flag(value: str) -> bool:
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(f"{value!r} is not yes or no (also: true/false, 1/0, tak/nie)")


def _numbers(value: str) -> tuple[str, ...]:
    """A `numbers` cell as stored: E.164 digits, in the cell's order, each once."""
    numbers: list[str] = []
    for written in value.split():
        try:
            number = validators.e164_digits(written)
        except ValidationError as error:
            raise CellError(
                f"{written!r}: {' '.join(error.messages)} The numbers are separated by spaces, "
                "so write each without spaces, such as +48223809888."
            ) from error
        if number not in numbers:
            numbers.append(number)
    return tuple(numbers)


def written_number(number: str) -> str:
    """A stored number (E.164 digits) as the file writes it, and as messages show it."""
    return f"+{number}"


read_amount = _checked(validators.parse_amount)

CLEANERS: dict[str, Callable[[str], Any]] = {
    "account_id": _text("account_id"),
    "email": _email,
    "first_name": _text("first_name"),
    "last_name": _text("last_name"),
    "company_name": _text("company_name"),
    "phone": _checked(validators.normalize_phone),
    "language": _language,
    "time_zone": _checked(validators.validate_time_zone),
    "currency": _currency,
    "credit_limit": _checked(
        lambda value: validators.validate_credit_limit(validators.parse_amount(value))
    ),
    "call_screening": parse_flag,
    "voicemail": parse_flag,
    "conferences": parse_flag,
    "max_participants": _whole(validators.validate_max_participants),
    "max_conferences": _whole(validators.validate_max_conferences),
    "mailbox": _checked(validators.validate_mailbox),
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
    # (column, value as compared) → (line, value as written) of the first row that has it.
    first_line_of: dict[tuple[str, str], tuple[int, str]] = {}
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
        for key, value in _unique_keys(row):
            if key in first_line_of:
                line, earlier = first_line_of[key]
                message = f"{value!r} is already on line {line}"
                if earlier != value:
                    message = (
                        f"{value!r} differs only in case from {earlier!r} on line {line} "
                        "(logins are unique regardless of case)"
                    )
                row_problems.append(Problem(record.line, key[0], message))
            else:
                first_line_of[key] = (record.line, value)
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
    # A NUL byte is a corrupt file, and PostgreSQL cannot store one in text: the row is
    # refused whole, naming the cell.
    corrupt = [
        Problem(line, column, "a NUL byte: the row is corrupt")
        for column, raw in cells.items()
        if "\x00" in raw
    ]
    if corrupt:
        return AccountRow(line, "", {}), corrupt
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
                row.opening_balance = read_amount(raw)
            elif column == "numbers":
                row.numbers = _numbers(raw)
            else:
                row.values[FIELDS[column]] = CLEANERS[column](raw)
        except CellError as error:
            problems.append(Problem(line, column, str(error)))
    return row, problems


def _unique_keys(row: AccountRow) -> Iterator[tuple[tuple[str, str], str]]:
    """What no two rows of a file may share: ((column, value as compared), value as written)."""
    if row.login:
        yield ("login", login_key(row.login)), row.login
    if account_id := row.values.get("account_id"):
        yield ("account_id", account_id), account_id
    if mailbox := row.values.get("mailbox"):
        yield ("mailbox", mailbox), mailbox
    for number in row.numbers or ():
        yield ("numbers", number), written_number(number)


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
        # Prefetched by accounts_for_export(), in PhoneNumber's order.
        " ".join(written_number(number.number) for number in account.numbers.all()),
    ]


def accounts_for_export() -> Iterable[Account]:
    return (
        Account.objects.select_related("user")
        .prefetch_related("numbers")
        .order_by("account_id")
        .iterator(chunk_size=2000)
    )
