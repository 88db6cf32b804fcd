"""The project's SIP proxy against the test database and a live portal, with real baresip
phones registering with the credentials Konto issued (PostgreSQL only: Kamailio has no SQLite)."""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Callable, Iterator
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from accounts.models import CallRecord, PhoneNumber, SipLocation, SipMissedCall
from accounts.provisioning import create_or_update_account, set_status
from accounts.sip.models import SipCdr, restore_table_versions
from accounts.switch_api.models import SwitchToken
from accounts.switch_api.tokens import revoke_token
from centrex.screening import rule_cache
from centrex.screening import services as screening
from centrex.screening.models import ScreeningRule
from tests import factories
from tests.sip.harness import Phone, Proxy, available, free_sip_port, wait_for

pytestmark = [pytest.mark.sip, pytest.mark.django_db(transaction=True)]

ALICE, ALICE_NUMBER, ALICE_SIP = "alicja_sip", "48221000001", "Haslo-Alicji-SIP1"
BOB, BOB_NUMBER, BOB_SIP = "bob_sip", "48221000002", "Haslo-Boba-SIP22"
CAROL, CAROL_NUMBER, CAROL_SIP = "karol_sip", "48221000003", "Haslo-Karola-SIP3"


def database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return (
        f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        f"/{db['NAME']}"
    )


class Network:
    def __init__(self, tmp_path, proxy: Proxy, domain: str) -> None:
        self.tmp_path, self.proxy, self.domain = tmp_path, proxy, domain
        self.phones: list[Phone] = []
        self.token: SwitchToken | None = None

    def phone(self, name: str, *, sip_port: int = 0) -> Phone:
        phone = Phone(self.tmp_path, name, self.proxy, sip_port=sip_port)
        self.phones.append(phone)
        return phone

    def registered(
        self, name: str, account_id: str, password: str, *, answer: bool = True
    ) -> Phone:
        phone = self.phone(name)
        phone.register(f"sip:{account_id}@{self.domain}", password, answer=answer)
        phone.event("REGISTER_OK")
        return phone


@pytest.fixture
def start_network(live_server, tmp_path, settings) -> Iterator[Callable[..., Network]]:
    """Starts the project's proxy against the test database; by default it asks the live
    portal's switch API and has no voicemail."""
    if connection.vendor != "postgresql":
        pytest.skip("the SIP proxy needs PostgreSQL")
    if not available():
        pytest.skip("kamailio or baresip is not installed")
    started: list[Network] = []

    def start(*, switch_api_url: str | None = None, voicemail_uri: str = "") -> Network:
        # The previous test's flush emptied `version`, which Kamailio checks at start-up.
        restore_table_versions()
        stored, token = factories.make_switch_token("kamailio-test")
        proxy = Proxy(
            tmp_path,
            {
                "DATABASE_URL": database_url(),
                "SIP_DOMAIN": settings.SIP_DOMAIN,
                "SWITCH_API_URL": switch_api_url or live_server.url,
                "SWITCH_API_TOKEN": token,
                "VOICEMAIL_URI": voicemail_uri,
            },
        )
        net = Network(tmp_path, proxy, settings.SIP_DOMAIN)
        net.token = stored
        started.append(net)
        return net

    try:
        yield start
    finally:
        for net in started:
            for phone in net.phones:
                phone.stop()
            net.proxy.stop()


@pytest.fixture
def network(start_network) -> Network:
    return start_network()


def account(login: str, number: str, sip_password: str):
    # As the import creates accounts: the proxy's credentials come with it.
    result = create_or_update_account(login, {"sip_password": sip_password})
    PhoneNumber.objects.create(account=result.account, number=number)
    return result.account


def test_a_wrong_password_and_a_blocked_account_are_refused(network):
    alice = account(ALICE, ALICE_NUMBER, ALICE_SIP)
    phone = network.phone("alice")
    phone.register(f"sip:{ALICE}@{network.domain}", "not-the-password")
    phone.event("REGISTER_FAIL")
    set_status(alice, "blocked")
    other = network.phone("alice2")
    other.register(f"sip:{ALICE}@{network.domain}", ALICE_SIP)
    other.event("REGISTER_FAIL")
    assert not phone.saw("REGISTER_OK") and not other.saw("REGISTER_OK")
    assert not SipLocation.objects.exists()
    assert f"REGISTER of sip:{ALICE}@{network.domain} refused" in network.proxy.log


def test_the_pulpit_shows_the_phone_online_then_offline_after_it_unregisters(network, client):
    alice = account(ALICE, ALICE_NUMBER, ALICE_SIP)
    client.force_login(alice.user)
    phone = network.registered("alice", ALICE, ALICE_SIP)
    html = client.get("/").content.decode()
    assert "Online" in html and "baresip" in html
    assert SipLocation.objects.get().user_agent.startswith("baresip")

    phone.command("uadel", phone.aor)
    wait_for(lambda: not SipLocation.objects.exists(), "the proxy to forget the phone")
    html = client.get("/").content.decode()
    assert "Offline" in html and "baresip" not in html


