"""Staff give an account its telephone numbers in the admin: typed freely, stored as E.164
digits, one account per number, every change audited."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent, PhoneNumber
from tests import factories

pytestmark = pytest.mark.django_db


def change_url(account) -> str:
    return f"/admin/accounts/account/{account.pk}/change/"


def post_numbers(client, account, *numbers: str):
    data = factories.admin_account_form(account)
    data.update(factories.phone_number_formset(account, *numbers))
    return client.post(change_url(account), data)


def test_the_help_desk_adds_a_number_as_people_write_it(staff_client, alice):
    response = post_numbers(staff_client, alice, "+48 22 380-98-88")
    assert response.status_code == 302
    assert list(alice.numbers.values_list("number", flat=True)) == ["48223809888"]
    event = AuditEvent.objects.get(kind="phonenumber.create")
    assert event.account == alice
    assert event.message == "+48223809888"


def test_a_national_number_is_read_as_polish(staff_client, alice):
    post_numbers(staff_client, alice, "22 380 98 88")
    assert PhoneNumber.objects.get().number == "48223809888"


@pytest.mark.parametrize("number", ["22 380", "abc", "+48 22 380 98 88 w. 12"])
def test_a_number_that_is_not_one_is_refused(staff_client, alice, number):
    response = post_numbers(staff_client, alice, number)
    assert response.status_code == 200
    assert not PhoneNumber.objects.exists()


def test_a_number_belongs_to_one_account(staff_client, alice, bob):
    PhoneNumber.objects.create(account=bob, number="48223809888")
    response = post_numbers(staff_client, alice, "+48223809888")
    assert response.status_code == 200
    assert "Ten numer należy już do konta." in response.content.decode()
    assert PhoneNumber.objects.get().account == bob


def test_the_account_list_finds_an_account_by_its_number(staff_client, alice, bob):
    PhoneNumber.objects.create(account=alice, number="48587654321")
    response = staff_client.get("/admin/accounts/account/", {"q": "58 765 43 21"})
    found = [account.pk for account in response.context["cl"].result_list]
    assert found == [alice.pk]
