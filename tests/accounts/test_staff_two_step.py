"""Staff open the admin only with two-step verification (accounts/security/middleware.py)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD, totp_code

pytestmark = pytest.mark.django_db


def sign_in(client: Client, user, next_url: str = "/admin/"):
    return client.post(
        "/login/", {"username": user.username, "password": PASSWORD, "next": next_url}
    )


def test_the_admins_own_login_form_sends_to_konto_sign_in(client):
    response = client.get("/admin/login/?next=/admin/accounts/account/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=%2Fadmin%2Faccounts%2Faccount%2F"
    # Nor can it be posted to, to sign in with the password alone.
    assert client.post("/admin/login/", {"username": "x", "password": "y"}).status_code == 302


def test_staff_without_two_step_are_sent_to_set_it_up_before_any_admin_page(client, staff):
    sign_in(client, staff)
    for path in ["/admin/", "/admin/accounts/account/", "/admin/accounts/auditevent/"]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/profile/security/two-step/on/?next=")


def test_staff_set_two_step_up_and_then_open_the_admin(client, staff):
    sign_in(client, staff)
    page = client.get("/profile/security/two-step/on/?next=/admin/accounts/account/")
    assert page.status_code == 200
    assert "Staff must use two-step verification" in page.content.decode() or (
        "Pracownicy muszą" in page.content.decode()
    )
    device = TOTPDevice.objects.get(user=staff)
    response = client.post(
        "/profile/security/two-step/on/",
        {"code": totp_code(device), "next": "/admin/accounts/account/"},
    )
    assert response.status_code == 200  # the recovery codes, once
    assert 'href="/admin/accounts/account/"' in response.content.decode()
    assert client.get("/admin/accounts/account/").status_code == 200


def test_staff_with_two_step_sign_in_with_a_code(client, staff):
    device = TOTPDevice.objects.create(user=staff, name="Konto", confirmed=True)
    response = sign_in(client, staff, "/admin/accounts/account/")
    assert response["Location"] == "/login/code/"
    assert client.get("/admin/").status_code == 302  # not signed in yet
    response = client.post("/login/code/", {"code": totp_code(device)})
    assert response["Location"] == "/admin/accounts/account/"
    assert client.get("/admin/accounts/account/").status_code == 200


def test_an_unverified_staff_session_is_signed_out_when_two_step_exists(client, staff):
    # Signed in before two-step was turned on elsewhere: this session never gave a code.
    client.force_login(staff)
    TOTPDevice.objects.create(user=staff, name="Konto", confirmed=True)
    response = client.get("/admin/accounts/account/")
    assert response["Location"] == "/login/?next=%2Fadmin%2Faccounts%2Faccount%2F"
    assert "_auth_user_id" not in client.session


def test_the_requirement_can_be_switched_off_for_a_development_machine(client, staff, settings):
    settings.STAFF_TWO_STEP_REQUIRED = False
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200


def test_a_verified_admin_page_asks_nothing_more_of_the_database(staff_client):
    # The check reads only the session: no query for devices on a verified admin page.
    with CaptureQueriesContext(connection) as queries:
        assert staff_client.get("/admin/password_change/done/").status_code == 200
    assert not [query for query in queries if "otp_" in query["sql"]]
