"""The call pages' cached answers (accounts.calls.cache): the count of "Spis połączeń" and the
Pulpit's usage chart are computed once per change of the account's calls, and an import, in
this process or another, makes the next page compute them afresh."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from accounts.calls.cache import note_calls_changed
from accounts.models import Account
from tests import factories
from tests.accounts.cdr_files import run, timed_row, write


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def _count_text(client, url: str = "/calls/") -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_history_counts_once_until_the_calls_change(
    alice_client, alice, django_assert_num_queries, monkeypatch
):
    monkeypatch.setattr("accounts.calls.views.CALLS_PER_PAGE", 1)
    for hours in range(3):
        factories.make_call(alice, started_at=timezone.now() - timedelta(hours=hours + 1))
    assert "3 połączenia" in _count_text(alice_client)
    # The session with its user and account, the page's rows, the count; once counted, the
    # count comes from the cache: one query fewer. (A second page: the first page's rows are
    # kept as well, below.)
    with django_assert_num_queries(3) as counted:
        alice_client.get("/calls/?page=2&direction=out")
    with django_assert_num_queries(len(counted.captured_queries) - 1):
        alice_client.get("/calls/?page=2&direction=out")


def test_an_import_shows_at_once_in_the_count_and_the_chart(alice_client, alice, tmp_path):
    factories.make_call(alice, started_at=timezone.now() - timedelta(hours=2))
    assert "1 połączenie" in _count_text(alice_client)
    assert "Razem 1 połączenie" in _count_text(alice_client, "/")
    version = Account.objects.get(pk=alice.pk).calls_version

    recently = timezone.now().replace(microsecond=0) - timedelta(hours=1)
    path = write(tmp_path, timed_row(recently), timed_row(recently - timedelta(minutes=5)))
    out, _err = run(path, "--format", "asterisk")
    assert "Imported 2 calls" in out

    assert Account.objects.get(pk=alice.pk).calls_version > version
    assert "3 połączenia" in _count_text(alice_client)
    assert "Razem 3 połączenia" in _count_text(alice_client, "/")


def test_an_import_leaves_other_accounts_answers_alone(alice, bob, tmp_path):
    before = Account.objects.get(pk=bob.pk).calls_version
    path = write(tmp_path, timed_row(timezone.now() - timedelta(hours=1)))
    run(path, "--format", "asterisk")
    assert Account.objects.get(pk=bob.pk).calls_version == before
    assert Account.objects.get(pk=alice.pk).calls_version == 1


def test_a_filtered_count_is_its_own(alice_client, alice):
    factories.make_call(alice, direction="out")
    factories.make_call(alice, direction="in", caller="+48601000000", callee=alice.phone)
    assert "2 połączenia" in _count_text(alice_client)
    assert "1 połączenie spełnia" in _count_text(alice_client, "/calls/?direction=in")
    assert "1 połączenie spełnia" in _count_text(alice_client, "/calls/?number=601")
    assert "0 połączeń spełnia" in _count_text(alice_client, "/calls/?number=999")


def test_a_count_by_dates_follows_the_time_zone(alice_client, alice):
    # 23:30 UTC on 1 March is 2 March in Warsaw and still 1 March in London: the same filter
    # asks another question once the zone changes, and must not get the cached answer.
    factories.make_call(alice, started_at=datetime(2026, 3, 1, 23, 30, tzinfo=UTC))
    url = "/calls/?date_from=2026-03-02&date_to=2026-03-02"
    alice.time_zone = "Europe/Warsaw"
    alice.save(update_fields=["time_zone"])
    assert "1 połączenie spełnia" in _count_text(alice_client, url)
    alice.time_zone = "Europe/London"
    alice.save(update_fields=["time_zone"])
    assert "0 połączeń spełnia" in _count_text(alice_client, url)


def test_an_empty_filter_counts_as_no_filter(alice_client, alice, django_assert_num_queries):
    factories.make_call(alice)
    assert "1 połączenie" in _count_text(alice_client)
    # "?number=&direction=" narrows nothing: the unfiltered count and first page, already
    # cached, answer it (only the session is read).
    with django_assert_num_queries(1):
        alice_client.get("/calls/?number=&direction=")


def test_the_first_pages_rows_are_written_once_until_the_calls_change(
    alice_client, alice, django_assert_num_queries
):
    factories.make_call(alice, callee="+48501000001")
    assert "+48501000001" in _count_text(alice_client)
    with django_assert_num_queries(1):  # the session: the count and the rows are kept
        assert "+48501000001" in _count_text(alice_client)
    factories.make_call(alice, callee="+48501000002")
    html = _count_text(alice_client)
    assert "+48501000002" in html and "2 połączenia" in html


def test_the_last_pages_rows_are_kept_too_and_the_pages_between_are_not(
    alice_client, alice, django_assert_num_queries, monkeypatch
):
    monkeypatch.setattr("accounts.calls.views.CALLS_PER_PAGE", 1)
    for n in range(3):
        factories.make_call(
            alice, callee=f"+4850100000{n}", started_at=timezone.now() - timedelta(hours=3 - n)
        )
    assert "+48501000002" in _count_text(alice_client)  # the first page, kept
    last = _count_text(alice_client, "/calls/?page=3")  # kept under a key of its own
    assert "+48501000000" in last and "+48501000002" not in last
    assert "+48501000001" in _count_text(alice_client, "/calls/?page=2")
    with django_assert_num_queries(1):  # the session: the last page's count and rows are kept
        assert "+48501000000" in _count_text(alice_client, "/calls/?page=3")
    with django_assert_num_queries(2):  # the session and the rows of a page in between
        assert "+48501000001" in _count_text(alice_client, "/calls/?page=2")
    # A new call makes the list one longer: the last page is page 4, and holds the oldest call.
    factories.make_call(alice, callee="+48501000009", started_at=timezone.now())
    assert "+48501000000" in _count_text(alice_client, "/calls/?page=4")
    page_3 = _count_text(alice_client, "/calls/?page=3")
    assert "+48501000001" in page_3 and "+48501000000" not in page_3


def test_the_kept_rows_follow_the_language_and_call_screening(alice_client, alice):
    factories.make_call(alice, direction="in", caller="+48601765432", callee=alice.phone)
    assert "Przychodzące" in _count_text(alice_client)
    alice.language = "en"
    alice.save(update_fields=["language"])
    html = _count_text(alice_client)
    assert "Incoming" in html and "Przychodzące" not in html
    assert "Block this number" not in html
    factories.enable_screening(alice)
    assert "Block this number" in _count_text(alice_client)


def test_kept_rows_carry_each_browsers_own_token_and_way_back(alice):
    # The rows with "Block this number" are written once: the CSRF token and the page to come
    # back to must still be those of the request that shows them.
    factories.enable_screening(alice)
    factories.make_call(alice, direction="in", caller="+48601765432", callee=alice.phone)
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    for browser in (first, second):
        browser.force_login(alice.user)
    _count_text(first)  # writes the rows
    html = _count_text(second, "/calls/?number=&page=1")  # the same first page, kept
    form = re.search(r'<form method="post" action="/centrex/screening/block/">(.*?)</form>', html)
    assert form is not None and "\x00" not in html
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form.group(1)))
    assert fields["next"] == "/calls/?number=&amp;page=1"
    fields["next"] = "/calls/?number=&page=1"
    response = second.post("/centrex/screening/block/", fields)
    assert response.status_code == 302 and response["Location"] == "/calls/?number=&page=1"
    assert alice.screening_rules.get(is_blocklist=True).patterns == ["+48601765432"]


def test_a_call_saved_alone_raises_the_version(alice):
    factories.make_call(alice)
    factories.make_call(alice)
    assert Account.objects.get(pk=alice.pk).calls_version == 2


def test_raising_the_version_of_no_account_does_nothing(alice):
    note_calls_changed([])
    assert Account.objects.get(pk=alice.pk).calls_version == 0


def test_the_rendered_chart_is_kept_per_language_and_day(alice_client, alice):
    factories.make_call(alice, started_at=timezone.now() - timedelta(hours=1))
    assert "Razem 1 połączenie" in _count_text(alice_client, "/")
    alice_client.post("/language/", {"language": "en"})
    english = _count_text(alice_client, "/")
    assert "1 call in total" in english and "Razem" not in english


def test_the_pulpits_recent_calls_are_rendered_once_until_the_calls_change(
    alice_client, alice, django_assert_num_queries, django_assert_max_num_queries
):
    factories.make_call(alice, callee="+48600100100")
    with django_assert_max_num_queries(10) as first:
        assert "+48600100100" in _count_text(alice_client, "/")
    # Rendered once, the recent calls and the chart come from the cache without their queries.
    with django_assert_num_queries(len(first.captured_queries) - 2):
        assert "+48600100100" in _count_text(alice_client, "/")
    factories.make_call(alice, callee="+48600200200")
    assert "+48600200200" in _count_text(alice_client, "/")


def test_the_pulpits_recent_calls_follow_the_zone_and_the_currency(alice_client, alice):
    started = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    factories.make_call(alice, started_at=started, charge="1.50")
    assert "14:00" in _count_text(alice_client, "/")  # Europe/Warsaw in July
    alice.time_zone = "America/New_York"
    alice.currency = "EUR"
    alice.save()
    html = _count_text(alice_client, "/")
    assert "08:00" in html and "14:00" not in html
    assert "1,50 EUR" in html or "1,50 €" in html
