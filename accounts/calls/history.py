"""Finding an account's calls: the filters of "Spis połączeń". The call history page and its
CSV export both use `filtered_calls`, so the export holds exactly what the page shows.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from accounts.calls.cache import remembered
from accounts.calls.forms import CallFilterForm
from accounts.models import Account, CallRecord

CALLS_PER_PAGE = 50
EXPORT_CHUNK_SIZE = 2000

# What a CSV row needs (accounts.calls.konto_csv.row_for_call); the rest of the row is never read.
EXPORT_FIELDS = (
    "source",
    "source_id",
    "started_at",
    "answered_at",
    "caller",
    "callee",
    "direction",
    "duration",
    "billed_seconds",
    "disposition",
    "description",
    "charge",
)


def account_calls(account: Account) -> QuerySet[CallRecord]:
    """The account's calls as its pages show them, newest first: each call once, by its primary
    leg (the history lists calls, not legs). Every stored time can be shown in every zone:
    the database refuses others (CallRecord's callrecord_times_plausible)."""
    return CallRecord.objects.filter(account=account).one_per_call()


def local_midnight(day: date, account: Account) -> datetime:
    """The aware moment a day begins in the account's time zone."""
    return datetime.combine(day, time.min, tzinfo=account.zone)


def filtered_calls(account: Account, filters: Mapping[str, Any]) -> QuerySet[CallRecord]:
    """The account's calls, newest first, narrowed by the valid part of a CallFilterForm.

    `filters` is the form's `cleaned_data`: fields with errors are simply absent, so a bad
    value never widens the search beyond the account nor breaks it.
    """
    calls = account_calls(account)
    if day := filters.get("date_from"):
        calls = calls.filter(started_at__gte=local_midnight(day, account))
    if day := filters.get("date_to"):
        # The whole end day counts: up to the next local midnight.
        calls = calls.filter(started_at__lt=local_midnight(day + timedelta(days=1), account))
    if direction := filters.get("direction"):
        calls = calls.filter(direction=direction)
    result = filters.get("result")
    if result == CallFilterForm.RESULT_ANSWERED:
        calls = calls.filter(disposition=CallRecord.Disposition.ANSWERED)
    elif result == CallFilterForm.RESULT_UNSUCCESSFUL:
        calls = calls.exclude(disposition=CallRecord.Disposition.ANSWERED)
    if number := filters.get("number"):
        # icontains is a bound parameter: quotes, % or markup in the search are only text.
        calls = calls.filter(Q(caller__icontains=number) | Q(callee__icontains=number))
    return calls.order_by("-started_at", "-id")


def count_calls(account: Account, calls: QuerySet[CallRecord]) -> int:
    """How many calls a list of the account's calls holds, counted once per change of its calls."""
    return remembered(account, f"count {calls.query}", calls.count)


def calls_for_export(calls: QuerySet[CallRecord]) -> Iterator[CallRecord]:
    """Stream the calls in chunks with only the columns a CSV row needs (memory stays flat)."""
    return calls.only(*EXPORT_FIELDS).iterator(chunk_size=EXPORT_CHUNK_SIZE)
