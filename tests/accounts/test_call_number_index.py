"""On PostgreSQL the history's number filter can use its trigram index (migration 0011): the
index is built over exactly the expressions Django writes for `icontains`, so the count and
the page need not read every call of the account."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.calls.history import filtered_calls
from accounts.models import CallRecord
from tests import factories

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigram index is PostgreSQL's"
)


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        # A few thousand rows are cheaper to read whole, or along the account's index, than
        # through any other: without those two (the test's transaction rolls the DROP back),
        # does an index serve the filter's own expressions?
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("DROP INDEX callrecord_account_latest")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.django_db
def test_the_number_filter_reads_the_trigram_index(alice):
    now = timezone.now()
    CallRecord.objects.bulk_create(
        CallRecord(
            account=alice,
            source="test",
            source_id=str(n),
            started_at=now - timedelta(minutes=n),
            caller=alice.phone,
            callee=f"+4822{n:07d}",
            direction="out",
            disposition="answered",
        )
        for n in range(3000)
    )
    factories.make_call(alice, callee="+48601234567")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_callrecord")
    calls = filtered_calls(alice, {"number": "48601"})
    assert "callrecord_numbers_trgm" in _plan(calls.order_by())
    assert calls.count() == 1
