"""accounts.admin.search: what the admin's searches of accounts, the ledger and the audit trail
find, and on PostgreSQL that every part of them is answered from an index
(tests/accounts/test_admin_call_records.py holds the search of calls)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import connection
from django.db.models import Q
from django.test import RequestFactory

from accounts import audit
from accounts.admin import search
from accounts.ledger.services import change_balance
from accounts.models import Account, AuditEvent, BalanceEntry, PhoneNumber
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


def plan_of(queryset) -> str:
    """The plan with every other way of reading priced out: only bitmap scans, which need a
    condition an index answers, or a whole table's read."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        for plan_kind in ("seqscan", "indexscan", "indexonlyscan"):
            cursor.execute(f"SET LOCAL enable_{plan_kind} = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


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
    plan = plan_of(search.matching_accounts(Account.objects.all(), search_term))
    assert "Seq Scan" not in plan, plan
    assert all(f"Bitmap Index Scan on {index}" in plan for index in indexes), plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan cache")
@pytest.mark.parametrize(
    "changelist",
    [
        "/admin/accounts/account/",
        "/admin/accounts/callrecord/",
        "/admin/accounts/user/",
        "/admin/accounts/balanceentry/",
        "/admin/accounts/auditevent/",
    ],
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


# --- The ledger and the audit trail ------------------------------------------------------------


@pytest.fixture
def records(people, staff):
    jan, anna, ewa = people
    change_balance(jan, Decimal("-0.20"), BalanceEntry.Kind.CALL_CHARGE, "+48601765432")
    change_balance(jan, Decimal("50.00"), BalanceEntry.Kind.TOP_UP, "Wpłata za listopad")
    change_balance(anna, Decimal("-1.00"), BalanceEntry.Kind.ADJUSTMENT, "Korekta: jan_kowalski")
    change_balance(ewa, Decimal("10.00"), BalanceEntry.Kind.TOP_UP, "Wpłata")
    audit.record("profile.change", account=jan, actor=jan.user)
    audit.record("account.status", account=anna, actor=staff, message="jan_kowalski")
    audit.record("calls.import", actor="manage.py import_cdrs")
    audit.record("account.status", account=ewa, actor="Anna_Nowak")
    return people


def django_found(model, search_term: str) -> set[int]:
    """What Django's own search, with the admin's search fields, finds."""
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/")
    found, _duplicates = admin.ModelAdmin.get_search_results(
        model_admin, request, model.objects.all(), search_term
    )
    return set(found.values_list("pk", flat=True))


def found_entries(search_term: str) -> set[int]:
    matched = search.matching_records(
        BalanceEntry.objects.all(), search_term, containing=("description",)
    )
    return set(matched.values_list("pk", flat=True))


def found_events(search_term: str) -> set[int]:
    matched = search.matching_records(
        AuditEvent.objects.all(), search_term, containing=("kind",), equal_to=("actor_label",)
    )
    return set(matched.values_list("pk", flat=True))


LEDGER_SEARCHES = [
    "jan_kowalski",
    "JAN_KOWALSKI",
    "601765",
    "wpłata",
    "wpłata listopad",
    "anna_nowak korekta",
    '"za listopad"',
    "jan",
    "nobody",
    "",
]
AUDIT_SEARCHES = [
    "jan_kowalski",
    "Anna_Nowak",
    "anna_nowak",
    "status",
    "STATUS anna_nowak",
    "manage.py import_cdrs",
    "manage.py",
    "calls",
    "staff",
    "nobody",
    "",
]


@pytest.mark.parametrize("search_term", LEDGER_SEARCHES)
def test_a_ledger_search_finds_what_djangos_would(records, search_term):
    assert found_entries(search_term) == django_found(BalanceEntry, search_term)


@pytest.mark.parametrize("search_term", AUDIT_SEARCHES)
def test_an_audit_search_finds_what_djangos_would(records, search_term):
    assert found_events(search_term) == django_found(AuditEvent, search_term)


def test_the_record_searches_find_by_account_and_by_text(records):
    jan, anna, _ewa = records
    by_jan = found_entries("jan_kowalski")
    # Jan's two entries by his login, and Anna's adjustment, whose description names him.
    assert {
        (entry.account, entry.kind) for entry in BalanceEntry.objects.filter(pk__in=by_jan)
    } == {
        (jan, "call_charge"),
        (jan, "top_up"),
        (anna, "adjustment"),
    }
    assert len(found_entries("601765")) == 1  # a charged call's callee
    # Her account's events (the status, the ledger's), and one by a staff user of her name.
    by_anna = AuditEvent.objects.filter(Q(account=anna) | Q(actor_label="Anna_Nowak"))
    assert found_events("anna_nowak") == set(by_anna.values_list("pk", flat=True))
    assert len(found_events("anna_nowak")) == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
@pytest.mark.parametrize(
    ("queryset", "indexes"),
    [
        (
            lambda: search.matching_records(
                BalanceEntry.objects.all(), "jan_kowalski", containing=("description",)
            ),
            {"balanceentry_search_trgm"},
        ),
        (
            lambda: search.matching_records(
                AuditEvent.objects.all(),
                "anna_nowak",
                containing=("kind",),
                equal_to=("actor_label",),
            ),
            {"auditevent_search_trgm"},
        ),
    ],
)
def test_a_record_search_is_answered_from_its_indexes(records, queryset, indexes):
    """The record's own columns from its trigram index (migration 0014), its account's from
    an index of the account (the planner picks which): no part reads a whole table."""
    plan = plan_of(queryset())
    assert "Seq Scan" not in plan, plan
    assert "Index Cond: (account_id = " in plan, plan
    assert all(f"Bitmap Index Scan on {index}" in plan for index in indexes), plan
