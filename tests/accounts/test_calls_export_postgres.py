"""On PostgreSQL the CSV export is written by COPY (accounts.calls.konto_csv_postgres): it must
write exactly the bytes that konto_csv's Python writes for the same calls, however awkward."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection

from accounts.calls.history import calls_for_export, filtered_calls
from accounts.calls.konto_csv import csv_pieces
from accounts.calls.konto_csv_postgres import copy_pieces
from accounts.models import CallRecord
from tests import factories

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY is PostgreSQL's"),
]

TEXTS = [
    "",
    "=1+1",
    "'=x",
    "''@y",
    "'abc",
    "'",
    "''",
    "+A1",
    "-12.50",
    "+48221234567",
    "-",
    "+",
    "@",
    "1.5",
    "-0.5e3",
    'Powiedział "tak", dobrze',
    "dwie\nlinie",
    "powrót\rkaretki",
    "\tz tabulatorem",
    "tabulator\tw środku",
    "\rna początku",
    "Łódź — zażółć gęślą jaźń",
    " spacja na początku",
    "przecinek, w środku",
    "=cmd|' /C calc'!A0",
]
# Around both clock changes of 2026 in Warsaw and St John's, and an ordinary day.
MOMENTS = [
    datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC),
    datetime(2026, 3, 29, 1, 0, 0, tzinfo=UTC),
    datetime(2026, 3, 8, 5, 30, 0, tzinfo=UTC),
    datetime(2026, 10, 25, 0, 30, 0, 999999, tzinfo=UTC),
    datetime(2026, 10, 25, 1, 30, 0, tzinfo=UTC),
    datetime(2026, 11, 1, 3, 29, 59, tzinfo=UTC),
    datetime(2026, 12, 3, 12, 0, 1, 500000, tzinfo=UTC),
]
CHARGES = [Decimal("0.00"), Decimal("0.12"), Decimal("-12.50"), Decimal("1234.56")]


@pytest.mark.parametrize("zone", ["Europe/Warsaw", "America/St_Johns", "Asia/Kathmandu", "UTC"])
def test_copy_writes_the_same_bytes_as_python(alice, zone):
    alice.time_zone = zone
    alice.save()
    for n, text in enumerate(TEXTS * 2):
        started = MOMENTS[n % len(MOMENTS)] + timedelta(days=n // len(MOMENTS) * 0)
        answered = None if n % 3 == 0 else started + timedelta(seconds=n)
        factories.make_call(
            alice,
            source="test" if n % 2 else "=src",
            source_id=f"{n}:{text}"[:64],
            started_at=started + timedelta(seconds=n),
            answered_at=answered,
            duration=n * 7,
            billed_seconds=n * 5,
            caller=TEXTS[(n + 3) % len(TEXTS)][:64],
            callee=text[:64],
            description=text,
            charge=CHARGES[n % len(CHARGES)],
            disposition="answered" if answered else "no_answer",
        )
    calls = filtered_calls(alice, {})
    by_python = b"".join(csv_pieces(calls_for_export(calls), alice))
    by_copy = b"".join(copy_pieces(calls, alice))
    assert by_copy.count(b"\r\n") >= len(TEXTS) * 2 + 1
    assert by_copy == by_python


def test_copy_leaves_the_connections_time_zone_as_it_was(alice):
    alice.time_zone = "Asia/Kathmandu"
    alice.save()
    factories.make_call(alice)
    b"".join(copy_pieces(CallRecord.objects.filter(account=alice), alice))
    with connection.cursor() as cursor:
        cursor.execute("SHOW TimeZone")
        assert cursor.fetchone()[0] == "UTC"
