from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.paging import KeptCountPaginator
from tests import factories

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/accounts/callrecord/"
WARSAW = ZoneInfo("Europe/Warsaw")


def test_anonymous_visitors_are_sent_to_the_admin_login(client):
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_the_list_shows_calls_of_every_account_with_a_constant_number_of_queries(
    staff_client, alice, bob, django_assert_max_num_queries
):
    for n in range(25):
        factories.make_call(alice, callee=f"48501{n:06d}")
        factories.make_call(bob, callee=f"48601{n:06d}")
    with django_assert_max_num_queries(5 + 2):  # + 2: the staff user's and its groups' permissions
        response = staff_client.get(CHANGELIST)
    html = response.content.decode()
    assert html.count('class="action-select"') == 0  # read-only: no actions
    assert "48501000024" in html and "48601000000" in html
    assert f"/admin/accounts/account/{alice.pk}/change/" in html
    assert "Wszystkie daty" not in html  # top level of the date drill-down: years


def test_the_date_drill_down_never_scans_for_distinct_dates(staff_client, alice):
    factories.make_call(alice, started_at=datetime(2026, 11, 2, 8, 10, tzinfo=WARSAW))
    factories.make_call(alice, started_at=datetime(2025, 3, 1, 12, 0, tzinfo=WARSAW))
    for query in (
        {},
        {"started_at__year": "2026"},
        {"started_at__year": "2026", "started_at__month": "11"},
        {"started_at__year": "2026", "started_at__month": "11", "started_at__day": "2"},
    ):
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(CHANGELIST, query)
        assert response.status_code == 200
        sql = " ".join(q["sql"] for q in queries.captured_queries).upper()
        assert "DISTINCT" not in sql
    html = response.content.decode()
    assert "2 listopada" in html
    assert "48501234567" in html


def test_the_top_level_offers_every_year_from_the_first_call_to_the_last(staff_client, alice):
    factories.make_call(alice, started_at=datetime(2024, 6, 1, tzinfo=WARSAW))
    factories.make_call(alice, started_at=datetime(2026, 1, 1, 1, tzinfo=WARSAW))
    html = staff_client.get(CHANGELIST).content.decode()
    for year in (2024, 2025, 2026):
        assert f"?started_at__year={year}" in html


def _calls_queries(staff_client, query) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert staff_client.get(CHANGELIST, query).status_code == 200
    return [q["sql"] for q in queries.captured_queries if "accounts_callrecord" in q["sql"]]


def test_the_years_are_read_with_the_count(staff_client, alice, monkeypatch):
    """A search's calls are read one by one from the table: its years come with its count,
    from the calls found, rather than from a third read of them."""
    factories.make_call(alice, callee="48601000001", started_at=datetime(2024, 6, 1, tzinfo=WARSAW))
    factories.make_call(alice, callee="48601000002", started_at=datetime(2025, 6, 1, tzinfo=WARSAW))
    factories.make_call(alice, callee="48222000003", started_at=datetime(2026, 6, 1, tzinfo=WARSAW))
    read = _calls_queries(staff_client, {"q": "601"})
    # The count with the first and last dates, then the rows (one page: Django reads it whole).
    assert len(read) == 2
    assert "MIN(" in read[0] and "COUNT(" in read[0]
    html = staff_client.get(CHANGELIST, {"q": "601"}).content.decode()
    assert "started_at__year=2024" in html and "started_at__year=2025" in html
    assert "started_at__year=2026" not in html
    # A chosen year needs no bounds; a list longer than is counted exactly reads them itself.
    assert not any(
        "MIN(" in sql for sql in _calls_queries(staff_client, {"started_at__year": "2025"})
    )
    monkeypatch.setattr(KeptCountPaginator, "exact_up_to", 1)
    html = staff_client.get(CHANGELIST, {"q": "601"}).content.decode()
    assert "started_at__year=2024" in html and "started_at__year=2026" not in html


