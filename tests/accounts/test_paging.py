"""accounts.paging.IndexPaginator: what it reads, and when."""

from __future__ import annotations

import pytest
from django.core.paginator import UnorderedObjectListWarning
from django.utils.functional import SimpleLazyObject

from accounts.calls.history import filtered_calls
from accounts.models import CallRecord
from accounts.paging import IndexPaginator
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