def test_a_caller_blocked_from_the_call_history_is_declined_and_nothing_rings(network):
    account(ALICE, ALICE_NUMBER, ALICE_SIP)
    bob = account(BOB, BOB_NUMBER, BOB_SIP)
    bob.call_screening_enabled = True
    bob.save(update_fields=["call_screening_enabled"])
    screening.set_screening_on(bob, True)
    screening.block_number(bob, f"+{ALICE_NUMBER}")
    alice_phone = network.registered("alice", ALICE, ALICE_SIP)
    bob_phone = network.registered("bob", BOB, BOB_SIP)

    alice_phone.command("dial", f"sip:{BOB_NUMBER}@{network.domain}")
    closed = alice_phone.event("CALL_CLOSED")
    assert closed["param"] == "603 Decline"
    assert not alice_phone.saw("CALL_ESTABLISHED")
    bob_phone._read()
    assert not [e for e in bob_phone.events if e.get("type", "").startswith("CALL_")]
    missed = wait_for(lambda: SipMissedCall.objects.first(), "the declined call's record")
    assert (missed.sip_code, missed.src_account, missed.dst_account) == ("603", ALICE, BOB)
    assert (missed.src_user, missed.dst_user) == (ALICE_NUMBER, BOB_NUMBER)


def test_an_allowed_call_rings_is_answered_and_reaches_both_call_histories(network):
    alice = account(ALICE, ALICE_NUMBER, ALICE_SIP)
    bob = account(BOB, BOB_NUMBER, BOB_SIP)
    alice_phone = network.registered("alice", ALICE, ALICE_SIP)
    bob_phone = network.registered("bob", BOB, BOB_SIP)

    alice_phone.command("dial", f"sip:{BOB_NUMBER}@{network.domain}")
    answered = bob_phone.event("CALL_ESTABLISHED")  # bob's phone answers by itself
    alice_phone.event("CALL_ESTABLISHED")
    # The callee sees the calling account's first number, not its SIP login.
    assert answered["peeruri"] == f"sip:{ALICE_NUMBER}@{network.domain}"
    # Talk for a few seconds: a duration the call history can show.
    talk_until = time.monotonic() + 2.5
    wait_for(lambda: time.monotonic() >= talk_until, "two and a half seconds of talk")
    alice_phone.command("hangup")
    alice_phone.event("CALL_CLOSED")
    bob_phone.event("CALL_CLOSED")
    cdr = wait_for(lambda: SipCdr.objects.first(), "the call's CDR")
    assert (cdr.src_account, cdr.dst_account, cdr.dst_user) == (ALICE, BOB, BOB_NUMBER)
    assert cdr.duration >= 2

    call_command("sync_switch_calls", stdout=StringIO(), stderr=StringIO())
    outbound = CallRecord.objects.get(account=alice)
    inbound = CallRecord.objects.get(account=bob)
    assert (outbound.direction, inbound.direction) == ("out", "in")
    assert outbound.duration >= 2 and inbound.duration >= 2
    assert BOB_NUMBER in outbound.callee and ALICE_NUMBER in inbound.caller


def test_when_the_switch_api_fails_the_call_rings_and_the_proxy_logs_it(network):
    account(ALICE, ALICE_NUMBER, ALICE_SIP)
    bob = account(BOB, BOB_NUMBER, BOB_SIP)
    bob.call_screening_enabled = True
    bob.save(update_fields=["call_screening_enabled"])
    screening.set_screening_on(bob, True)
    screening.block_number(bob, f"+{ALICE_NUMBER}")
    assert network.token is not None
    revoke_token(network.token)  # the API now answers 401: no decision
    alice_phone = network.registered("alice", ALICE, ALICE_SIP)
    bob_phone = network.registered("bob", BOB, BOB_SIP)

    alice_phone.command("dial", f"sip:{BOB_NUMBER}@{network.domain}")
    bob_phone.event("CALL_ESTABLISHED")  # fail-open: even a blocked caller gets through
    alice_phone.command("hangup")
    alice_phone.event("CALL_CLOSED")
    assert "(HTTP 401): ringing (fail-open)" in network.proxy.log


