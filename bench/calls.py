"""Benchmark of "Spis połączeń" at scale: one account with a million calls.

    .venv/bin/python bench/calls.py                    # SQLite, var/bench-calls.sqlite3
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/konto_bench .venv/bin/python bench/calls.py

It builds its own database (a throwaway SQLite file under var/, or the PostgreSQL database
named in DATABASE_URL, created if missing and dropped afterwards unless --keep), runs the
migrations, fills it with --calls calls for one account (plus a few for a second account), and
prints:

- the time of the call history's first, middle and last page and of filtered pages, through
  Django's test client (the whole request: middleware, queries, template), with the number of
  queries of each;
- the time of the dashboard (its usage chart aggregates the last 30 days), and of the admin's
  lists and searches of the calls (every account's) and of the ledger (an entry per charged
  call, as import_cdrs --rate writes them), as a staff member verified by two-step;
- the CSV and Excel exports' throughput (rows/s) and the peak memory (max RSS) of a process
  that exports everything, next to one that exports about 1 % of it: the two peaks should be
  about the same; on PostgreSQL beside the export's floors, COPY of the same rows to the
  client and psycopg with the csv module without the ORM.

It is a benchmark, not a test: it asserts nothing and prints numbers.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import zipfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
SQLITE_FILE = BASE_DIR / "var" / "bench-calls.sqlite3"
LOGIN = "bench_48223809888"
OTHER_LOGIN = "bench_other"
BATCH = 10_000
REPEAT = 5


def _database_url() -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{SQLITE_FILE}"


def _is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


def _postgres_admin(url: str, sql: str) -> None:
    """Run CREATE/DROP DATABASE on the server's `postgres` database (not in a transaction)."""
    import psycopg

    parts = urlsplit(url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(sql)


def _database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def _setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "konto.settings")
    os.environ.setdefault("DEBUG", "1")  # only so that settings load without a SECRET_KEY
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.conf import settings

    # Production-like for the measurement: no query log, no debug pages.
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]


