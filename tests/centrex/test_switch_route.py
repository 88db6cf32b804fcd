"""GET /switch/v1/route: the proxy's routing and screening decision for a call, now."""

from __future__ import annotations

import pytest
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from centrex.screening import services
from centrex.screening.decision import decide
from centrex.screening.models import ScreeningRule
from tests.factories import enable_screening, make_number, make_rule, verify_two_step

pytestmark = pytest.mark.django_db
URL = "/switch/v1/route"
Action = ScreeningRule.Action
ALICE_NUMBER = "48223809888"
BOSS = "+48601234567"


@pytest.fixture
def callee(alice):
    """alice, with screening and voicemail enabled, owning ALICE_NUMBER."""
    enable_screening(alice, voicemail=True)
    make_number(alice, ALICE_NUMBER)
    return alice


def route(client: Client, **params: str):
    return client.get(URL, params)


def test_without_a_token_it_answers_401_and_nothing_else(client, callee):
    response = route(client, to=ALICE_NUMBER, **{"from": BOSS})
    assert response.status_code == 401
    assert set(response.json()) == {"error"}
    assert callee.account_id not in response.content.decode()


def test_without_a_matching_rule_the_phone_rings(switch_client, callee):
    response = route(switch_client, to=ALICE_NUMBER, **{"from": BOSS})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "action": "ring",
        "account": callee.account_id,
        "ring_seconds": None,
        "forward_to": "",
        "caller_id": "",
        "reason": "no_match",
    }


@pytest.mark.parametrize(
    ("action", "fields", "expected"),
    [
        (Action.RING, {}, {"ring_seconds": None, "forward_to": ""}),
        (Action.REJECT, {}, {"ring_seconds": None, "forward_to": ""}),
        (Action.FORWARD, {"forward_to": "+48501234567"}, {"forward_to": "48501234567"}),
        (Action.VOICEMAIL, {}, {"ring_seconds": None, "forward_to": ""}),
        (Action.RING_THEN_VOICEMAIL, {"ring_seconds": 25}, {"ring_seconds": 25, "forward_to": ""}),
        (
            Action.RING_THEN_FORWARD,
            {"ring_seconds": 15, "forward_to": "+48501234567"},
            {"ring_seconds": 15, "forward_to": "48501234567"},
        ),
    ],
)
def test_each_action_of_the_decision_is_answered(switch_client, callee, action, fields, expected):
    make_rule(callee, BOSS, action=action, **fields)
    body = route(switch_client, to=ALICE_NUMBER, **{"from": BOSS}).json()
    assert body["action"] == action
    assert body["reason"] == "rule"
    assert {name: body[name] for name in expected} == expected


def test_a_ring_first_rule_without_voicemail_rings(switch_client, callee):
    callee.voicemail_enabled = False
    callee.save(update_fields=["voicemail_enabled"])
    make_rule(callee, BOSS, action=Action.RING_THEN_VOICEMAIL)
    body = route(switch_client, to=ALICE_NUMBER, **{"from": BOSS}).json()
    assert (body["action"], body["reason"], body["ring_seconds"]) == ("ring", "voicemail_off", None)


def test_it_is_the_decision_the_tester_shows(switch_client, callee):
    make_rule(callee, "anonymous", action=Action.REJECT)
    make_rule(callee, "+4860%", action=Action.VOICEMAIL)
    for caller in ("", "anonymous", BOSS, "+48221112233", "telekonferencja_1"):
        body = route(switch_client, to=ALICE_NUMBER, **{"from": caller}).json()
        assert body["action"] == decide(callee, caller, f"+{ALICE_NUMBER}").action, caller


def test_a_withheld_number_is_matched_as_anonymous(switch_client, callee):
    make_rule(callee, "anonymous", action=Action.REJECT)
    assert route(switch_client, to=ALICE_NUMBER).json()["action"] == "reject"
    assert route(switch_client, to=ALICE_NUMBER, **{"from": "anonymous"}).json()["action"] == (
        "reject"
    )


def test_the_dialled_number_may_be_written_in_any_usual_form(switch_client, callee):
    for to in ("48223809888", "+48223809888", "0048223809888", "223809888", "22 380 98 88"):
        response = route(switch_client, to=to)
        assert response.status_code == 200, to
        assert response.json()["account"] == callee.account_id


