"""The client's address behind our reverse proxies (accounts/client_address.py), and every
place that names it: the lockout's counters, the audit trail, the password-changed e-mail."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory

from accounts.client_address import client_address
from accounts.models import AuditEvent

PROXY = "10.0.0.2"


def request(remote_addr: str = PROXY, forwarded: str | None = None):
    factory = RequestFactory(REMOTE_ADDR=remote_addr)
    if forwarded is None:
        return factory.get("/")
    return factory.get("/", headers={"X-Forwarded-For": forwarded})


@pytest.fixture
def one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXY_NETWORKS = []
    return settings


def test_without_trusted_proxies_a_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.TRUSTED_PROXY_NETWORKS = []
    assert client_address(request("198.51.100.9", "203.0.113.66")) == "198.51.100.9"


def test_behind_one_proxy_the_address_it_appended_is_the_client(one_proxy):
    assert client_address(request(PROXY, "203.0.113.66")) == "203.0.113.66"


def test_an_address_the_client_typed_in_front_is_not_believed(one_proxy):
    # The client sent "X-Forwarded-For: 1.2.3.4"; nginx appended the address it really saw.
    assert client_address(request(PROXY, "1.2.3.4, 203.0.113.66")) == "203.0.113.66"


def test_behind_two_proxies_the_second_entry_from_the_right_is_the_client(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    settings.TRUSTED_PROXY_NETWORKS = []
    forwarded = "1.2.3.4, 203.0.113.66, 10.0.0.7"
    assert client_address(request(PROXY, forwarded)) == "203.0.113.66"


def test_a_request_that_bypassed_the_proxy_is_known_by_its_own_address(one_proxy):
    assert client_address(request("203.0.113.66")) == "203.0.113.66"


def test_with_trusted_networks_only_their_headers_are_believed(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.TRUSTED_PROXY_NETWORKS = ["10.0.0.0/8"]
    assert client_address(request("10.0.0.2", "203.0.113.66")) == "203.0.113.66"
    # Not from our proxies' network: the header is the client's own claim.
    assert client_address(request("198.51.100.9", "203.0.113.66")) == "198.51.100.9"


def test_with_trusted_networks_every_proxy_of_ours_in_the_chain_is_skipped(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.TRUSTED_PROXY_NETWORKS = ["10.0.0.0/8", "fd00::/8"]
    forwarded = "1.2.3.4, 203.0.113.66, fd00::5, 10.1.2.3"
    assert client_address(request("10.0.0.2", forwarded)) == "203.0.113.66"


def test_count_and_networks_together_trust_at_most_count_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXY_NETWORKS = ["10.0.0.0/8"]
    # The header's last entry is in our network, but only one proxy is ours.
    assert client_address(request("10.0.0.2", "203.0.113.66, 10.9.9.9")) == "10.9.9.9"


def test_ipv6_and_ipv4_mapped_addresses_are_understood(one_proxy):
    assert client_address(request(PROXY, "2001:db8::1")) == "2001:db8::1"
    assert client_address(request(PROXY, "::ffff:203.0.113.66")) == "203.0.113.66"


def test_garbage_from_the_proxy_falls_back_to_the_proxy_itself(one_proxy):
    assert client_address(request(PROXY, "unknown")) == PROXY


def test_a_mistyped_trusted_network_is_refused(settings):
    settings.TRUSTED_PROXY_NETWORKS = ["10.0.0.0/33"]
    with pytest.raises(ImproperlyConfigured, match="10.0.0.0/33"):
        client_address(request(PROXY, "203.0.113.66"))


# --- Every use of the address goes through the rule ------------------------------------------


@pytest.mark.django_db
def test_the_lockout_counts_the_forwarded_client_address(one_proxy, alice):
    browser = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.66")
    browser.post("/login/", {"username": alice.login, "password": "wrong"})
    attempt = AccessAttempt.objects.get()
    assert attempt.ip_address == "203.0.113.66"


@pytest.mark.django_db
def test_the_audit_trail_records_the_forwarded_client_address(one_proxy, alice, password):
    browser = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.66")
    browser.force_login(alice.user)
    new = "Nowe-Haslo-Zimowe-2027"
    response = browser.post(
        "/profile/password/",
        {"old_password": password, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(kind="profile.password")
    assert event.ip_address == "203.0.113.66"


@pytest.mark.django_db
def test_the_password_changed_email_names_the_forwarded_client_address(
    one_proxy, alice, password, mailoutbox
):
    browser = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.66")
    browser.force_login(alice.user)
    new = "Nowe-Haslo-Zimowe-2027"
    browser.post(
        "/profile/password/",
        {"old_password": password, "new_password1": new, "new_password2": new},
    )
    assert "Zmiany dokonano z adresu 203.0.113.66." in mailoutbox[0].body
    assert PROXY not in mailoutbox[0].body