def fill_calls(calls: int) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction

    from accounts.models import Account, BalanceEntry, CallRecord, User

    call_command("migrate", verbosity=0)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # A throwaway file: durability does not matter while filling it.
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA journal_mode = MEMORY")
    user = User.objects.create_user(LOGIN, email="bench@example.com", password=None)
    account = Account.objects.create(user=user, account_id=LOGIN, phone="+48223809888")
    other_user = User.objects.create_user(OTHER_LOGIN, email="other@example.com", password=None)
    other = Account.objects.create(user=other_user, account_id=OTHER_LOGIN)

    rng = random.Random(48223809888)
    numbers = [f"+48{rng.randint(100000000, 999999999)}" for _ in range(5000)]
    descriptions = ["", "", "", "Połączenie krajowe", "Komórkowe — Łódź", "Zagraniczne"]
    dispositions = ["answered"] * 7 + ["no_answer", "busy", "failed"]
    now = datetime.now(UTC).replace(microsecond=0)
    # A million calls over about two years: one every ~63 seconds.
    spacing = timedelta(days=730) / max(calls, 1)

    def batch(owner, start: int, count: int, source: str) -> list[CallRecord]:
        rows = []
        for n in range(start, start + count):
            started = now - spacing * n
            disposition = rng.choice(dispositions)
            answered = disposition == "answered"
            seconds = rng.randint(5, 1800) if answered else 0
            roll = rng.random()
            direction = "in" if roll < 0.4 else "out" if roll < 0.95 else "internal"
            other_number = rng.choice(numbers)
            rows.append(
                CallRecord(
                    account=owner,
                    source=source,
                    source_id=str(n),
                    started_at=started,
                    answered_at=started + timedelta(seconds=6) if answered else None,
                    duration=seconds + 6,
                    billed_seconds=seconds,
                    caller=other_number if direction == "in" else "+48223809888",
                    callee="+48223809888" if direction == "in" else other_number,
                    direction=direction,
                    disposition=disposition,
                    description=rng.choice(descriptions),
                    charge=(Decimal(seconds) * Decimal("0.0020")).quantize(Decimal("0.01"))
                    if direction == "out"
                    else Decimal("0.00"),
                )
            )
        return rows

    balance = Decimal("0.00")
    booked = 0

    def charges(made: list[CallRecord]) -> list[BalanceEntry]:
        """The ledger's entry of each charged call, as import_cdrs --rate writes them (oldest
        first, the callee as the description)."""
        nonlocal balance, booked
        entries = []
        for call in reversed(made):
            if call.charge:
                balance -= call.charge
                entries.append(
                    BalanceEntry(
                        account=call.account,
                        amount=-call.charge,
                        balance_after=balance,
                        kind=BalanceEntry.Kind.CALL_CHARGE,
                        description=call.callee,
                        call=call,
                        created_at=call.started_at,
                    )
                )
        booked += len(entries)
        return entries

    started = time.perf_counter()
    for start in range(0, calls, BATCH):
        with transaction.atomic():
            made = CallRecord.objects.bulk_create(
                batch(account, start, min(BATCH, calls - start), "bench"), batch_size=BATCH
            )
            BalanceEntry.objects.bulk_create(charges(made), batch_size=BATCH)
        done = min(start + BATCH, calls)
        if done % 100_000 == 0 or done == calls:
            rate = done / (time.perf_counter() - started)
            print(f"  filled {done:>9,} calls ({rate:,.0f}/s)", flush=True)
    # As accounts.ledger.services leaves them: the sum of its ledger, and how many entries.
    Account.objects.filter(pk=account.pk).update(balance=balance, ledger_entries=booked)
    CallRecord.objects.bulk_create(batch(other, 0, 10_000, "bench-other"), batch_size=BATCH)
    with connection.cursor() as cursor:
        # Fresh statistics (and, on PostgreSQL, the visibility map that lets COUNT(*) use an
        # index-only scan), as autovacuum would provide on a live database.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(f"  fill took {time.perf_counter() - started:,.1f} s")


def _time_get(client, url: str) -> tuple[float, float, int, int]:
    """(first, median of the rest, queries, status) for a GET, in milliseconds."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings = []
    queries = 0
    status = 0
    for attempt in range(REPEAT + 1):
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - began) * 1000)
        if attempt == 0:
            queries, status = len(captured.captured_queries), response.status_code
    return timings[0], statistics.median(timings[1:]), queries, status


def _pages(calls: int) -> None:
    from django.core.paginator import Paginator
    from django.test import Client

    from accounts.calls.history import CALLS_PER_PAGE
    from accounts.models import Account

    account = Account.objects.get(account_id=LOGIN)
    client = Client()
    client.force_login(account.user)
    last = Paginator(range(calls), CALLS_PER_PAGE).num_pages
    month_ago = (datetime.now(UTC) - timedelta(days=30)).date()
    year_ago = (datetime.now(UTC) - timedelta(days=365)).date()
    cases = [
        ("first page", "/calls/"),
        ("page 2", "/calls/?page=2"),
        (f"middle page ({last // 2:,})", f"/calls/?page={last // 2}"),
        (f"last page ({last:,})", f"/calls/?page={last}"),
        ("huge page number", "/calls/?page=99999999999"),
        ("filter: last 30 days", f"/calls/?date_from={month_ago}"),
        ("filter: incoming, unsuccessful", "/calls/?direction=in&result=unsuccessful"),
        (
            "filter: ditto, middle page",
            "/calls/?direction=in&result=unsuccessful&page=1000",
        ),
        ("filter: number contains 601", "/calls/?number=601"),
        ("filter: number, one year, out", f"/calls/?number=601&date_from={year_ago}&direction=out"),
        ("balance history", "/balance/"),
        ("dashboard (usage chart)", "/"),
    ]
    staff = _staff_client()
    admin_cases = [
        ("admin: calls list", "/admin/accounts/callrecord/"),
        ("admin: calls list, page 2", "/admin/accounts/callrecord/?p=2"),
        (
            "admin: calls of one account",
            f"/admin/accounts/callrecord/?account__id__exact={account.pk}",
        ),
        ("admin: calls search 601", "/admin/accounts/callrecord/?q=601"),
        ("admin: ledger", "/admin/accounts/balanceentry/"),
        ("admin: ledger search 601", "/admin/accounts/balanceentry/?q=601"),
        ("admin: ledger search login", f"/admin/accounts/balanceentry/?q={LOGIN}"),
        ("admin: audit search login", f"/admin/accounts/auditevent/?q={LOGIN}"),
    ]
    print(f"\n  {'page':<36}{'first ms':>10}{'median ms':>11}{'queries':>9}{'status':>8}")
    for label, url, who in [
        *((label, url, client) for label, url in cases),
        *((label, url, staff) for label, url in admin_cases),
    ]:
        first, median, queries, status = _time_get(who, url)
        print(f"  {label:<36}{first:>10.1f}{median:>11.1f}{queries:>9}{status:>8}", flush=True)


def _staff_client():
    """A superuser signed in and verified by two-step, as the admin requires."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import User

    user = User.objects.filter(username="bench_staff").first() or User.objects.create_user(
        "bench_staff", password=None, is_staff=True, is_superuser=True
    )
    device = TOTPDevice.objects.get_or_create(user=user, name="bench", confirmed=True)[0]
    staff = Client()
    staff.force_login(user)
    session = staff.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return staff


