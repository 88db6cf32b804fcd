"""Benchmark: `manage.py import_cdrs` on a million-row Asterisk Master.csv, beside COPY.

    .venv/bin/python bench/import_cdrs.py [--rows 1000000] [--accounts 5] [--rate 0.12]

It creates its own PostgreSQL database (DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/konto_bench_import), migrates it, writes a Master.csv into a
temporary directory, then times:

1. COPY of the same file into a bare table of 18 columns without indexes: the physical floor
   of getting those bytes into PostgreSQL;
2. COPY of the same calls, already converted and rated, into accounts_callrecord itself (its
   indexes and the foreign-key checks) and of their charges into the ledger, rolled back:
   the floor for these tables;
3. the import (calls with their indexes, the account lookups, the ledger when --rate is given);
4. the same import again, which must add nothing.

in --rounds interleaved rounds (the calls and the ledger emptied between them), and prints
the medians with their ratios to both floors; then drops the database (unless --keep). The
issue's targets: the first run ≤ 3× the COPY into the calls table, the second ≤ 1×. A
benchmark prints numbers; it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/konto_bench_import"
os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "konto.settings")
# Production-like: no debug query log; a throwaway key because DEBUG is off.
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(40))

import psycopg  # noqa: E402

DISPOSITIONS = ["ANSWERED"] * 7 + ["NO ANSWER", "BUSY", "FAILED"]
NUMBERS = ["48226543210", "48501234567", "4930123456", "442079460000", "48587654321"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--accounts", type=int, default=5)
    parser.add_argument("--rate", default="0", help="--rate for import_cdrs (0: no charges)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (medians)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    url = os.environ["DATABASE_URL"]
    if not url.startswith("postgres"):
        sys.exit("This benchmark needs PostgreSQL: set DATABASE_URL=postgres://…")
    recreate_database(url)
    try:
        run(args, url)
    finally:
        if not args.keep:
            drop_database(url)


def run(args: argparse.Namespace, url: str) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    logins = make_accounts(args.accounts)

    with tempfile.TemporaryDirectory(prefix="konto-bench-") as directory:
        path = Path(directory) / "Master.csv"
        started = time.perf_counter()
        write_master_csv(path, args.rows, logins)
        size = path.stat().st_size
        print(
            f"Generated {args.rows:,} rows ({size / 1e6:.0f} MB) for {len(logins)} accounts "
            f"in {time.perf_counter() - started:.1f} s; {args.rounds} interleaved rounds, "
            "medians"
        )
        figures: dict[str, list[float]] = {"bare": [], "calls": [], "import": [], "again": []}
        for round_number in range(args.rounds):
            figures["bare"].append(time_copy(url, path))
            figures["calls"].append(time_copy_into_calls(path, Path(directory), args.rate))
            figures["import"].append(time_import(call_command, path, args.rate, quiet=True))
            figures["again"].append(time_import(call_command, path, args.rate, quiet=True))
            if round_number < args.rounds - 1:
                report_database()
                forget_imported_calls()
        bare, calls = (statistics.median(figures[name]) for name in ("bare", "calls"))
        print(f"\n  {'':<34}{'seconds':>8}{'rows/s':>10}{'× bare COPY':>13}{'× that COPY':>14}")
        for label, name in [
            ("COPY into a bare table", "bare"),
            ("COPY into calls and ledger", "calls"),
            ("import_cdrs --rate (first run)", "import"),
            ("import_cdrs again (adds nothing)", "again"),
        ]:
            seconds = statistics.median(figures[name])
            print(
                f"  {label:<34}{seconds:>8.2f}{args.rows / seconds:>10,.0f}"
                f"{seconds / bare:>13.1f}{seconds / calls:>14.2f}"
            )
        report_database()


def forget_imported_calls() -> None:
    """Back to the accounts as made: no calls, no ledger, zero balances (the next round)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE accounts_balanceentry, accounts_callrecord")
        cursor.execute(
            "UPDATE accounts_account SET balance = 0, ledger_entries = 0, calls_version = 0"
        )


def maintenance_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    return urlunsplit(parts._replace(path="/postgres")), name


def recreate_database(url: str) -> None:
    admin_url, name = maintenance_url(url)
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    from django.db import connections

    connections.close_all()
    admin_url, name = maintenance_url(url)
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')


def make_accounts(count: int) -> list[str]:
    from accounts.models import Account, User

    logins = [f"telekonferencja_48223{809880 + n:06d}" for n in range(count)]
    for login in logins:
        user = User.objects.create_user(username=login, email=f"{login}@example.com")
        Account.objects.create(user=user, account_id=login)
    return logins


