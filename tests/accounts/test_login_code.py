"""Signing in with two-step verification: the password, then the "Kod" step
(accounts/auth/code_step.py), with codes computed as an authenticator app computes them
(RFC 6238 through django-otp's own TOTP)."""

from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken

from accounts.auth.code_step import PENDING_KEY
from accounts.models import AuditEvent
from tests.factories import PASSWORD, totp_code

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
CUSTOMER = "203.0.113.10"
ATTACKER = "198.51.100.66"


@pytest.fixture(autouse=True)
def behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXY_NETWORKS = []
    settings.AXES_FAILURE_LIMIT = 5


@pytest.fixture
def alice_two_step(alice):
    """Alice with two-step verification on: her authenticator and her recovery codes."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=alice.user, name="Konto", confirmed=True)
    static = StaticDevice.objects.create(user=alice.user, name="Konto", confirmed=True)
    for code in ["abcdefgh", "bcdefghi", "cdefghij"]:
        StaticToken.objects.create(device=static, token=code)
    return device


def browser(address: str = CUSTOMER, agent: str = "Mozilla/5.0 Firefox/140.0") -> Client:
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address, HTTP_USER_AGENT=agent)
    client.cookies["konto_language"] = "en"
    return client


def password_step(client: Client, login: str, next_url: str = ""):
    data = {"username": login, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post("/login/", data)


def code_errors(response) -> str:
    found = re.search(
        r"<div[^>]*invalid-feedback[^>]*>(.*?)</div>", response.content.decode(), re.S
    )
    assert found, response.content.decode()
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def signed_in(client: Client) -> bool:
    return client.get("/").status_code == 200


def test_the_right_password_asks_for_a_code_and_does_not_sign_in(alice, alice_two_step):
    client = browser()
    response = password_step(client, alice.login)
    assert response.status_code == 302
    assert response["Location"] == "/login/code/"
    assert not signed_in(client)
    page = client.get("/login/code/")
    assert page.status_code == 200
    assert 'autocomplete="one-time-code"' in page.content.decode()
    assert not AccessLog.objects.exists()  # not a sign-in yet


def test_the_app_code_signs_in_and_marks_the_session_verified(alice, alice_two_step):
    client = browser()
    password_step(client, alice.login, next_url="/calls/")
    response = client.post("/login/code/", {"code": totp_code(alice_two_step)})
    assert response.status_code == 302
    assert response["Location"] == "/calls/"
    assert signed_in(client)
    assert "otp_device_id" in client.session
    assert AccessLog.objects.filter(username=alice.login, ip_address=CUSTOMER).count() == 1


def test_a_code_typed_with_a_space_is_taken(alice, alice_two_step):
    client = browser()
    password_step(client, alice.login)
    code = totp_code(alice_two_step)
    assert client.post("/login/code/", {"code": f" {code[:3]} {code[3:]} "}).status_code == 302
    assert signed_in(client)


def test_a_customer_without_two_step_signs_in_with_the_password_alone(alice):
    client = browser()
    response = password_step(client, alice.login)
    assert response["Location"] == "/"
    assert signed_in(client)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("12345", "This is not a code."),
        ("12x456", "This is not a code."),
        ("", "Enter the code."),
        ("abc", "This is not a code."),
    ],
)
def test_a_malformed_code_is_refused_with_what_a_code_looks_like(
    alice, alice_two_step, code, message
):
    client = browser()
    password_step(client, alice.login)
    response = client.post("/login/code/", {"code": code})
    assert response.status_code == 200
    assert message in code_errors(response)
    assert not signed_in(client)


def test_a_wrong_code_is_refused_and_counts_as_a_failed_sign_in(alice, alice_two_step):
    client = browser()
    password_step(client, alice.login)
    right = totp_code(alice_two_step)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post("/login/code/", {"code": wrong})
    assert "This code is not right." in code_errors(response)
    assert not signed_in(client)
    failure = AccessFailureLog.objects.get()
    assert failure.username == alice.login.lower()
    assert failure.path_info == "/login/code/"
    assert "code=" in AccessAttempt.objects.get().post_data
    assert wrong not in AccessAttempt.objects.get().post_data  # masked like a password


def test_a_code_used_once_is_refused_the_second_time_within_its_window(alice, alice_two_step):
    first = browser()
    password_step(first, alice.login)
    code = totp_code(alice_two_step)
    assert first.post("/login/code/", {"code": code}).status_code == 302
    second = browser(agent="Mozilla/5.0 Chrome/156.0")
    password_step(second, alice.login)
    response = second.post("/login/code/", {"code": code})
    assert "This code has already been used." in code_errors(response)
    assert not signed_in(second)


def test_an_old_code_is_refused_as_expired(alice, alice_two_step):
    client = browser()
    password_step(client, alice.login)
    response = client.post("/login/code/", {"code": totp_code(alice_two_step, steps=-6)})
    assert "This code has expired." in code_errors(response)


def test_the_previous_periods_code_is_still_taken(alice, alice_two_step):
    # An app's code typed just as it changed: django-otp's tolerance of one period.
    client = browser()
    password_step(client, alice.login)
    assert (
        client.post("/login/code/", {"code": totp_code(alice_two_step, steps=-1)}).status_code
        == 302
    )


def test_wrong_codes_lock_the_login_from_that_address_like_wrong_passwords(alice, alice_two_step):
    attacker = browser(ATTACKER)
    password_step(attacker, alice.login)
    for _ in range(5):
        attacker.post("/login/code/", {"code": "000000"})
    response = attacker.post("/login/code/", {"code": totp_code(alice_two_step)})
    assert response.status_code == 429
    assert "Retry-After" in response
    assert not signed_in(attacker)
    # The customer, from her own address, is not locked out by it.
    customer = browser(CUSTOMER)
    password_step(customer, alice.login)
    assert customer.post("/login/code/", {"code": totp_code(alice_two_step)}).status_code == 302


def test_a_recovery_code_signs_in_once_and_the_customer_is_told(alice, alice_two_step, mailoutbox):
    client = browser()
    password_step(client, alice.login)
    response = client.post("/login/code/", {"code": "ABCD-EFGH"}, follow=True)
    assert response.redirect_chain[0][0] == "/"
    assert "You signed in with a recovery code; 2 are left." in response.content.decode()
    assert not StaticToken.objects.filter(token="abcdefgh").exists()
    notice = mailoutbox[-1]
    assert notice.subject == "Użyto kodu odzyskiwania do konta w Konto"
    assert "2" in notice.body
    assert AuditEvent.objects.filter(kind="security.recovery_code_used", account=alice).exists()

    again = browser(agent="Other")
    password_step(again, alice.login)
    response = again.post("/login/code/", {"code": "abcdefgh"})
    assert "each recovery code works once" in code_errors(response)
    assert not signed_in(again)


def test_the_code_step_waits_only_a_few_minutes(alice, alice_two_step, settings):
    client = browser()
    password_step(client, alice.login)
    session = client.session
    session[PENDING_KEY]["since"] -= settings.TWO_STEP_CODE_MINUTES * 60 + 1
    session.save()
    response = client.post("/login/code/", {"code": totp_code(alice_two_step)}, follow=True)
    assert response.redirect_chain[-1][0].startswith("/login/")
    assert "Your sign-in took too long" in response.content.decode()
    assert not signed_in(client)


def test_the_code_step_without_a_password_first_goes_to_the_login_page(alice, alice_two_step):
    client = browser()
    response = client.post("/login/code/", {"code": totp_code(alice_two_step)})
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert not signed_in(client)


def test_the_code_page_is_polish_for_polish_visitors(alice, alice_two_step):
    client = browser()
    client.cookies["konto_language"] = "pl"
    password_step(client, alice.login)
    page = client.get("/login/code/").content.decode()
    assert "Weryfikacja dwuetapowa" in page
    assert re.search(r"<label[^>]*>\s*Kod\b", page)
