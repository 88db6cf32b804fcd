from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client

from accounts.models import Account

pytestmark = pytest.mark.django_db


def post_login(client: Client, username: str, password: str, **extra):
    return client.post("/login/", {"username": username, "password": password, **extra})


def test_it_shows_the_seed_login_form_in_polish(client):
    response = client.get("/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Logowanie klienta" in html and "Formularz logowania" in html
    assert "Customer Login" not in html and "Login Form" not in html
    assert 'name="username"' in html and 'name="password"' in html
    assert "Nie pamiętasz hasła?" in html
    assert "wraz z informacją o uruchomieniu usługi" in html


def test_the_english_page_keeps_the_seeds_headings(client):
    html = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Customer Login" in html and "Login Form" in html


def test_it_offers_the_language_switch_on_the_login_page(client):
    html = client.get("/login/").content.decode()
    assert 'action="/language/"' in html
    assert 'value="en"' in html


def test_a_customer_signs_in_and_lands_on_the_dashboard(client, alice, password):
    response = post_login(client, alice.login, password)
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_it_follows_a_safe_next(client, alice, password):
    response = post_login(client, alice.login, password, next="/help/")
    assert response["Location"] == "/help/"


@pytest.mark.parametrize(
    "hostile", ["https://evil.example.com/", "//evil.example.com/", "javascript:alert(1)"]
)
def test_it_ignores_a_hostile_next(client, alice, password, hostile):
    response = post_login(client, alice.login, password, next=hostile)
    assert response["Location"] == "/"


def test_wrong_credentials_get_a_clear_message_and_no_session(client, alice):
    response = post_login(client, alice.login, "wrong-password")
    assert response.status_code == 200
    assert "Nieprawidłowy login lub hasło" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_empty_credentials_are_asked_for_again(client):
    response = post_login(client, "", "")
    assert response.status_code == 200
    assert response.context["form"].errors["username"]
    assert response.context["form"].errors["password"]


def test_a_blocked_account_cannot_sign_in_and_is_told_why(client, alice, password):
    alice.status = Account.Status.BLOCKED
    alice.save()
    response = post_login(client, alice.login, password)
    assert response.status_code == 200
    assert "To konto jest zablokowane" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_blocked_account_is_signed_out_on_its_next_request(alice_client, alice):
    alice.status = Account.Status.BLOCKED
    alice.save()
    response = alice_client.get("/", follow=True)
    assert response.redirect_chain[0] == ("/login/", 302)
    assert "Twoje konto jest zablokowane" in response.content.decode()
    assert "_auth_user_id" not in alice_client.session


def test_staff_without_an_account_go_to_the_admin(client, staff, password):
    response = post_login(client, staff.username, password)
    assert response["Location"] == "/admin/"
    assert client.get("/")["Location"] == "/admin/"


def test_a_signed_in_customer_opening_login_goes_to_the_dashboard(alice_client):
    assert alice_client.get("/login/")["Location"] == "/"


def test_repeated_failures_lock_the_login_with_a_clear_message(client, alice, password, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, alice.login, "wrong-password")
    response = post_login(client, alice.login, password)
    assert response.status_code == 429
    page = response.content.decode()
    assert 'data-testid="lockout"' in page
    # Polish, as the portal speaks by default: what is blocked, from where, and what lifts it.
    assert "Zbyt wiele nieudanych prób logowania na ten login z Twojego adresu" in page
    assert "Logowanie z innych adresów działa normalnie." in page
    assert "od razu zdejmuje blokadę" in page
    assert "_auth_user_id" not in client.session


def test_a_login_failed_from_other_addresses_is_not_locked_for_a_new_one(alice, password, settings):
    # Five failures from five addresses: each of them may try again, and so may the customer.
    for n in range(settings.AXES_FAILURE_LIMIT):
        post_login(Client(REMOTE_ADDR=f"10.0.0.{n + 1}"), alice.login, "wrong")
    response = post_login(Client(REMOTE_ADDR="10.0.0.200"), alice.login, password)
    assert response.status_code == 302


def test_the_lockout_counts_an_address_across_logins(alice, bob, password, settings):
    attacker = Client(REMOTE_ADDR="10.9.9.9")
    for n in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT):
        post_login(attacker, f"guess_{n}", "wrong")
    assert post_login(attacker, bob.login, password).status_code == 429
    # Bob from his own address is not affected.
    assert post_login(Client(REMOTE_ADDR="10.1.1.1"), bob.login, password).status_code == 302


def test_a_login_is_found_regardless_of_case(client, alice, password):
    response = post_login(client, alice.login.upper(), password)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.user.pk)


def test_the_lockout_expires_by_itself(client, alice, password, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, alice.login, "wrong-password")
    assert post_login(client, alice.login, password).status_code == 429
    # Age the recorded attempts past the cool-off period.
    from datetime import timedelta

    from django.utils import timezone

    AccessAttempt.objects.update(
        attempt_time=timezone.now() - timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1)
    )
    assert post_login(client, alice.login, password).status_code == 302


def test_the_lockout_message_is_in_english_for_english_visitors(client, alice, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for _ in range(settings.AXES_FAILURE_LIMIT + 1):
        response = post_login(client, alice.login, "wrong-password")
    assert "Too many failed sign-in attempts" in response.content.decode()


def test_a_post_without_csrf_is_refused(alice, password):
    client = Client(enforce_csrf_checks=True)
    response = post_login(client, alice.login, password)
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
