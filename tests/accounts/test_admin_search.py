"""accounts.admin.search: what the admin's searches of accounts find, and on PostgreSQL that
every part of them is answered from an index (tests/accounts/test_admin_call_records.py holds
the search of calls)."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.admin import search
from accounts.models import Account, PhoneNumber
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    jan = factories.make_account(
        "jan_kowalski", first_name="Jan", last_name="Kowalski", phone="+48221110000"
    )
    anna = factories.make_account(
        "anna_nowak",
        first_name="Anna",
        last_name="Nowak",
        company_name="Nowak i Syn",
        alt_phone="+48601765432",
        email="anna@firma.example",
    )
    ewa = factories.make_account("ewa_jan", first_name="Ewa", last_name="Janik")
    PhoneNumber.objects.create(account=ewa, number="48223809888")
    return jan, anna, ewa


def found(search_term: str) -> set[str]:
    matched = search.matching_accounts(Account.objects.all(), search_term)
    return set(matched.values_list("account_id", flat=True))


def test_every_word_is_in_one_of_the_fields(people):
    assert found("Jan") == {"jan_kowalski", "ewa_jan"}  # a first name, a login, a surname
    assert found("jan kowalski") == {"jan_kowalski"}  # both words, any case
    assert found("Nowak Syn") == {"anna_nowak"}  # a surname and a company's word
    assert found('"Nowak i Syn"') == {"anna_nowak"}  # a quoted phrase is one word
    assert found('"Kowalski Jan"') == set()
    assert found("firma.example") == {"anna_nowak"}  # the e-mail
    assert found("nobody") == set()


def test_a_number_is_found_however_it_is_typed(people):
    assert found("+48 22 111-00-00") == {"jan_kowalski"}  # the phone
    assert found("601 765 432") == {"anna_nowak"}  # the alternative phone
    assert found("(22) 380 98 88") == {"ewa_jan"}  # a number of the account's own
    assert found("tel. 22 380 98 88") == {"ewa_jan"}  # with a word: its digits
    assert found("3809888") == {"ewa_jan"}  # digits alone are a word like any other


def test_each_account_is_listed_once(people):
    jan = people[0]
    PhoneNumber.objects.create(account=jan, number="48221110001")
    matched = search.matching_accounts(Account.objects.all(), "22111")
    assert list(matched.values_list("account_id", flat=True)) == ["jan_kowalski"]


WORDS_INDEXES = {"account_search_trgm", "user_search_trgm", "phonenumber_search_trgm"}
PHONE_INDEXES = {"account_search_trgm", "phonenumber_search_trgm"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
@pytest.mark.parametrize(
    ("search_term", "indexes"),
    [
        ("Nowak", WORDS_INDEXES),
        ("jan kowalski", WORDS_INDEXES),
        ("tel. 22 1", WORDS_INDEXES),
        ("+48 22 111-00-00", PHONE_INDEXES),
    ],
)
def test_every_part_of_the_search_is_answered_from_its_index(people, search_term, indexes):
    """With every other way of reading priced out, a plan still reads a whole table where no
    index answers a condition: each table's part must be answered by its trigram index
    (migration 0013), whatever the planner would choose for tables this small."""
    matched = search.matching_accounts(Account.objects.all(), search_term)
    sql, params = matched.query.sql_with_params()
    with connection.cursor() as cursor:
        # Only bitmap scans, which need a condition an index answers, or a whole table's read.
        for plan_kind in ("seqscan", "indexscan", "indexonlyscan"):
            cursor.execute(f"SET LOCAL enable_{plan_kind} = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan" not in plan, plan
    assert all(f"Bitmap Index Scan on {index}" in plan for index in indexes), plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan cache")
@pytest.mark.parametrize(
    "changelist",
    ["/admin/accounts/account/", "/admin/accounts/callrecord/", "/admin/accounts/user/"],
)
def test_a_searchs_queries_are_planned_for_its_own_values(staff_client, people, changelist):
    """A prepared query may be planned once for any value after ten runs on a connection, and
    a plan for "LIKE any pattern" cannot use a trigram index: each search's queries are
    planned for its pattern, and the connection is as before afterwards."""
    modes = []

    def noted(execute, sql, params, many, context):
        if "LIKE" in sql:
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_setting('plan_cache_mode')")
                modes.append(cursor.fetchone()[0])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(noted):
        assert staff_client.get(changelist, {"q": "Nowak"}).status_code == 200
    assert modes and set(modes) == {"force_custom_plan"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('plan_cache_mode')")
        assert cursor.fetchone()[0] == "auto"