def test_a_switch_api_that_does_not_answer_holds_the_call_setup_300_ms_at_most(start_network):
    # A portal that takes connections and never answers: its listening socket, never accepted.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        network = start_network(switch_api_url=f"http://127.0.0.1:{silent.getsockname()[1]}")
        account(ALICE, ALICE_NUMBER, ALICE_SIP)
        account(BOB, BOB_NUMBER, BOB_SIP)
        alice_phone = network.registered("alice", ALICE, ALICE_SIP)
        bob_phone = network.registered("bob", BOB, BOB_SIP, answer=False)

        dialled = time.monotonic()
        alice_phone.command("dial", f"sip:{BOB_NUMBER}@{network.domain}")
        bob_phone.event("CALL_INCOMING")
        rang_after = time.monotonic() - dialled
    waited = re.search(r"switch API: no answer after (\d+) ms", network.proxy.log)
    assert waited is not None, network.proxy.log[-2000:]
    assert 290 <= int(waited[1]) < 500
    assert "ringing (fail-open)" in network.proxy.log
    # The whole call setup (the 407 challenge, the wait, the INVITE to Bob) stays well under
    # the second that Kamailio 5.6's http_client would have waited.
    assert rang_after < 0.9
    alice_phone.command("hangup")
    alice_phone.event("CALL_CLOSED")


def test_a_voicemail_rule_relays_the_call_to_the_voicemail_server(start_network):
    # The voicemail server: a phone called at its own address, as a media server would be.
    port = free_sip_port()
    network = start_network(voicemail_uri=f"sip:voicemail@127.0.0.1:{port}")
    voicemail = network.phone("voicemail", sip_port=port)
    voicemail.answer_calls_to(f"sip:voicemail@127.0.0.1:{port}")
    account(ALICE, ALICE_NUMBER, ALICE_SIP)
    bob = account(BOB, BOB_NUMBER, BOB_SIP)
    bob.voicemail_enabled = True  # a voicemail rule of an account without it only rings
    bob.save(update_fields=["voicemail_enabled"])
    screen_with(bob, action=ScreeningRule.Action.VOICEMAIL)
    alice_phone = network.registered("alice", ALICE, ALICE_SIP)
    bob_phone = network.registered("bob", BOB, BOB_SIP)

    alice_phone.command("dial", f"sip:{BOB_NUMBER}@{network.domain}")
    voicemail.event("CALL_ESTABLISHED")
    alice_phone.event("CALL_ESTABLISHED")
    assert no_call_reached(bob_phone)
    assert f"relayed to voicemail for {BOB}" in network.proxy.log
    alice_phone.command("hangup")
    alice_phone.event("CALL_CLOSED")


def screen_with(account, **rule) -> None:
    """Call screening on for the account, with one rule for every caller."""
    account.call_screening_enabled = True
    account.save(update_fields=["call_screening_enabled"])
    screening.set_screening_on(account, True)
    factories.make_rule(account, **rule)
    rule_cache.invalidate(account)  # the rule was written past the services


def no_call_reached(phone: Phone) -> bool:
    phone._read()
    return not [e for e in phone.events if e.get("type", "").startswith("CALL_")]


def test_a_forwarding_rule_sends_the_call_to_the_number_it_names(network):
    account(ALICE, ALICE_NUMBER, ALICE_SIP)
    bob = account(BOB, BOB_NUMBER, BOB_SIP)
    account(CAROL, CAROL_NUMBER, CAROL_SIP)
    screen_with(bob, action=ScreeningRule.Action.FORWARD, forward_to=f"+{CAROL_NUMBER}")
    alice_phone = network.registered("alice", ALICE, ALICE_SIP)
    bob_phone = network.registered("bob", BOB, BOB_SIP)
    carol_phone = network.registered("carol", CAROL, CAROL_SIP)

    alice_phone.command("dial", f"sip:{BOB_NUMBER}@{network.domain}")
    carol_phone.event("CALL_ESTABLISHED")
    alice_phone.event("CALL_ESTABLISHED")
    assert no_call_reached(bob_phone)
    alice_phone.command("hangup")
    alice_phone.event("CALL_CLOSED")


def test_ring_then_forward_rings_for_the_rules_time_and_then_forwards(network):
    account(ALICE, ALICE_NUMBER, ALICE_SIP)
    bob = account(BOB, BOB_NUMBER, BOB_SIP)
    account(CAROL, CAROL_NUMBER, CAROL_SIP)
    screen_with(
        bob,
        action=ScreeningRule.Action.RING_THEN_FORWARD,
        forward_to=f"+{CAROL_NUMBER}",
        ring_seconds=5,
    )
    alice_phone = network.registered("alice", ALICE, ALICE_SIP)
    bob_phone = network.registered("bob", BOB, BOB_SIP, answer=False)  # nobody picks up
    carol_phone = network.registered("carol", CAROL, CAROL_SIP)

    dialled = time.monotonic()
    alice_phone.command("dial", f"sip:{BOB_NUMBER}@{network.domain}")
    bob_phone.event("CALL_INCOMING")
    carol_phone.event("CALL_ESTABLISHED", timeout=20)
    # Bob's phone rang for the rule's five seconds before the call moved on.
    assert time.monotonic() - dialled >= 4.5
    assert not bob_phone.saw("CALL_ESTABLISHED")
    alice_phone.event("CALL_ESTABLISHED")
    alice_phone.command("hangup")
    alice_phone.event("CALL_CLOSED")