def test_a_month_offers_each_of_its_days(staff_client, alice):
    factories.make_call(alice, started_at=datetime(2026, 2, 10, tzinfo=WARSAW))
    html = staff_client.get(
        CHANGELIST, {"started_at__year": "2026", "started_at__month": "2"}
    ).content.decode()
    assert "started_at__day=28" in html and "started_at__day=29" not in html


def test_staff_find_calls_by_a_number_typed_with_spaces(staff_client, alice):
    factories.make_call(alice, caller="48223809888", callee="48221234567")
    factories.make_call(alice, caller="48223809888", callee="48509999999")
    html = staff_client.get(CHANGELIST, {"q": "+48 22 123-45-67"}).content.decode()
    assert "48221234567" in html and "48509999999" not in html


def test_staff_find_calls_by_part_of_a_number_the_account_id_or_the_call(staff_client, alice, bob):
    factories.make_call(alice, caller="48223809888", callee="48601765432", call_key="1733.7")
    factories.make_call(bob, caller="48221111111", callee="48509999999", call_key="1733.9")

    def found(term: str) -> set[str]:
        html = staff_client.get(CHANGELIST, {"q": term}).content.decode()
        return {number for number in ("48601765432", "48509999999") if number in html}

    assert found("601 765") == {"48601765432"}  # digits with a space: one number
    assert found("0999") == {"48509999999"}  # the callee
    assert found("2211111") == {"48509999999"}  # the caller
    assert found(bob.account_id) == {"48509999999"}
    assert found("1733.7") == {"48601765432"}
    assert found("1733") == set()  # a call's key is matched whole
    assert found("nothing") == set()


def test_a_search_keeps_the_other_filters(staff_client, alice, bob):
    factories.make_call(alice, callee="48601000001", direction="in")
    factories.make_call(alice, callee="48601000002", direction="out")
    html = staff_client.get(CHANGELIST, {"q": "601", "direction__exact": "in"}).content.decode()
    assert "48601000001" in html and "48601000002" not in html


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_every_part_of_the_search_is_answered_from_an_index(staff_client, alice):
    """With every other way of reading priced out, a plan still reads the whole table where no
    index answers a condition: there must be none (Django's own search joined the accounts,
    and read a million calls for every search)."""
    factories.make_call(alice, callee="48601765432")
    searches = []

    def kept(execute, sql, params, many, context):
        if "LIKE" in sql:
            searches.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(kept):
        staff_client.get(CHANGELIST, {"q": "601"})
    assert len(searches) >= 2  # the count and the page
    with connection.cursor() as cursor:
        # Only bitmap scans, which need a condition an index answers, or a whole table's read.
        for plan_kind in ("seqscan", "indexscan", "indexonlyscan"):
            cursor.execute(f"SET LOCAL enable_{plan_kind} = off")
        for sql, params in searches:
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Seq Scan on accounts_callrecord" not in plan, plan
            assert "Bitmap Index Scan on callrecord_numbers_trgm" in plan, plan


def test_staff_filter_the_calls_of_one_account(staff_client, alice, bob):
    factories.make_call(alice, callee="48221111111")
    factories.make_call(bob, callee="48222222222")
    html = staff_client.get(CHANGELIST, {"account__id__exact": alice.pk}).content.decode()
    assert "48221111111" in html and "48222222222" not in html


# A superuser, who holds every permission: only the admin's own refusal can give these 403s
# (the help desk lacks the permissions anyway, see test_admin_help_desk.py).
def test_calls_cannot_be_added_changed_or_deleted(admin_client, alice):
    call = factories.make_call(alice)
    html = admin_client.get(CHANGELIST).content.decode()
    assert html.count('class="action-select"') == 0  # no actions: not even delete
    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403
    page = admin_client.get(f"{CHANGELIST}{call.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert admin_client.post(f"{CHANGELIST}{call.pk}/delete/", {"post": "yes"}).status_code == 403