def write_master_csv(path: Path, rows: int, logins: list[str]) -> None:
    """Rows as Asterisk's cdr_csv writes them: 18 columns, strings quoted, durations not."""
    rng = random.Random(2026)
    start = datetime(2026, 11, 2)
    with path.open("w", encoding="utf-8", newline="") as file:
        for n in range(rows):
            login = logins[n % len(logins)]
            number = login.rsplit("_", 1)[-1]
            began = start + timedelta(seconds=n * 86400 // rows)
            disposition = rng.choice(DISPOSITIONS)
            answered = disposition == "ANSWERED"
            duration = rng.randint(5, 3600)
            billsec = duration - rng.randint(1, 4) if answered else 0
            answer = (
                f'"{began + timedelta(seconds=duration - billsec):%Y-%m-%d %H:%M:%S}"'
                if answered
                else ""
            )
            callee = rng.choice(NUMBERS)
            file.write(
                f'"{login}","{number}","{callee}","from-internal",'
                f'"""Biuro, Zażółć"" <{number}>","PJSIP/{number}-{n:08x}",'
                f'"PJSIP/trunk-{n + 1:08x}","Dial","PJSIP/{callee}@trunk,60",'
                f'"{began:%Y-%m-%d %H:%M:%S}",{answer},'
                f'"{began + timedelta(seconds=duration):%Y-%m-%d %H:%M:%S}",'
                f'{duration},{billsec},"{disposition}","DOCUMENTATION",'
                f'"{1794961168 + n // 1000}.{n}",""\n'
            )


def time_copy(url: str, path: Path) -> float:
    names = [
        *("accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel"),
        *("lastapp", "lastdata", "start", "answer", "end_", "duration", "billsec"),
        *("disposition", "amaflags", "uniqueid", "userfield"),
    ]
    columns = ", ".join(
        f"{name} {'integer' if name in ('duration', 'billsec') else 'text'}" for name in names
    )
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"CREATE TABLE bench_bare ({columns})")
        started = time.perf_counter()
        with (
            connection.cursor() as cursor,
            cursor.copy("COPY bench_bare FROM STDIN WITH (FORMAT csv)") as copy,
            path.open("rb") as file,
        ):
            while chunk := file.read(1 << 20):
                copy.write(chunk)
        seconds = time.perf_counter() - started
        connection.execute("DROP TABLE bench_bare")
    return seconds


def time_copy_into_calls(path: Path, directory: Path, rate: str) -> float:
    """COPY the file's calls, converted and rated as the importer does, into
    accounts_callrecord, and their charges into the ledger (accounts_balanceentry), in one
    transaction with the foreign keys checked, rolled back."""
    import zoneinfo
    from collections import defaultdict
    from decimal import Decimal

    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.calls import importer
    from accounts.calls.asterisk_csv import AsteriskParser
    from accounts.calls.direction import DirectionRules
    from accounts.calls.rating import Tariff
    from accounts.csvfiles import records
    from accounts.models import Account, CallRecord

    parser = AsteriskParser(
        zoneinfo.ZoneInfo("Europe/Warsaw"), Tariff.parse(rate), DirectionRules()
    )
    accounts = dict(Account.objects.values_list("account_id", "pk"))
    balances: dict[int, Decimal] = defaultdict(Decimal)
    now = timezone.now().isoformat(" ")
    lines = directory / "calls.copy"
    entries = directory / "entries.copy"
    with (
        path.open(encoding="utf-8", newline="") as source,
        lines.open("w") as target,
        entries.open("w") as ledger,
    ):
        for n, record in enumerate(records(source), start=1):
            assert record.fields is not None  # the bench writes every line itself
            call = parser.parse(record.line, record.fields)
            call.account_pk = accounts[call.account_code]
            parser.settle(call, frozenset())
            target.write(f"{n}\t{copy_line(call)}")
            if call.charge:
                balances[call.account_pk] -= call.charge
                ledger.write(
                    f"{call.account_pk}\t{-call.charge}\t{balances[call.account_pk]}\t"
                    f"call_charge\t{call.callee}\t{n}\t\\N\timport_cdrs\t{now}\n"
                )
    by_attname = {field.attname: field.column for field in CallRecord._meta.concrete_fields}
    columns = ", ".join(["id", *(by_attname[name] for name in importer.CALL_FIELDS)])
    entry_columns = (
        "account_id, amount, balance_after, kind, description, call_id, created_by_id, "
        "created_by_label, created_at"
    )
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        # Check the foreign keys now rather than at a commit that never comes.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for statement, file_path in [
            (f"COPY accounts_callrecord ({columns}) FROM STDIN", lines),
            (f"COPY accounts_balanceentry ({entry_columns}) FROM STDIN", entries),
        ]:
            with cursor.cursor.copy(statement) as copy, file_path.open("rb") as file:
                while chunk := file.read(1 << 20):
                    copy.write(chunk)
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    lines.unlink()
    entries.unlink()
    return seconds


def copy_line(call) -> str:
    """A parsed call as COPY text (the benchmark's data has no tabs or backslashes to escape)."""
    answered = call.answered_at.isoformat(" ") if call.answered_at else "\\N"
    return (
        f"{call.account_pk}\t{call.source}\t{call.source_id}\t{call.started_at.isoformat(' ')}\t"
        f"{answered}\t{call.duration}\t{call.billed_seconds}\t{call.caller}\t{call.callee}\t"
        f"{call.direction}\t{call.disposition}\t{call.description}\t{call.charge}\t"
        f"{call.call_key}\n"
    )


def time_import(call_command, path: Path, rate: str, *, quiet: bool = False) -> float:
    from io import StringIO

    out = StringIO()
    started = time.perf_counter()
    call_command("import_cdrs", str(path), format="asterisk", rate=rate, stdout=out)
    seconds = time.perf_counter() - started
    if not quiet:
        print("   ", out.getvalue().strip().replace("\n", "\n    "))
    return seconds


def report_database() -> None:
    from django.db.models import Count, Sum

    from accounts.models import Account, BalanceEntry, CallRecord

    calls = CallRecord.objects.count()
    entries = BalanceEntry.objects.aggregate(n=Count("id"), total=Sum("amount"))
    balances = Account.objects.aggregate(total=Sum("balance"))["total"]
    print(
        f"In the database: {calls:,} calls, {entries['n']:,} ledger entries summing to "
        f"{entries['total'] or 0}, balances summing to {balances}"
    )


if __name__ == "__main__":
    main()
