from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.ledger.services import change_balance
from accounts.models import BalanceEntry
from tests import factories

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/accounts/balanceentry/"


def test_anonymous_visitors_are_sent_to_the_admin_login(client):
    assert client.get(CHANGELIST)["Location"].startswith("/admin/login/")


def test_the_ledger_lists_entries_with_their_calls_in_a_constant_number_of_queries(
    staff_client, alice, bob, django_assert_max_num_queries
):
    for n in range(25):
        call = factories.make_call(alice, callee=f"48501{n:06d}")
        change_balance(alice, -call.charge, BalanceEntry.Kind.CALL_CHARGE, call.callee, call=call)
        change_balance(bob, Decimal("1.00"), BalanceEntry.Kind.TOP_UP, f"Wpłata {n}")
    with django_assert_max_num_queries(5 + 2):  # + 2: the staff user's and its groups' permissions
        response = staff_client.get(CHANGELIST)
    html = response.content.decode()
    assert "Wpłata 24" in html and "48501000024" in html
    assert "opłata za połączenie" in html


def test_staff_see_one_accounts_ledger(staff_client, alice, bob):
    change_balance(alice, Decimal("5.00"), BalanceEntry.Kind.TOP_UP, "Dla Alicji")
    change_balance(bob, Decimal("5.00"), BalanceEntry.Kind.TOP_UP, "Dla Boba")
    html = staff_client.get(CHANGELIST, {"account__id__exact": alice.pk}).content.decode()
    assert "Dla Alicji" in html and "Dla Boba" not in html


def test_staff_find_entries_by_login(staff_client, alice, bob):
    change_balance(alice, Decimal("5.00"), BalanceEntry.Kind.TOP_UP, "Dla Alicji")
    change_balance(bob, Decimal("5.00"), BalanceEntry.Kind.TOP_UP, "Dla Boba")
    html = staff_client.get(CHANGELIST, {"q": bob.user.username}).content.decode()
    assert "Dla Boba" in html and "Dla Alicji" not in html


# A superuser, who holds every permission: only the admin's own refusal can give these 403s
# (the help desk lacks the permissions anyway, see test_admin_help_desk.py).
def test_the_ledger_cannot_be_edited_by_hand(admin_client, alice):
    entry = change_balance(alice, Decimal("5.00"), BalanceEntry.Kind.TOP_UP, "x")
    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403
    response = admin_client.post(
        f"{CHANGELIST}{entry.pk}/change/",
        {"amount": "500.00", "kind": "top_up", "balance_after": "500.00"},
    )
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.amount == Decimal("5.00")
    assert admin_client.post(f"{CHANGELIST}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