def test_a_rule_for_one_called_number_matches_calls_to_it_only(switch_client, callee):
    make_number(callee, "48223809777")
    make_rule(callee, "%", called_number="+48223809777", action=Action.REJECT)
    assert route(switch_client, to="48223809777", **{"from": BOSS}).json()["action"] == "reject"
    assert route(switch_client, to=ALICE_NUMBER, **{"from": BOSS}).json()["action"] == "ring"


def test_the_calling_account_presents_its_first_number(switch_client, callee, bob):
    make_number(bob, "48601234599")
    make_number(bob, "48601234567")  # lower: the first one
    make_rule(callee, BOSS, action=Action.REJECT)
    body = route(
        switch_client, to=ALICE_NUMBER, account=bob.account_id, **{"from": bob.account_id}
    ).json()
    assert body["caller_id"] == "48601234567"
    # The rules see the presented number, not the SIP user in From.
    assert body["action"] == "reject"


def test_a_calling_account_without_numbers_presents_none(switch_client, callee, bob):
    body = route(switch_client, to=ALICE_NUMBER, account=bob.account_id).json()
    assert body["caller_id"] == ""


def test_screening_off_for_the_account_rings(switch_client, alice):
    make_number(alice, ALICE_NUMBER)
    make_rule(alice, "%", action=Action.REJECT)
    body = route(switch_client, to=ALICE_NUMBER, **{"from": BOSS}).json()
    assert (body["action"], body["reason"]) == ("ring", "feature_off")


def test_an_unknown_number_is_404_in_json(switch_client, callee):
    response = route(switch_client, to="48221234567")
    assert response.status_code == 404
    assert set(response.json()) == {"error"}


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"to": ""},
        {"to": "abc"},
        {"to": "+48"},
        {"to": "1" * 80},
        {"to": "+48 22 380 98 88 ext. 5"},
        {"to": ALICE_NUMBER, "from": "+48abc"},
        {"to": ALICE_NUMBER, "from": "<sip:x@y>"},
        {"to": ALICE_NUMBER, "from": "x" * 65},
        {"to": ALICE_NUMBER, "account": "a\x00b"},
        {"to": ALICE_NUMBER, "format": "xml"},
    ],
)
def test_malformed_parameters_are_400_in_json(switch_client, callee, params):
    response = switch_client.get(URL, params)
    assert response.status_code == 400
    assert set(response.json()) == {"error"}


def test_params_format_gives_the_same_fields_as_text(switch_client, callee, bob):
    make_number(bob, "48601234567")
    make_rule(callee, BOSS, action=Action.RING_THEN_VOICEMAIL, ring_seconds=20)
    response = route(switch_client, to=ALICE_NUMBER, account=bob.account_id, format="params")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == (
        f"action=ring_voicemail;account={callee.account_id};ring_seconds=20;forward_to=;"
        "caller_id=48601234567;reason=rule;"
    )


def test_params_format_errors_have_the_same_status_codes(client, switch_client, callee):
    not_found = route(switch_client, to="48221234567", format="params")
    bad = route(switch_client, to="abc", format="params")
    assert (not_found.status_code, bad.status_code) == (404, 400)
    assert not_found.content.decode().startswith("error=")
    unauthorized = Client().get(URL, {"to": ALICE_NUMBER, "format": "params"})
    assert unauthorized.status_code == 401
    assert unauthorized["Content-Type"].startswith("text/plain")


def test_post_is_405_in_json(switch_client, callee):
    response = switch_client.post(URL, {"to": ALICE_NUMBER})
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert set(response.json()) == {"error"}


# The cache of the rules


def test_a_new_rule_applies_to_the_next_call(switch_client, callee):
    assert route(switch_client, to=ALICE_NUMBER, **{"from": BOSS}).json()["action"] == "ring"
    rule = ScreeningRule(
        account=callee, name="Szef", caller_patterns=BOSS, action=Action.REJECT, days=0b1111111
    )
    services.save_rule(rule)
    assert route(switch_client, to=ALICE_NUMBER, **{"from": BOSS}).json()["action"] == "reject"