def _export_child(query: str, *, trace: bool) -> None:
    """Run one export in this (fresh) process and print its figures as JSON.

    With `trace`, Python's allocations during the export are traced (tracemalloc), which slows
    it down: the throughput is measured in a run without it.
    """
    from django.test import Client

    from accounts.models import Account

    account = Account.objects.get(account_id=LOGIN)
    client = Client()
    client.force_login(account.user)
    rss_before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if trace:
        tracemalloc.start()
    began = time.perf_counter()
    response = client.get(query)
    size = lines = 0
    workbook = tempfile.TemporaryFile() if ".xlsx" in query else None  # noqa: SIM115 - the process ends
    for piece in response.streaming_content:  # type: ignore[attr-defined]  # a StreamingHttpResponse
        size += len(piece)
        lines += piece.count(b"\n")
        if workbook:
            workbook.write(piece)
    seconds = time.perf_counter() - began
    traced_peak = tracemalloc.get_traced_memory()[1] if trace else 0
    peak_rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if workbook:
        lines = _sheet_rows(workbook)
    print(
        json.dumps(
            {
                "rows": lines - 1,
                "seconds": seconds,
                "bytes": size,
                "rss_before_kb": rss_before_kb,
                "peak_rss_kb": peak_rss_kb,
                "traced_peak_bytes": traced_peak,
            }
        )
    )


def _sheet_rows(workbook: IO[bytes]) -> int:
    """The rows of an exported workbook's sheet, header included, read in pieces."""
    rows, tail = 0, b""
    with zipfile.ZipFile(workbook) as package, package.open("xl/worksheets/sheet1.xml") as sheet:
        while chunk := sheet.read(1 << 20):
            text = tail + chunk
            rows += text.count(b"<row>")
            # "<row>" split between two pieces is counted in the next; keep too little of it
            # to be counted twice.
            tail = text[-4:]
    return rows


