"""The admin's searches of accounts, calls, the ledger and the audit trail, written so that
PostgreSQL answers them from indexes.

Django's search ORs `icontains` over every search field, joining the tables they live in. An OR
across tables cannot be answered from the tables' indexes, so every search read every row: 0.3 s
for a name and 1.1 s for a phone number at 100k accounts, 1.3 s for a number at a million calls.
Here each table is asked on its own (the trigram indexes of migrations 0011 and 0013 index
exactly UPPER(column), which `icontains` and `iexact` compare) and the answers are put together
by primary key. What is found is what Django's search found: every word of the search in one of the
fields (a "quoted phrase" counts as one word), or a phone number typed with spaces and dashes;
only a search that is nothing but such a number no longer matches its pieces as words.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DatabaseError, connection
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.text import smart_split, unescape_string_literal

from accounts.models import Account, PhoneNumber

# The account's own columns and its user's that a search looks in (AccountAdmin.search_fields
# lists them for the search box).
ACCOUNT_FIELDS = ("account_id", "first_name", "last_name", "company_name", "phone", "alt_phone")
USER_FIELDS = ("user__username", "user__email")
PHONE_FIELDS = ("phone", "alt_phone")
# Numbers are stored as digits (+48221234567); staff type "22 123-45-67".
NUMBER_PUNCTUATION = "+ -()"


@contextmanager
def planned_for_each_search(request: HttpRequest) -> Iterator[None]:
    """On PostgreSQL, while a search's page is made: every query planned for its own values.

    The connection keeps a query prepared from its fifth run (DATABASE_PREPARE_THRESHOLD), and
    after five more PostgreSQL may plan it once for any value. A plan for "LIKE any pattern" cannot
    use a trigram index, whose use depends on the pattern: from the tenth search on a
    connection, the calls' search went from 50 to 150 ms at 100k calls (a scan of every call).
    """
    if not request.GET.get("q") or connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET plan_cache_mode = force_custom_plan")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                cursor.execute("RESET plan_cache_mode")
        except DatabaseError:
            # The setting must not outlive the page: a new connection starts without it.
            connection.close()


def words(search_term: str) -> list[str]:
    """The words of a search as Django's admin splits them."""
    found = []
    for bit in smart_split(search_term):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        found.append(bit)
    return found


def typed_number(search_term: str) -> str | None:
    """The digits of a search that is nothing but a phone number as people type it
    ("+48 22 123-45-67"), or None."""
    term = search_term.strip()
    if not term or not all(ch.isdigit() or ch in NUMBER_PUNCTUATION for ch in term):
        return None
    return "".join(ch for ch in term if ch.isdigit()) or None


def _any_of(fields: tuple[str, ...], text: str) -> Q:
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": text})
    return condition


def _accounts_with(text: str, own_fields: tuple[str, ...], *, users: bool) -> QuerySet[Any]:
    """The primary keys of the accounts with `text` in one of the fields, each table asked on
    its own."""
    # Unordered: the models' default orderings have no place in a UNION (SQLite refuses them).
    own = Account.objects.filter(_any_of(own_fields, text)).order_by().values("pk")
    numbers = PhoneNumber.objects.filter(number__icontains=text).order_by().values("account_id")
    if not users:
        return own.union(numbers)
    by_user = Account.objects.filter(_any_of(USER_FIELDS, text)).order_by().values("pk")
    return own.union(by_user, numbers)


def matching_accounts(queryset: QuerySet[Account], search_term: str) -> QuerySet[Account]:
    """`queryset` narrowed to the accounts the search finds: each word in the account ID,
    login, name, company, e-mail or a phone number, or the search's digits in a phone number."""
    # Phone numbers are stored as +48221234567; staff type "22 123-45-67", or "tel. 22 123".
    digits = "".join(ch for ch in search_term if ch.isdigit())
    by_phone = Q(pk__in=_accounts_with(digits, PHONE_FIELDS, users=False))
    if len(digits) >= 3 and typed_number(search_term) == digits != search_term.strip():
        # Nothing but a number typed with spaces or dashes: its pieces as words ("+48", "22")
        # would each be in nearly every account.
        return queryset.filter(by_phone)
    found = Q()
    for word in words(search_term):
        found &= Q(pk__in=_accounts_with(word, ACCOUNT_FIELDS, users=True))
    if len(digits) >= 3 and digits != search_term.strip():
        found |= by_phone
    return queryset.filter(found)


def matching_calls(queryset: QuerySet[Any], search_term: str) -> QuerySet[Any]:
    """`queryset` (calls) narrowed to the calls with the search in a number, of the account
    with that ID, or of that call (its key, whole)."""
    term = search_term.strip()
    number = typed_number(term) or term
    found = Q(caller__icontains=number) | Q(callee__icontains=number) | Q(call_key=term)
    # The account's id, looked up first: as a subquery inside the OR it was not an index's.
    account = Account.objects.filter(account_id=term).values_list("pk", flat=True).first()
    if account is not None:
        found |= Q(account_id=account)
    return queryset.filter(found)


def accounts_called(word: str) -> list[int]:
    """The primary keys of the accounts whose ID or login is `word`, in any case (the admin's
    `=account__account_id` and `=account__user__username`), each table asked on its own."""
    by_id = Account.objects.filter(account_id__iexact=word).order_by().values("pk")
    by_login = Account.objects.filter(user__username__iexact=word).order_by().values("pk")
    return [row["pk"] for row in by_id.union(by_login)]


def matching_records(
    queryset: QuerySet[Any],
    search_term: str,
    *,
    containing: tuple[str, ...],
    equal_to: tuple[str, ...] = (),
) -> QuerySet[Any]:
    """`queryset` (records of accounts: ledger entries, audit events) narrowed as Django's
    search narrows it: every word the exact ID or login of the record's account, or (any case)
    all of a field of `equal_to`, or in a field of `containing`. The accounts are looked up
    first; as a join inside the OR, every search read every record."""
    found = Q()
    for word in words(search_term):
        condition = _any_of(containing, word)
        for field in equal_to:
            condition |= Q(**{f"{field}__iexact": word})
        named = accounts_called(word)
        if named:
            condition |= Q(account_id__in=named)
        found &= condition
    return queryset.filter(found)
