"""Finding an account's calls: the filters of "Spis połączeń". The call history page and its
CSV export both use `filtered_calls`, so the export holds exactly what the page shows.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from django.db.models import BigIntegerField, Func, Q, QuerySet
from django.utils.translation import gettext_lazy

from accounts.calls.cache import cache_key, remembered, rendering_key
from accounts.calls.forms import CallFilterForm
from accounts.models import Account, CallRecord

if TYPE_CHECKING:
    from django.core.paginator import Page

CALLS_PER_PAGE = 50
# The history's columns as the page and the exports title them, up to the charge (whose title
# each writes its own way).
COLUMN_TITLES = (
    gettext_lazy("Start time"),
    gettext_lazy("Caller"),
    gettext_lazy("Callee"),
    gettext_lazy("Direction"),
    gettext_lazy("Duration"),
    gettext_lazy("Result"),
    gettext_lazy("Description"),
)
EXPORT_CHUNK_SIZE = 5000
# What a row of the page's table reads (accounts.templatetags.call_history), with the key the
# paginator reads a page by.
TABLE_COLUMNS = (
    "pk",
    "started_at",
    "caller",
    "callee",
    "direction",
    "duration",
    "disposition",
    "description",
    "charge",
)


class ExportedCall(NamedTuple):
    """A call as the exports read it (accounts.calls.konto_csv, accounts.calls.xlsx): the
    columns they write, times as whole seconds since the epoch (EpochSeconds)."""

    source: str
    source_id: str
    started: int
    answered: int | None
    caller: str
    callee: str
    direction: str
    duration: int
    billed_seconds: int
    disposition: str
    description: str
    charge: Decimal

    @classmethod
    def of(cls, call: CallRecord) -> ExportedCall:
        """The row of a call already loaded as a model instance."""
        return cls(
            call.source,
            call.source_id,
            int(call.started_at.timestamp()),
            int(call.answered_at.timestamp()) if call.answered_at else None,
            call.caller,
            call.callee,
            call.direction,
            call.duration,
            call.billed_seconds,
            call.disposition,
            call.description,
            call.charge,
        )


class EpochSeconds(Func):
    """A moment as whole seconds since the epoch, computed by the database.

    Reading times as numbers rather than as datetimes halves an export: the PostgreSQL driver
    parses each timestamp in Python (Django's loader for aware times replaces the C one),
    while integers load in C, and LocalClock turns them into wall-clock text with arithmetic.
    """

    output_field = BigIntegerField()
    # SQLite: %s is strftime's "seconds since the epoch", doubled twice over: once for the
    # template, once for the driver's placeholders.
    template = "CAST(strftime('%%%%s', %(expressions)s) AS INTEGER)"

    @property
    def convert_value(self) -> Any:
        # Both databases give an integer already: Django's int() on every value for an
        # integer expression was a fifth of an export.
        return self._convert_value_noop  # type: ignore[attr-defined]  # missing from the stubs

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="CAST(FLOOR(EXTRACT(EPOCH FROM %(expressions)s)) AS BIGINT)",
            **extra,
        )


def _export_columns() -> list[Any]:
    return [
        "source",
        "source_id",
        EpochSeconds("started_at"),
        EpochSeconds("answered_at"),
        "caller",
        "callee",
        "direction",
        "duration",
        "billed_seconds",
        "disposition",
        "description",
        "charge",
    ]


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


def table_rows(calls: QuerySet[CallRecord]) -> QuerySet[Any]:
    """The calls as the page's table reads them: its columns as named rows, no model instances
    (building fifty of them with every column took longer than the query)."""
    return calls.values_list(*TABLE_COLUMNS, named=True)


def filters_key(account: Account, filters: Mapping[str, Any]) -> str:
    """What `filtered_calls(account, filters)` asks, for cache keys: the filters that narrow
    the list (filtered_calls ignores empty ones) and the zone their days are read in. It costs
    nothing to write down; the query's SQL, which named the count before, took half a
    millisecond to compile on every page."""
    narrowing = sorted((name, str(value)) for name, value in filters.items() if value)
    return f"in {account.time_zone} of {narrowing!r}"


def count_calls(account: Account, filters: Mapping[str, Any]) -> int:
    """How many calls `filtered_calls(account, filters)` holds, counted once per change of the
    account's calls."""
    return remembered(
        account,
        f"count {filters_key(account, filters)}",
        # The queryset is made only when the count is not kept.
        lambda: filtered_calls(account, filters).count(),
    )


def kept_page_key(account: Account, filters: Mapping[str, Any], page: Page[Any]) -> str:
    """The cache key of the rows of the history's first or last page for these filters
    (accounts.templatetags.call_history), or "" for a page in between: they are written once
    per change of the calls, the zone, day, currency and language (rendering_key) and of call
    screening (the "Block this number" column).

    Only the two ends are kept: the history opens on the first, and the pager's "Last" link
    opens the other (the oldest calls); keeping every page of every search would fill the cache
    with pages read once. The calls' version in the key fixes their number, and so which page
    is the last and what it holds."""
    if page.number == 1:
        end = "first"
    elif page.number == page.paginator.num_pages:
        end = "last"
    else:
        return ""
    block = account.call_screening_enabled
    return cache_key(
        account, f"{end} page {rendering_key(account)} {block} {filters_key(account, filters)}"
    )


def calls_for_export(calls: QuerySet[CallRecord]) -> Iterator[ExportedCall]:
    """Stream the calls in chunks (memory stays flat) as rows of plain values: no model
    instance is built for a row, which was half of an export's time."""
    rows = calls.values_list(*_export_columns()).iterator(chunk_size=EXPORT_CHUNK_SIZE)
    return map(ExportedCall._make, rows)