def _run_export_child(url: str, query: str, *, trace: bool) -> dict:
    command = [sys.executable, __file__, "--export-child", query]
    if trace:
        command.append("--trace")
    output = subprocess.run(
        command,
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def _export(url: str) -> None:
    # Each export runs in a new process, so its peak memory is its own: "RSS before" is the
    # process after start-up, "peak RSS" its high-water mark at the end of the export, and
    # "traced peak" the most Python memory allocated at once during the export (a second run).
    week_ago = (datetime.now(UTC) - timedelta(days=7)).date()
    print(
        f"\n  {'export':<22}{'rows':>11}{'seconds':>9}{'rows/s':>9}{'MB':>7}"
        f"{'RSS before MB':>15}{'peak RSS MB':>13}{'traced peak MB':>16}"
    )
    for label, query in [
        ("CSV, last 7 days (~1 %)", f"/calls/export.csv?date_from={week_ago}"),
        ("CSV, everything", "/calls/export.csv"),
        ("Excel, last 7 days", f"/calls/export.xlsx?date_from={week_ago}"),
        ("Excel, everything", "/calls/export.xlsx"),
    ]:
        figures = _run_export_child(url, query, trace=False)
        traced = _run_export_child(url, query, trace=True)
        rate = figures["rows"] / figures["seconds"]
        print(
            f"  {label:<22}{figures['rows']:>11,}{figures['seconds']:>9.1f}{rate:>9,.0f}"
            f"{figures['bytes'] / 1e6:>7.1f}{figures['rss_before_kb'] / 1024:>15.1f}"
            f"{figures['peak_rss_kb'] / 1024:>13.1f}{traced['traced_peak_bytes'] / 1e6:>16.2f}",
            flush=True,
        )


def _export_floors() -> None:
    """The floors of an export on PostgreSQL, for the same account's calls: COPY of its rows
    to the client, and psycopg with the csv module and no ORM."""
    import csv
    import io

    from django.db import connection

    from accounts.models import Account

    if connection.vendor != "postgresql":
        return
    account = Account.objects.get(account_id=LOGIN)
    select = (
        "SELECT source, source_id, started_at, answered_at, caller, callee, direction, "
        "duration, billed_seconds, disposition, description, charge FROM accounts_callrecord "
        f"WHERE account_id = {account.pk} AND is_primary_leg ORDER BY started_at DESC, id DESC"
    )
    with connection.cursor() as cursor:
        began = time.perf_counter()
        rows = 0
        with cursor.cursor.copy(f"COPY ({select}) TO STDOUT (FORMAT csv)") as copy:
            for _row in copy:
                rows += 1
        copy_rate = rows / (time.perf_counter() - began)
    raw = connection.connection
    began = time.perf_counter()
    with raw.transaction(), raw.cursor(name="bench_export") as cursor:
        cursor.itersize = 5000
        cursor.execute(select)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        rows = 0
        for row in cursor:
            writer.writerow(row)
            rows += 1
            if buffer.tell() > 1 << 16:
                buffer.seek(0)
                buffer.truncate()
    plain_rate = rows / (time.perf_counter() - began)
    print(
        f"  floors for everything: COPY TO STDOUT {copy_rate:,.0f} rows/s; "
        f"psycopg + csv, no ORM {plain_rate:,.0f} rows/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=1_000_000, help="calls of the account")
    parser.add_argument(
        "--reuse", action="store_true", help="use the database of an earlier --keep run as it is"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--export-child", metavar="QUERY", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = _database_url()

    if args.export_child is not None:
        _setup_django(url)
        _export_child(args.export_child, trace=args.trace)
        return

    postgres = _is_postgres(url)
    if not args.reuse:
        if postgres:
            name = _database_name(url)
            _postgres_admin(url, f'DROP DATABASE IF EXISTS "{name}"')
            _postgres_admin(url, f'CREATE DATABASE "{name}"')
        else:
            SQLITE_FILE.unlink(missing_ok=True)
    _setup_django(url)
    from django.db import connection

    print(f"Konto call history bench on {connection.vendor} ({connection.settings_dict['NAME']})")
    if not args.reuse:
        fill_calls(args.calls)
    from accounts.models import CallRecord

    calls = CallRecord.objects.filter(account__account_id=LOGIN).count()
    print(f"  {calls:,} calls of one account")
    try:
        _pages(calls)
        _export(url)
        _export_floors()
    finally:
        connection.close()
        if not args.keep:
            if postgres:
                _postgres_admin(url, f'DROP DATABASE IF EXISTS "{_database_name(url)}"')
            else:
                SQLITE_FILE.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
