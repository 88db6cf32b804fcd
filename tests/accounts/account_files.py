"""Accounts CSV files for the import_accounts tests, and running the command on them."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

PASSWORD = "Mocne-Haslo-2026"


def full_row(login: str = "telekonferencja_48221000001", **cells) -> dict:
    row = {
        "login": login,
        "account_id": login,
        "password": PASSWORD,
        "email": "jan@example.com",
        "first_name": "Jan",
        "last_name": "Kowalski",
        "company_name": "Zakład Usług Łącznościowych „Żuraw”",
        "phone": "22 123 45 67",
        "language": "pl",
        "time_zone": "Europe/Warsaw",
        "currency": "PLN",
        "balance": "100,50",
        "credit_limit": "50.00",
        "call_screening": "tak",
        "voicemail": "yes",
        "conferences": "0",
        "max_participants": "20",
        "max_conferences": "2",
        "mailbox": "1001",
    }
    row.update(cells)
    return row


def write_csv(tmp_path: Path, rows: list[dict], *, header=None, delimiter=",", name="a.csv"):
    header = header or list(rows[0]) if rows else header or ["login"]
    path = tmp_path / name
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file, delimiter=delimiter)
        writer.writerow(header)
        for row in rows:
            writer.writerow([row.get(column, "") for column in header])
    return path


def run(path: Path, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_accounts", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(path: Path, *args: str, match: str | None = None) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match=match) as raised:
        call_command("import_accounts", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue() + str(raised.value)
