"""POST /switch/v1/voicemail/pin: the voicemail server checks a mailbox's PIN."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.models import AuditEvent
from centrex.voicemail import services
from centrex.voicemail.pin_check import MAX_PIN_FAILURES
from tests.factories import enable_voicemail

pytestmark = pytest.mark.django_db
URL = "/switch/v1/voicemail/pin"
PIN = "4711"


@pytest.fixture
def mailbox(alice):
    """alice's mailbox 1001, with the PIN 4711."""
    enable_voicemail(alice, mailbox="1001")
    services.change_pin(alice, PIN, actor="tests")
    return alice


def check(client, mailbox: str = "1001", pin: str = PIN, *, as_json: bool = True):
    if as_json:
        return client.post(
            URL, json.dumps({"mailbox": mailbox, "pin": pin}), content_type="application/json"
        )
    return client.post(URL, {"mailbox": mailbox, "pin": pin})


def test_without_a_token_it_answers_401_and_nothing_else(client, mailbox):
    response = check(client)
    assert response.status_code == 401
    assert set(response.json()) == {"error"}


def test_the_right_pin_names_the_account(switch_client, mailbox):
    response = check(switch_client)
    assert response.status_code == 200
    assert response.json() == {"ok": True, "account": mailbox.account_id}


def test_a_form_body_works_as_well(switch_client, mailbox):
    assert check(switch_client, as_json=False).json() == {"ok": True, "account": mailbox.account_id}


def test_a_wrong_pin_is_403(switch_client, mailbox):
    response = check(switch_client, pin="4712")
    assert response.status_code == 403
    assert response.json() == {"ok": False}


def test_an_unknown_mailbox_is_answered_like_a_wrong_pin(switch_client, mailbox):
    response = check(switch_client, mailbox="1002")
    assert (response.status_code, response.json()) == (403, {"ok": False})


def test_a_mailbox_without_a_pin_opens_with_none(switch_client, alice):
    enable_voicemail(alice, mailbox="1001")
    assert check(switch_client).status_code == 403


def test_a_mailbox_with_voicemail_disabled_or_blocked_opens_with_none(switch_client, mailbox):
    mailbox.voicemail_enabled = False
    mailbox.save(update_fields=["voicemail_enabled"])
    assert check(switch_client).status_code == 403
    mailbox.voicemail_enabled = True
    mailbox.status = mailbox.Status.BLOCKED
    mailbox.save(update_fields=["voicemail_enabled", "status"])
    assert check(switch_client).status_code == 403


def test_repeated_wrong_pins_lock_the_mailbox(switch_client, mailbox):
    for _attempt in range(MAX_PIN_FAILURES - 1):
        assert check(switch_client, pin="0000").status_code == 403
    assert check(switch_client, pin="0000").status_code == 429
    # Locked: the right PIN is not even checked.
    response = check(switch_client)
    assert response.status_code == 429
    assert response.json()["ok"] is False
    event = AuditEvent.objects.get(kind="voicemail.pin_locked")
    assert event.account == mailbox


def test_the_lockout_is_per_mailbox(switch_client, mailbox, bob):
    enable_voicemail(bob, mailbox="2002")
    services.change_pin(bob, "8642", actor="tests")
    for _attempt in range(MAX_PIN_FAILURES):
        check(switch_client, pin="0000")
    assert check(switch_client, mailbox="2002", pin="8642").status_code == 200


def test_the_right_pin_clears_the_failures(switch_client, mailbox):
    for _attempt in range(MAX_PIN_FAILURES - 1):
        check(switch_client, pin="0000")
    assert check(switch_client).status_code == 200
    for _attempt in range(MAX_PIN_FAILURES - 1):
        assert check(switch_client, pin="0000").status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        "",
        "not json",
        "[]",
        '"1001"',
        '{"mailbox": "1001"}',
        '{"pin": "4711"}',
        '{"mailbox": "10a1", "pin": "4711"}',
        '{"mailbox": "1001", "pin": "47 11"}',
        '{"mailbox": "1001", "pin": true}',
        '{"mailbox": null, "pin": "4711"}',
        '{"mailbox": "1001", "pin": "' + "1" * 40 + '"}',
        '{"mailbox": "' + "1" * 40 + '", "pin": "4711"}',
    ],
)
def test_a_malformed_body_is_400_in_json(switch_client, mailbox, body):
    response = switch_client.post(URL, body, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == {"error"}


def test_get_is_405(switch_client, mailbox):
    response = switch_client.get(URL)
    assert response.status_code == 405
    assert response["Allow"] == "POST"


@hypothesis_settings(
    max_examples=100,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    body=st.one_of(
        st.binary(max_size=60),
        st.text(max_size=60).map(str.encode),
        st.dictionaries(
            st.sampled_from(["mailbox", "pin", "x"]),
            st.one_of(
                st.none(),
                st.booleans(),
                st.integers(),
                st.floats(),
                st.text(max_size=40),
                st.lists(st.integers(), max_size=2),
            ),
        ).map(lambda data: json.dumps(data).encode()),
    ),
    content_type=st.sampled_from(
        [
            "application/json",
            "application/x-www-form-urlencoded",
            "text/plain",
            "multipart/form-data",
        ]
    ),
)
def test_fuzzed_bodies_never_give_a_server_error(switch_client, mailbox, body, content_type):
    response = switch_client.post(URL, body, content_type=content_type)
    assert response.status_code in (200, 400, 403, 429), (body, content_type)
