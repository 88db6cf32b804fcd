"""accounts.switch_api.auth.switch_api_view: the bearer token every switch endpoint needs."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.switch_api.models import SwitchToken
from accounts.switch_api.tokens import revoke_token
from tests.factories import make_number, make_switch_token

pytestmark = pytest.mark.django_db

# Every endpoint that needs a token, with a request that would succeed with one.
ENDPOINTS = [
    ("get", "/switch/v1/route?to=48223809888&from=48601234567", None),
    ("get", "/switch/v1/conference-codes/48151623?caller=48601234567", None),
    ("post", "/switch/v1/voicemail/pin", {"mailbox": "1001", "pin": "4711"}),
    ("get", "/switch/v1/no-such-endpoint", None),
]


@pytest.fixture
def number(alice):
    return make_number(alice, "48223809888")


def call(client: Client, method: str, url: str, data: dict | None, **headers: str):
    return getattr(client, method)(url, data, headers=headers)


def assert_refused(response) -> None:
    assert response.status_code == 401
    assert response.json() == {"error": "a valid switch token is required"}
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("method", "url", "data"), ENDPOINTS)
def test_without_a_token_every_endpoint_answers_401_and_nothing_else(
    client, number, method, url, data
):
    assert_refused(call(client, method, url, data))


@pytest.mark.parametrize(("method", "url", "data"), ENDPOINTS)
def test_a_wrong_token_is_refused(client, switch_token, number, method, url, data):
    _token, plaintext = switch_token
    for wrong in (plaintext[:-1] + ("A" if plaintext[-1] != "A" else "B"), "ksw_", "x" * 300):
        assert_refused(call(client, method, url, data, authorization=f"Bearer {wrong}"))


@pytest.mark.parametrize(("method", "url", "data"), ENDPOINTS)
def test_a_revoked_token_is_refused_at_once(client, switch_token, number, method, url, data):
    token, plaintext = switch_token
    # Checked once, so the check is cached: revoking must still take effect.
    assert (
        call(client, "get", ENDPOINTS[0][1], None, authorization=f"Bearer {plaintext}").status_code
        == 200
    )
    revoke_token(token, actor="tests")
    assert_refused(call(client, method, url, data, authorization=f"Bearer {plaintext}"))


def test_a_token_in_another_scheme_is_refused(client, switch_token, number):
    _token, plaintext = switch_token
    assert_refused(client.get(ENDPOINTS[0][1], headers={"authorization": f"Basic {plaintext}"}))
    assert_refused(client.get(ENDPOINTS[0][1], headers={"authorization": plaintext}))


def test_the_scheme_is_read_regardless_of_case(client, switch_token, number):
    _token, plaintext = switch_token
    response = client.get(ENDPOINTS[0][1], headers={"authorization": f"bearer {plaintext}"})
    assert response.status_code == 200


def test_a_customer_session_is_no_token(alice_client, number):
    assert_refused(alice_client.get(ENDPOINTS[0][1]))


def test_a_staff_session_is_no_token(admin_client, number):
    assert_refused(admin_client.get(ENDPOINTS[0][1]))


def test_switches_post_without_a_csrf_token(switch_token, alice):
    client = Client(
        enforce_csrf_checks=True, headers={"authorization": f"Bearer {switch_token[1]}"}
    )
    response = client.post("/switch/v1/voicemail/pin", {"mailbox": "1001", "pin": "4711"})
    assert response.status_code == 403  # a wrong PIN, not a CSRF failure
    assert response.json() == {"ok": False}


def test_a_wrong_method_is_405_in_json_with_allow(switch_client, number):
    response = switch_client.delete("/switch/v1/route?to=48223809888")
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert response.json() == {"error": "method not allowed"}


def test_a_wrong_method_without_a_token_is_401(client, number):
    assert_refused(client.delete("/switch/v1/route?to=48223809888"))


def test_an_unknown_address_is_404_in_json(switch_client):
    response = switch_client.get("/switch/v1/routes")
    assert response.status_code == 404
    assert response.json() == {"error": "no such endpoint"}


def test_the_first_use_is_noted(switch_client, switch_token, number):
    token, _plaintext = switch_token
    assert token.last_used_at is None
    switch_client.get(ENDPOINTS[0][1])
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_use_is_written_at_most_once_a_minute(
    switch_client, switch_token, number, django_assert_max_num_queries
):
    token, _plaintext = switch_token
    switch_client.get(ENDPOINTS[0][1])
    token.refresh_from_db()
    first = token.last_used_at
    with django_assert_max_num_queries(1):  # the number's account; no token query, no write
        switch_client.get(ENDPOINTS[0][1])
    token.refresh_from_db()
    assert token.last_used_at == first


def test_use_is_noted_again_after_a_minute(switch_client, switch_token, number, monkeypatch):
    token, _plaintext = switch_token
    switch_client.get(ENDPOINTS[0][1])
    token.refresh_from_db()
    later = timezone.now() + timedelta(minutes=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    switch_client.get(ENDPOINTS[0][1])
    token.refresh_from_db()
    assert token.last_used_at == later


def test_each_switch_has_its_own_token(client, number):
    _first, first = make_switch_token("kamailio-1")
    second_token, second = make_switch_token("kamailio-2")
    revoke_token(second_token)
    assert (
        client.get(ENDPOINTS[0][1], headers={"authorization": f"Bearer {first}"}).status_code == 200
    )
    assert_refused(client.get(ENDPOINTS[0][1], headers={"authorization": f"Bearer {second}"}))
    assert SwitchToken.objects.count() == 2
