"""accounts.paging: what IndexPaginator reads and when, and how KeptCountPaginator counts."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.paginator import UnorderedObjectListWarning
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from accounts.calls.history import filtered_calls
from accounts.models import CallRecord
from accounts.paging import IndexPaginator, KeptCountPaginator
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_lazy_list_is_made_only_when_a_pages_rows_are_read(alice):
    for _ in range(5):
        factories.make_call(alice)
    made = []

    def calls():
        made.append(True)
        return filtered_calls(alice, {})

    paginator = IndexPaginator(SimpleLazyObject(calls), per_page=2, counted=lambda _rows: 5)
    page = paginator.get_page(2)
    assert (page.number, paginator.num_pages, page.has_next()) == (2, 3, True)
    assert made == []  # a page whose rows are kept rendered gets this far
    assert len(list(page)) == 2
    assert made == [True]


def test_an_unordered_list_is_still_reported_when_its_rows_are_read(alice):
    factories.make_call(alice)
    paginator = IndexPaginator(CallRecord.objects.filter(account=alice).order_by(), per_page=2)
    page = paginator.page(1)
    with pytest.warns(UnorderedObjectListWarning):
        list(page)


@pytest.fixture
def empty_cache():
    cache.clear()
    yield
    cache.clear()


class _Kept(KeptCountPaginator):
    exact_up_to = 3  # "large" from four rows on


def test_a_short_lists_total_is_counted_exactly_every_time(alice, empty_cache):
    factories.make_call(alice)
    calls = CallRecord.objects.filter(account=alice).order_by("-id")
    assert _Kept(calls, 2).count == 1
    factories.make_call(alice)
    assert _Kept(calls, 2).count == 2


def test_a_long_lists_total_is_counted_once_and_kept(
    alice, bob, empty_cache, django_assert_num_queries
):
    for _ in range(4):
        factories.make_call(alice)
    factories.make_call(bob)
    everyone = CallRecord.objects.order_by("-id")
    with django_assert_num_queries(2):  # the bounded count, then the full one
        assert _Kept(everyone, 2).count == 5
    factories.make_call(bob)
    with django_assert_num_queries(0):
        assert _Kept(everyone, 2).count == 5  # as counted, for kept_for seconds
    # Other filters, another list: counted on their own.
    assert _Kept(everyone.filter(account=alice), 2).count == 4
    assert _Kept(everyone.filter(account=bob), 2).count == 2
    cache.clear()  # the minute is over
    assert _Kept(everyone, 2).count == 6


def test_a_list_no_row_can_be_in_counts_none(alice, empty_cache, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert _Kept(CallRecord.objects.filter(pk__in=[]).order_by("-id"), 2).count == 0


def test_the_admins_long_lists_use_it():
    from django.contrib import admin

    from accounts.models import Account, AuditEvent, BalanceEntry

    for model in (Account, CallRecord, BalanceEntry, AuditEvent):
        assert admin.site._registry[model].paginator is KeptCountPaginator


def test_an_admin_page_reads_its_ids_then_its_rows(alice, empty_cache, django_assert_num_queries):
    for _ in range(5):
        factories.make_call(alice)
    calls = CallRecord.objects.select_related("account").order_by("-started_at", "-id")
    paginator = _Kept(calls, 2)
    # The bounded count and the full one (more than exact_up_to), the page's ids, its rows.
    with django_assert_num_queries(4):
        rows = list(paginator.page(2))
    assert rows == list(calls)[2:4]
    with django_assert_num_queries(0):
        assert rows[0].account == alice  # with the list's joins


def test_admin_pages_are_counted_from_the_start_whatever_the_kept_total(alice, empty_cache):
    """A kept total may be a minute old: pages near the end are not read from the end, which
    would take the wrong rows when the total has moved since."""
    for _ in range(5):
        factories.make_call(alice)
    calls = CallRecord.objects.order_by("-started_at", "-id")
    assert _Kept(calls, 2).count == 5  # counted in full and kept
    factories.make_call(alice, started_at=timezone.now())  # newest: at the start of the list
    factories.make_call(alice, started_at=timezone.now())
    paginator = _Kept(calls, 2)
    assert paginator.count == 5
    assert list(paginator.page(3)) == list(calls)[4:5]  # the fifth, as counted from the start
