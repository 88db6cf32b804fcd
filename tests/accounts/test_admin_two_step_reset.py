"""The help desk turns off a customer's two-step verification (the account's admin page)."""

from __future__ import annotations

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditEvent
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_two_step(alice):
    TOTPDevice.objects.create(user=alice.user, name="Konto", confirmed=True)
    StaticDevice.objects.create(user=alice.user, name="Konto", confirmed=True)
    return alice


def url(account) -> str:
    return f"/admin/accounts/account/{account.pk}/two-step/"


def test_the_account_page_links_to_it(staff_client, alice):
    page = staff_client.get(f"/admin/accounts/account/{alice.pk}/change/").content.decode()
    assert url(alice) in page


def test_staff_see_whether_two_step_is_on(staff_client, alice):
    assert "does not use two-step verification" in staff_client.get(
        url(alice)
    ).content.decode() or (
        "nie używa weryfikacji dwuetapowej" in staff_client.get(url(alice)).content.decode()
    )


def test_a_reset_turns_it_off_audits_with_the_staff_name_and_tells_the_customer(
    staff_client, staff, alice_two_step, mailoutbox
):
    alice = alice_two_step
    assert staff_client.get(url(alice)).status_code == 200
    response = staff_client.post(url(alice))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=alice.user).exists()
    assert not StaticDevice.objects.filter(user=alice.user).exists()
    event = AuditEvent.objects.get(kind="security.two_step_reset")
    assert event.account == alice and event.actor == staff
    assert mailoutbox[-1].to == [alice.user.email]
    assert "helpdesk" not in mailoutbox[-1].body  # the customer is not told staff's browser
    # She signs in with the password alone.
    assert (
        Client().post("/login/", {"username": alice.login, "password": PASSWORD})["Location"] == "/"
    )


def test_a_reset_is_post_only_and_needs_change_permission(client, alice_two_step):
    from tests.factories import make_user, verify_two_step

    outsider = make_user("no-group", is_staff=True)
    client.force_login(outsider)
    verify_two_step(client, outsider)
    assert client.post(url(alice_two_step)).status_code == 403
    assert TOTPDevice.objects.filter(user=alice_two_step.user).exists()
