"""The admin as a help-desk employee sees it: the screens of looking after customers, and no
power over staff, permissions or history (accounts/help_desk.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.ledger.services import change_balance
from accounts.models import Account
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/admin/accounts/account/",
        "/admin/accounts/balanceentry/",
        "/admin/accounts/callrecord/",
        "/admin/accounts/auditevent/",
    ],
)
def test_the_help_desk_opens_the_lists_of_accounts_ledger_calls_and_audit(staff_client, alice, url):
    factories.make_call(alice)
    change_balance(alice, Decimal("10.00"), "top_up", "Przelew")  # a ledger entry, an audit event
    response = staff_client.get(url)
    assert response.status_code == 200
    assert alice.account_id in response.content.decode()


def test_the_help_desk_opens_an_accounts_change_page(staff_client, alice):
    response = staff_client.get(f"/admin/accounts/account/{alice.pk}/change/")
    assert response.status_code == 200
    assert 'name="_save"' in response.content.decode()  # a form it may save, not a read-only view


def test_the_help_desk_opens_the_adjust_balance_page(staff_client, alice):
    response = staff_client.get(f"/admin/accounts/account/{alice.pk}/adjust-balance/")
    assert response.status_code == 200
    assert 'name="amount"' in response.content.decode()


def test_the_help_desk_cannot_add_users(staff_client):
    assert staff_client.get("/admin/accounts/user/add/").status_code == 403


def test_the_help_desk_cannot_open_the_group_admin(staff_client):
    assert staff_client.get("/admin/auth/group/").status_code == 403


def test_the_help_desk_cannot_delete_an_account(staff_client, alice):
    response = staff_client.post(f"/admin/accounts/account/{alice.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Account.objects.filter(pk=alice.pk).exists()


def test_every_admin_page_carries_kontos_own_name(staff_client):
    html = staff_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert (
        "Konto — obsługa klienta" in html
        and "<title>Konta i usługi | Obsługa klienta Konto" in html
    )
    assert "Administracja Django" not in html and "Django administration" not in html


def test_the_sign_in_records_of_django_axes_are_in_polish(admin_client):
    html = admin_client.get("/admin/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "Próby dostępu" in html
    assert "Access failures" not in html and "Access attempts" not in html
