"""The sign-in lockout behind a reverse proxy (accounts/auth/lockout.py): it keeps attackers
out and customers in. Every browser here comes through one proxy, as in production, and is
told apart by the X-Forwarded-For header the proxy writes."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import formats, timezone, translation

from accounts.models import AuditEvent

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
ATTACKER = "198.51.100.66"
CUSTOMER = "203.0.113.10"
NEW_PASSWORD = "Zupelnie-Nowe-Haslo-77"


@pytest.fixture(autouse=True)
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXY_NETWORKS = []
    settings.AXES_FAILURE_LIMIT = 5
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 20
    settings.LOGIN_SLOWDOWN_AFTER = 10
    settings.LOGIN_SLOWDOWN_MAX_SECONDS = 60


def browser(address: str, language: str = "en") -> Client:
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address)
    client.cookies["konto_language"] = language
    return client


def sign_in(client: Client, login: str, password: str):
    return client.post("/login/", {"username": login, "password": password})


def fail(client: Client, login: str, times: int) -> None:
    for _ in range(times):
        sign_in(client, login, "wrong-password")


def age_attempts(**elapsed) -> None:
    """As if `elapsed` had passed since every recorded failure."""
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= timedelta(**elapsed)
        attempt.save(update_fields=["attempt_time"])


def lockout_text(response) -> str:
    found = re.search(r'data-testid="lockout">(.*?)</div>', response.content.decode(), re.S)
    assert found, response.content.decode()
    return found.group(1)


# --- Done when: with TRUSTED_PROXY_COUNT=1 ... -----------------------------------------------


def test_an_attacker_failing_from_one_address_does_not_lock_out_other_clients(alice, bob, password):
    attacker = browser(ATTACKER)
    fail(attacker, alice.login, 5)
    for n in range(15):
        sign_in(attacker, f"guess_{n}", "wrong-password")
    assert sign_in(attacker, bob.login, password).status_code == 429

    assert sign_in(browser(CUSTOMER), bob.login, password).status_code == 302


def test_an_attacker_failing_from_one_address_does_not_keep_the_customer_out_from_elsewhere(
    alice, password
):
    attacker = browser(ATTACKER)
    fail(attacker, alice.login, 30)
    assert sign_in(attacker, alice.login, password).status_code == 429

    response = sign_in(browser(CUSTOMER), alice.login, password)
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_a_completed_password_reset_lifts_a_lockout(alice, password, mailoutbox):
    customer = browser(CUSTOMER)
    fail(customer, alice.login, 5)
    assert sign_in(customer, alice.login, password).status_code == 429

    customer.post("/password-reset/", {"email": alice.login})
    link = re.search(r"https?://[^/\s]+(/password-reset/[^\s]+/)", mailoutbox[0].body).group(1)
    form_url = customer.get(link, follow=True).redirect_chain[-1][0]
    response = customer.post(
        form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response["Location"] == "/password-reset/done/"

    assert sign_in(customer, alice.login, NEW_PASSWORD).status_code == 302
    event = AuditEvent.objects.get(kind="login.password_reset")
    assert event.account == alice
    assert event.data == {"failures_cleared": 5}
    assert event.ip_address == CUSTOMER


# --- The rules behind it ----------------------------------------------------------------------


def test_the_lock_is_per_login_and_address_so_the_same_login_elsewhere_still_works(alice, password):
    customer_at_home = browser(CUSTOMER)
    fail(customer_at_home, alice.login, 5)
    assert sign_in(customer_at_home, alice.login, password).status_code == 429
    assert sign_in(browser("203.0.113.77"), alice.login, password).status_code == 302


def test_an_address_failing_on_many_logins_is_locked_for_every_login(alice, password):
    attacker = browser(ATTACKER)
    for n in range(19):
        sign_in(attacker, f"guess_{n}", "wrong-password")
    assert sign_in(attacker, alice.login, password).status_code == 302  # not yet
    attacker.post("/logout/")
    sign_in(attacker, "guess_19", "wrong-password")
    assert sign_in(attacker, alice.login, password).status_code == 429


def test_one_customer_mistyping_does_not_lock_out_others_at_the_same_address(alice, bob, password):
    office = browser(CUSTOMER)
    fail(office, alice.login, 5)
    assert sign_in(office, alice.login, password).status_code == 429
    assert sign_in(browser(CUSTOMER), bob.login, password).status_code == 302


def test_attempts_during_a_lockout_do_not_extend_it(alice, password, settings):
    customer = browser(CUSTOMER)
    fail(customer, alice.login, 5)
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    age_attempts(minutes=minutes - 1)
    # Still locked for a minute; these tries are refused and not counted.
    fail(customer, alice.login, 3)
    assert sign_in(customer, alice.login, password).status_code == 429
    age_attempts(minutes=2)

    assert sign_in(customer, alice.login, password).status_code == 302


def test_a_successful_sign_in_clears_only_that_logins_failures_from_that_address(
    alice, bob, password
):
    # Signing in to one's own account must not wipe the address's failures on other logins.
    attacker = browser(ATTACKER)
    for n in range(19):
        sign_in(attacker, f"guess_{n}", "wrong-password")
    assert sign_in(attacker, bob.login, password).status_code == 302
    attacker.post("/logout/")
    sign_in(attacker, "guess_19", "wrong-password")
    assert sign_in(attacker, alice.login, password).status_code == 429


def test_a_login_guessed_from_many_addresses_is_slowed_down_not_locked(alice, password):
    for n in range(10):
        # In any case: logins are one regardless of case, and so are their counters.
        login = alice.login.upper() if n % 2 else alice.login
        sign_in(browser(f"198.51.100.{n + 1}"), login, "wrong-password")

    response = sign_in(browser(CUSTOMER), alice.login, password)
    assert response.status_code == 429
    assert "Try again in 1 second." in lockout_text(response)
    assert response["Retry-After"] == "1"

    age_attempts(seconds=2)
    assert sign_in(browser(CUSTOMER), alice.login, password).status_code == 302


def fail_from_many_addresses(login: str, times: int, first: int = 1) -> None:
    for n in range(first, first + times):
        age_attempts(seconds=30)  # past the slow-down of the failures so far
        sign_in(browser(f"198.51.100.{n}"), login, "wrong-password")


def test_the_slow_down_grows_with_the_failures_and_stops_at_its_maximum(alice, settings):
    settings.LOGIN_SLOWDOWN_MAX_SECONDS = 8
    customer = browser(CUSTOMER)
    fail_from_many_addresses(alice.login, 11)
    assert "Try again in 2 seconds." in lockout_text(sign_in(customer, alice.login, "x"))
    fail_from_many_addresses(alice.login, 1, first=12)
    assert "Try again in 4 seconds." in lockout_text(sign_in(customer, alice.login, "x"))
    fail_from_many_addresses(alice.login, 2, first=13)
    assert "Try again in 8 seconds." in lockout_text(sign_in(customer, alice.login, "x"))
    fail_from_many_addresses(alice.login, 1, first=15)
    assert "Try again in 8 seconds." in lockout_text(sign_in(customer, alice.login, "x"))


def test_an_address_the_customer_signed_in_from_before_is_not_slowed_down(alice, password):
    customer = browser(CUSTOMER)
    assert sign_in(customer, alice.login, password).status_code == 302
    customer.post("/logout/")
    for n in range(12):
        sign_in(browser(f"198.51.100.{n + 1}"), alice.login, "wrong-password")

    assert sign_in(browser(CUSTOMER), alice.login, password).status_code == 302


# --- What the lockout message says ------------------------------------------------------------


def test_the_message_says_what_is_locked_from_where_until_when_and_that_a_reset_lifts_it(
    alice, settings
):
    customer = browser(CUSTOMER)
    fail(customer, alice.login, 4)
    response = sign_in(customer, alice.login, "wrong-password")
    assert response.status_code == 429
    text = lockout_text(response)
    ends = timezone.localtime(AccessAttempt.objects.get().attempt_time) + timedelta(minutes=15)
    with translation.override("en"):
        until = formats.time_format(ends, "TIME_FORMAT")
    assert f"for this login from your address ({CUSTOMER})" in text
    assert f"blocked until {until} (15 minutes)" in text
    assert "Signing in from other addresses is not affected." in text
    assert "Setting a new password with “Forgot your password?” lifts the block at once." in text
    assert int(response["Retry-After"]) == 15 * 60


def test_an_address_locked_for_other_logins_is_not_promised_a_reset(alice, password):
    attacker = browser(ATTACKER)
    for n in range(20):
        sign_in(attacker, f"guess_{n}", "wrong-password")
    text = lockout_text(sign_in(attacker, alice.login, password))
    assert f"from your address ({ATTACKER})" in text
    assert "blocked for every login" in text
    assert "Forgot your password?" not in text


def test_the_lockout_page_still_offers_the_form_and_the_reset_link(alice):
    customer = browser(CUSTOMER, "pl")
    fail(customer, alice.login, 5)
    response = sign_in(customer, alice.login, "x")
    html = response.content.decode()
    assert response.status_code == 429
    assert 'name="username"' in html
    assert "Nie pamiętasz hasła?" in html


# --- Staff lift a lockout in the admin --------------------------------------------------------


def lockout_url(account) -> str:
    return f"/admin/accounts/account/{account.pk}/sign-in-lockout/"


def test_anonymous_visitors_cannot_lift_a_lockout(alice):
    fail(browser(CUSTOMER), alice.login, 5)
    response = Client().post(lockout_url(alice))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert AccessAttempt.objects.exists()


def test_staff_see_where_the_login_failed_and_until_when_it_is_locked(staff_client, alice):
    fail(browser(CUSTOMER), alice.login, 5)
    fail(browser(ATTACKER), alice.login, 2)
    response = staff_client.get(lockout_url(alice))
    assert response.status_code == 200
    html = response.content.decode()
    assert CUSTOMER in html and ATTACKER in html
    rows = {row.address: row for row in response.context["failures"]}
    assert rows[CUSTOMER].failures == 5 and rows[CUSTOMER].locked_until is not None
    assert rows[ATTACKER].locked_until is None
    assert "Anuluj" in html  # the admin speaks Polish to the help desk


def test_staff_lift_a_lockout_and_it_is_audited(staff_client, alice, password):
    customer = browser(CUSTOMER)
    fail(customer, alice.login, 5)
    assert sign_in(customer, alice.login, password).status_code == 429

    response = staff_client.post(lockout_url(alice))
    assert response["Location"] == f"/admin/accounts/account/{alice.pk}/change/"
    assert sign_in(customer, alice.login, password).status_code == 302
    event = AuditEvent.objects.get(kind="login.lockout_lifted")
    assert event.account == alice
    assert event.actor_label == "helpdesk"
    assert event.data == {"failures_cleared": 5}


def test_the_lockout_page_of_an_unknown_account_is_404(staff_client):
    assert staff_client.get("/admin/accounts/account/999999/sign-in-lockout/").status_code == 404


def test_the_lockout_page_refuses_other_methods(staff_client, alice):
    assert staff_client.delete(lockout_url(alice)).status_code == 405
