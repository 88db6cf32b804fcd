"""Paging that stays fast at a million rows: "Spis połączeń" and "Historia salda" use
IndexPaginator, the admin's long lists KeptCountPaginator."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, Min, Model, QuerySet
from django.utils.functional import SimpleLazyObject

_M = TypeVar("_M", bound=Model)


# Generic in the model it pages (Paginator[...] itself cannot be subscripted at run time).
class IndexPaginator(Paginator, Generic[_M]):
    """A Paginator for long, index-ordered lists of one account (calls, ledger entries).

    Plain OFFSET paging makes the database read every skipped row in full, so page 20,000 of a
    million calls is slow. Here a page is read in two steps: first only the ids of the page,
    which the "account, newest first" index answers by itself, then the rows for those ids. For
    pages in the second half the ids are read from the oldest end, so the last page is as quick
    as the first. The total (for "Page X of Y") is an ordinary COUNT(*) over the same index,
    or what `counted` answers for the list (a cached count: accounts.calls.cache).

    Pages near either end skip so few rows that reading them whole costs less than a second
    query: those (the first and last ten pages at fifty rows, the ones people open) are read
    in one query.

    The object list must be a queryset ordered by a unique ordering (ending in the primary key).
    It may be a SimpleLazyObject making the queryset: it is then made only when a page's rows
    are read, which a page whose rows are kept rendered never does (making Spis połączeń's
    queryset with its filters takes a quarter of a millisecond).
    """

    object_list: QuerySet[_M]
    # At most this many rows skipped, a page is read in one query.
    direct_offset = 500
    # Pages in the second half read from the other end (which needs the count to be exact).
    reads_from_end = True

    def __init__(
        self,
        object_list: QuerySet[_M],
        per_page: int | str,
        orphans: int = 0,
        allow_empty_first_page: bool = True,
        *,
        counted: Callable[[QuerySet[_M]], int] | None = None,
    ) -> None:
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        self.counted = counted

    def _check_object_list_is_ordered(self) -> None:
        """Django checks the ordering as the paginator is made, which would make a lazy list's
        queryset there and then: here it is checked when the rows are first read (_rows)."""

    @cached_property
    def count(self) -> int:
        if self.counted is not None:
            return self.counted(self.object_list)
        return self.object_list.count()

    if TYPE_CHECKING:
        # Django's hook for making a Page (django/core/paginator.py); the stubs leave it out.
        def _get_page(
            self, object_list: list[_M], number: int, paginator: Paginator[_M]
        ) -> Page[_M]: ...

    def page(self, number: int | str) -> Page[_M]:
        """The page, its rows read when they are first used: a page whose rendering is cached
        (Spis połączeń's first and last pages) never reads them."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        if top <= bottom:
            return self._get_page([], number, self)
        rows = SimpleLazyObject(lambda: self._rows(bottom, top))
        return self._get_page(rows, number, self)  # type: ignore[arg-type]  # a lazy list

    def _rows(self, bottom: int, top: int) -> list[_M]:
        super()._check_object_list_is_ordered()  # type: ignore[misc]  # missing from the stubs
        queryset = self.object_list
        # Closer to the end: read from the other end of the index, then turn around.
        from_end = self.reads_from_end and bottom > self.count - top
        skipped = self.count - top if from_end else bottom
        if skipped <= self.direct_offset:
            if from_end:
                rows = list(queryset.reverse()[self.count - top : self.count - bottom])
                rows.reverse()
                return rows
            return list(queryset[bottom:top])
        if from_end:
            ids = list(
                queryset.reverse().values_list("pk", flat=True)[
                    self.count - top : self.count - bottom
                ]
            )
            ids.reverse()
        else:
            ids = list(queryset.values_list("pk", flat=True)[bottom:top])
        # The same rows the list has (instances or values), without its ordering.
        by_pk = {row.pk: row for row in queryset.filter(pk__in=ids).order_by()}
        # A row deleted between the two reads is skipped rather than failing the page.
        return [by_pk[pk] for pk in ids if pk in by_pk]


class KeptCountPaginator(IndexPaginator[Any]):
    """A Paginator for the admin's long lists: every account's calls, ledger entries and audit
    events (accounts.admin.base.FastListAdmin), the accounts and the users, whose "N call
    records" and page links need the list's total on every page.

    A page's rows are read as IndexPaginator reads a page far from either end: the ids first,
    then the rows with their joins. A search's first page otherwise joined and sorted every
    call it found (7,700 of a million calls for "601": 38 ms against 19 ms for the ids). Pages
    are always counted from the start, since a kept total may be a minute old.

    Counting every row costs nearly as much as reading them: 10 ms at 110k calls, about ten times
    that at a million, on every page staff open. So a total is counted exactly as far as
    `exact_up_to` (a bounded scan, and always right); a larger one is counted in full once and
    kept in the cache for `kept_for` seconds, for that list with those filters and that search
    (the query's SQL and parameters name it). Staff may see a total that is that old; the rows of
    every page are always read afresh.
    """

    object_list: QuerySet[Any]
    exact_up_to = 10_000
    kept_for = 60
    direct_offset = -1
    reads_from_end = False

    def __init__(
        self,
        object_list: QuerySet[Any],
        per_page: int | str,
        orphans: int = 0,
        allow_empty_first_page: bool = True,
        *,
        dates: str | None = None,
    ) -> None:
        """`dates`: a date field whose first and last values the list's date drill-down
        needs (accounts.admin.base.FastDateHierarchyChangeList): read with a bounded count,
        from the same rows, and then `date_bounds`."""
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        self.dates = dates
        self.date_bounds: tuple[Any, Any] | None = None

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        try:
            sql, params = queryset.query.sql_with_params()
        except EmptyResultSet:  # a filter no row can pass (pk__in=[])
            return 0
        what = f"{queryset.db} {queryset.model._meta.label} {sql} {params!r}"
        key = "admin-count:" + hashlib.blake2b(what.encode(), digest_size=16).hexdigest()
        found: Any = cache.get(key)
        if found is not None:
            return int(found)
        bounded_rows = queryset.order_by()[: self.exact_up_to + 1]
        if self.dates:
            # A search's rows are read from the table one by one (its index only says where
            # they may be): the bounds with the count read them once rather than twice.
            read = bounded_rows.aggregate(
                rows=Count("pk"), first=Min(self.dates), last=Max(self.dates)
            )
            bounded = read["rows"]
            if bounded <= self.exact_up_to:
                self.date_bounds = (read["first"], read["last"])
        else:
            bounded = bounded_rows.count()
        if bounded <= self.exact_up_to:
            return bounded
        total = queryset.count()
        cache.set(key, total, self.kept_for)
        return total