def test_every_change_of_the_rules_applies_to_the_next_call(switch_client, callee):
    def action() -> str:
        return route(switch_client, to=ALICE_NUMBER, **{"from": BOSS}).json()["action"]

    first = make_rule(callee, BOSS, action=Action.REJECT)
    second = make_rule(callee, BOSS, action=Action.VOICEMAIL)
    assert action() == "reject"
    services.move_rule(second, up=True)
    assert action() == "voicemail"
    services.set_rule_enabled(second, False)
    assert action() == "reject"
    first.action = Action.FORWARD
    first.forward_to = "+48501234567"
    services.save_rule(first)
    assert action() == "forward"
    services.set_screening_on(callee, False)
    assert action() == "ring"
    services.reset_screening_settings(callee)
    assert action() == "forward"
    services.delete_rule(first)
    assert action() == "ring"
    services.block_number(callee, BOSS)
    assert action() == "reject"


def test_staff_changing_a_rule_in_the_admin_applies_to_the_next_call(
    switch_client, admin_user, callee
):
    rule = make_rule(callee, BOSS, action=Action.REJECT)
    assert route(switch_client, to=ALICE_NUMBER, **{"from": BOSS}).json()["action"] == "reject"
    staff = Client()
    staff.force_login(admin_user)
    verify_two_step(staff, admin_user)
    response = staff.post(f"/admin/centrex/screeningrule/{rule.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert route(switch_client, to=ALICE_NUMBER, **{"from": BOSS}).json()["action"] == "ring"


def test_features_and_time_zone_are_read_fresh(switch_client, callee):
    make_rule(callee, BOSS, action=Action.REJECT)
    assert route(switch_client, to=ALICE_NUMBER, **{"from": BOSS}).json()["action"] == "reject"
    callee.call_screening_enabled = False
    callee.save(update_fields=["call_screening_enabled"])
    assert route(switch_client, to=ALICE_NUMBER, **{"from": BOSS}).json()["action"] == "ring"


def test_a_decision_costs_one_query_once_the_rules_are_cached(
    switch_client, callee, bob, django_assert_max_num_queries
):
    make_number(bob, "48601234567")
    for n in range(10):
        make_rule(callee, f"+4870000000{n}", action=Action.REJECT)
    route(switch_client, to=ALICE_NUMBER, account=bob.account_id)  # fills the caches
    with django_assert_max_num_queries(1):
        response = route(switch_client, to=ALICE_NUMBER, account=bob.account_id)
    assert response.json()["caller_id"] == "48601234567"


def test_a_decision_with_cold_caches_costs_a_few_queries(
    switch_client, callee, django_assert_max_num_queries
):
    make_rule(callee, BOSS, action=Action.REJECT)
    with django_assert_max_num_queries(5):
        assert route(switch_client, to=ALICE_NUMBER, **{"from": BOSS}).json()["action"] == (
            "reject"
        )


# Nothing a proxy (or anyone with a token) sends gives a server error

_text = st.one_of(
    st.text(max_size=80),
    st.sampled_from(["", "+", "00", "0", "anonymous", "+48223809888", "48223809888", "%", "\x00"]),
    st.from_regex(r"\+?[0-9 ]{0,20}", fullmatch=True),
)


@hypothesis_settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    to=_text,
    caller=_text,
    account=_text,
    fmt=st.sampled_from(["json", "params", "", "x"]),
    extra=st.dictionaries(st.sampled_from(["to", "from", "zz"]), _text, max_size=2),
)
def test_fuzzed_parameters_never_give_a_server_error(
    switch_client, callee, to, caller, account, fmt, extra
):
    params = {"to": to, "from": caller, "account": account, "format": fmt, **extra}
    response = switch_client.get(URL, params)
    assert response.status_code in (200, 400, 404), params


def test_the_decision_matches_rules_written_in_national_form(switch_client, callee):
    make_rule(callee, "601234567", action=Action.REJECT)
    assert route(switch_client, to=ALICE_NUMBER, **{"from": "48601234567"}).json()["action"] == (
        "reject"
    )
    assert route(switch_client, to=ALICE_NUMBER, **{"from": "601234567"}).json()["action"] == (
        "reject"
    )
