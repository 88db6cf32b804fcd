"""E-mails about the account's security (accounts/security/notices.py): a sign-in from a new
browser; the two-step and recovery-code notices are tested with their pages."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"


def sign_in(account, agent: str) -> None:
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR="203.0.113.10")
    assert (
        client.post("/login/", {"username": account.login, "password": PASSWORD}).status_code == 302
    )


def test_the_first_sign_in_ever_sends_nothing(alice, mailoutbox):
    sign_in(alice, FIREFOX)
    assert mailoutbox == []


def test_the_same_browser_again_sends_nothing(alice, mailoutbox):
    sign_in(alice, FIREFOX)
    sign_in(alice, FIREFOX)
    assert mailoutbox == []


def test_a_new_browser_is_told_in_the_customers_language_with_address_and_browser(
    alice, mailoutbox
):
    sign_in(alice, FIREFOX)
    sign_in(alice, CHROME)
    (notice,) = mailoutbox
    assert notice.to == [alice.user.email]
    assert notice.subject == "Nowe logowanie do konta w Konto"
    assert "203.0.113.10" in notice.body
    assert "Chrome 156, Linux" in notice.body
    assert "http://testserver/profile/security/" in notice.body
    assert "http://testserver/password-reset/" in notice.body


def test_a_customer_without_an_email_address_is_not_written_to(alice, mailoutbox):
    alice.user.email = ""
    alice.user.save()
    sign_in(alice, FIREFOX)
    sign_in(alice, CHROME)
    assert mailoutbox == []
