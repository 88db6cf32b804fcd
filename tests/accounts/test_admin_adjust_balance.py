from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.models import AuditEvent, BalanceEntry

pytestmark = pytest.mark.django_db


def url(account) -> str:
    return f"/admin/accounts/account/{account.pk}/adjust-balance/"


def test_anonymous_visitors_are_sent_to_the_admin_login(client, alice):
    response = client.get(url(alice))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_customers_are_not_let_in(alice_client, alice):
    response = alice_client.post(url(alice), {"amount": "100", "kind": "top_up", "reason": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    alice.refresh_from_db()
    assert alice.balance == Decimal("0.00")


def test_the_form_shows_the_current_balance_in_polish(staff_client, alice):
    response = staff_client.get(url(alice))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Saldo teraz: 0,00 PLN" in html
    assert 'name="reason"' in html


def test_an_unknown_account_is_404(staff_client):
    assert staff_client.get("/admin/accounts/account/999999/adjust-balance/").status_code == 404


def test_other_methods_are_refused(staff_client, alice):
    assert staff_client.put(url(alice)).status_code == 405


def test_a_top_up_goes_through_the_ledger_and_is_audited_with_the_staff_name(staff_client, alice):
    response = staff_client.post(
        url(alice), {"amount": "50.00", "kind": "top_up", "reason": "Przelew z 24.11"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/admin/accounts/account/{alice.pk}/change/"
    alice.refresh_from_db()
    assert alice.balance == Decimal("50.00")
    entry = BalanceEntry.objects.get(account=alice)
    assert entry.kind == BalanceEntry.Kind.TOP_UP
    assert entry.description == "Przelew z 24.11"
    assert entry.created_by_label == "helpdesk"
    event = AuditEvent.objects.get(kind="balance.change")
    assert event.account == alice and event.actor_label == "helpdesk"
    assert event.actor_kind == AuditEvent.ActorKind.STAFF


def test_an_adjustment_may_take_money_off(staff_client, alice):
    staff_client.post(url(alice), {"amount": "-7.50", "kind": "adjustment", "reason": "Korekta"})
    alice.refresh_from_db()
    assert alice.balance == Decimal("-7.50")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"amount": "0", "kind": "top_up", "reason": "x"}, "amount"),
        ({"amount": "-5", "kind": "top_up", "reason": "x"}, "amount"),
        ({"amount": "abc", "kind": "top_up", "reason": "x"}, "amount"),
        ({"amount": "1.005", "kind": "adjustment", "reason": "x"}, "amount"),
        ({"amount": "5", "kind": "top_up", "reason": "   "}, "reason"),
        ({"amount": "5", "kind": "call_charge", "reason": "x"}, "kind"),
    ],
)
def test_invalid_input_shows_the_form_again_with_the_error(staff_client, alice, data, field):
    response = staff_client.post(url(alice), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors[field]
    html = response.content.decode()
    assert 'class="errornote"' in html
    assert f'href="#id_{field}"' in html  # the summary links to the field
    assert not BalanceEntry.objects.exists()


def test_a_negative_top_up_is_explained_in_polish(staff_client, alice):
    response = staff_client.post(url(alice), {"amount": "-5", "kind": "top_up", "reason": "x"})
    assert "wpisz kwotę dodatnią" in response.content.decode()
