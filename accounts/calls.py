"""Finding an account's calls: the filters of "Spis połączeń" and paging that stays fast at
a million calls. The call history page and its CSV export both use `filtered_calls`, so the
export holds exactly what the page shows.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from accounts.forms import CallFilterForm
from accounts.models import Account, BalanceEntry, CallRecord

CALLS_PER_PAGE = 50
BALANCE_ENTRIES_PER_PAGE = 50
EXPORT_CHUNK_SIZE = 2000

# What a CSV row needs (accounts.callcsv.row_for_call); the rest of the row is never read.
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


def local_midnight(day: date, account: Account) -> datetime:
    """The aware moment a day begins in the account's time zone."""
    return datetime.combine(day, time.min, tzinfo=account.zone)


def filtered_calls(account: Account, filters: Mapping[str, Any]) -> QuerySet[CallRecord]:
    """The account's calls, newest first, narrowed by the valid part of a CallFilterForm.

    `filters` is the form's `cleaned_data`: fields with errors are simply absent, so a bad
    value never widens the search beyond the account nor breaks it.
    """
    calls = CallRecord.objects.filter(account=account)
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


def calls_for_export(calls: QuerySet[CallRecord]) -> Iterator[CallRecord]:
    """Stream the calls in chunks with only the columns a CSV row needs (memory stays flat)."""
    return calls.only(*EXPORT_FIELDS).iterator(chunk_size=EXPORT_CHUNK_SIZE)


def balance_entries(account: Account) -> QuerySet[BalanceEntry]:
    return BalanceEntry.objects.filter(account=account).order_by("-created_at", "-id")


class LedgerPaginator(Paginator):
    """A Paginator for long, index-ordered lists of one account (calls, ledger entries).

    Plain OFFSET paging makes the database read every skipped row in full, so page 20,000 of a
    million calls is slow. Here a page is read in two steps: first only the ids of the page,
    which the "account, newest first" index answers by itself, then the rows for those ids. For
    pages in the second half the ids are read from the oldest end, so the last page is as quick
    as the first. The total (for "Page X of Y") is an ordinary COUNT(*) over the same index.

    The object list must be a queryset ordered by a unique ordering (ending in the primary key).
    """

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        if top <= bottom:
            return self._get_page([], number, self)
        queryset = self.object_list
        if bottom > self.count - top:
            # Closer to the end: read from the other end of the index, then turn around.
            ids = list(
                queryset.reverse().values_list("pk", flat=True)[
                    self.count - top : self.count - bottom
                ]
            )
            ids.reverse()
        else:
            ids = list(queryset.values_list("pk", flat=True)[bottom:top])
        rows = {
            row.pk: row for row in queryset.model._default_manager.filter(pk__in=ids).order_by()
        }
        # A row deleted between the two reads is skipped rather than failing the page.
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)
