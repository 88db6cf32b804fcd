"""GET /switch/v1/conference-codes/<code>: the media server checks an access code."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from conferences.code_check import MAX_CODE_FAILURES
from tests.factories import make_conference

pytestmark = pytest.mark.django_db
CALLER = "48601234567"


def url(code: str, caller: str = CALLER) -> str:
    return f"/switch/v1/conference-codes/{code}?caller={caller}"


@pytest.fixture
def live(alice):
    """alice's conference, under way now."""
    return make_conference(
        alice,
        starts_at=timezone.now() - timedelta(minutes=10),
        minutes=60,
        wait_for_moderator=True,
        record=True,
    )


def test_without_a_token_it_answers_401_and_nothing_else(client, live):
    response = client.get(url(live.host_code))
    assert response.status_code == 401
    assert set(response.json()) == {"error"}


def test_the_host_code_opens_the_conference_as_host(switch_client, live, alice):
    response = switch_client.get(url(live.host_code))
    assert response.status_code == 200
    body = response.json()
    assert body["conference"] == live.pk
    assert body["account"] == alice.account_id
    assert body["role"] == "host"
    assert body["live"] is True
    assert body["permanent"] is False
    assert body["max_participants"] == live.max_participants
    assert body["options"] == {
        "wait_for_moderator": True,
        "announce_join_leave": False,
        "mute_on_join": False,
        "music_on_hold": True,
        "record": True,
    }


def test_the_guest_code_opens_it_as_guest(switch_client, live):
    assert switch_client.get(url(live.guest_code)).json()["role"] == "guest"


def test_a_conference_of_tomorrow_is_found_but_not_live(switch_client, alice):
    tomorrow = make_conference(alice, starts_at=timezone.now() + timedelta(days=1))
    body = switch_client.get(url(tomorrow.guest_code)).json()
    assert body["live"] is False
    assert body["starts_at"] == tomorrow.starts_at.isoformat()


def test_callers_may_join_a_quarter_of_an_hour_early(switch_client, alice):
    soon = make_conference(alice, starts_at=timezone.now() + timedelta(minutes=10))
    assert switch_client.get(url(soon.guest_code)).json()["live"] is True


def test_a_permanent_room_is_live_and_has_no_end(switch_client, alice):
    room = make_conference(alice, starts_at=timezone.now() - timedelta(days=3), is_permanent=True)
    body = switch_client.get(url(room.host_code)).json()
    assert (body["live"], body["permanent"], body["ends_at"]) == (True, True, None)


def test_a_wrong_code_is_404(switch_client, live):
    response = switch_client.get(url("12345678"))
    assert response.status_code == 404
    assert set(response.json()) == {"error"}


def test_the_code_of_a_conference_that_is_over_is_404(switch_client, alice):
    over = make_conference(alice, starts_at=timezone.now() - timedelta(hours=3), minutes=60)
    assert switch_client.get(url(over.host_code)).status_code == 404


def test_codes_of_an_account_without_conferences_are_404(switch_client, live, alice):
    alice.conferences_enabled = False
    alice.save(update_fields=["conferences_enabled"])
    assert switch_client.get(url(live.host_code)).status_code == 404


def test_codes_of_a_blocked_account_are_404(switch_client, live, alice):
    alice.status = alice.Status.BLOCKED
    alice.save(update_fields=["status"])
    assert switch_client.get(url(live.host_code)).status_code == 404


@pytest.mark.parametrize("bad", ["12ab", "1" * 17, "%20", "１２３"])
def test_a_code_that_is_not_digits_is_400(switch_client, live, bad):
    assert switch_client.get(url(bad)).status_code == 400


def test_a_caller_that_is_not_a_number_is_400(switch_client, live):
    assert switch_client.get(url(live.host_code, caller="<sip:x@y>")).status_code == 400


def test_repeated_wrong_codes_lock_the_caller_out(switch_client, live):
    for _attempt in range(MAX_CODE_FAILURES - 1):
        assert switch_client.get(url("12345678")).status_code == 404
    assert switch_client.get(url("12345678")).status_code == 429
    # Locked: even the right code is not checked.
    response = switch_client.get(url(live.host_code))
    assert response.status_code == 429
    assert set(response.json()) == {"error"}


def test_the_lockout_is_per_caller_in_any_form_of_the_number(switch_client, live):
    for _attempt in range(MAX_CODE_FAILURES):
        switch_client.get(url("12345678", caller="+48601234567"))
    assert switch_client.get(url(live.host_code, caller="0048601234567")).status_code == 429
    assert switch_client.get(url(live.host_code, caller="48601234568")).status_code == 200


def test_a_right_code_does_not_clear_the_failures(switch_client, live):
    for _attempt in range(MAX_CODE_FAILURES - 1):
        switch_client.get(url("12345678"))
    assert switch_client.get(url(live.host_code)).status_code == 200
    assert switch_client.get(url("12345678")).status_code == 429


def test_the_lockout_ends_after_its_window(switch_client, live):
    for _attempt in range(MAX_CODE_FAILURES):
        switch_client.get(url("12345678"))
    assert switch_client.get(url(live.host_code)).status_code == 429
    cache.clear()  # what the window's end does to the counter
    assert switch_client.get(url(live.host_code)).status_code == 200


def test_post_is_405(switch_client, live):
    response = switch_client.post(url(live.host_code))
    assert response.status_code == 405
    assert response["Allow"] == "GET"


@hypothesis_settings(
    max_examples=100,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    code=st.one_of(st.text(min_size=1, max_size=30), st.from_regex(r"[0-9]{1,20}", fullmatch=True)),
    caller=st.one_of(st.text(max_size=40), st.from_regex(r"\+?[0-9]{0,25}", fullmatch=True)),
)
def test_fuzzed_codes_and_callers_never_give_a_server_error(switch_client, live, code, caller):
    response = switch_client.get(
        "/switch/v1/conference-codes/" + quote(code, safe=""), {"caller": caller}
    )
    assert response.status_code in (200, 400, 404, 429), (code, caller)
