"""manage.py sync_sip_credentials: the proxy's credentials rebuilt from the accounts."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import SipSubscriber
from accounts.sip import credentials

pytestmark = pytest.mark.django_db


def run() -> str:
    out = StringIO()
    call_command("sync_sip_credentials", stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def sip_accounts(alice, bob, settings):
    settings.SIP_DOMAIN = "sip.konto.localhost"
    for account, password in [(alice, "Haslo-Alicji-SIP1"), (bob, "Haslo-Boba-SIP1")]:
        account.sip_password = password
        account.save()
    return alice, bob


def test_it_adds_what_is_missing_and_a_second_run_changes_nothing(sip_accounts):
    alice, bob = sip_accounts
    out = run()
    assert f"Added: {alice.account_id}" in out and f"Added: {bob.account_id}" in out
    assert "2 added, 0 updated, 0 removed" in out
    assert SipSubscriber.objects.count() == 2
    assert "already in step" in run()


def test_after_a_domain_change_every_row_moves_to_the_new_domain(sip_accounts, settings):
    alice, _bob = sip_accounts
    run()
    settings.SIP_DOMAIN = "sip.example.com"
    out = run()
    assert "2 added, 0 updated, 2 removed" in out
    assert f"Removed: {alice.account_id}@sip.konto.localhost" in out
    row = SipSubscriber.objects.get(username=alice.account_id)
    assert row.domain == "sip.example.com"
    assert row.ha1 == credentials.ha1(alice.account_id, "sip.example.com", "Haslo-Alicji-SIP1")


def test_it_removes_blocked_unknown_and_tampered_rows(sip_accounts):
    alice, bob = sip_accounts
    run()
    SipSubscriber.objects.create(username="nobody", domain="sip.konto.localhost", ha1="x")
    SipSubscriber.objects.filter(username=alice.account_id).update(ha1="0" * 32)
    bob.status = "blocked"  # as a bulk update would, bypassing the services
    bob.save()
    out = run()
    assert f"Updated: {alice.account_id}" in out
    assert f"Removed: {bob.account_id}@sip.konto.localhost" in out
    assert "Removed: nobody@sip.konto.localhost" in out
    assert list(SipSubscriber.objects.values_list("username", flat=True)) == [alice.account_id]
