"""The proxy's digest credentials (`subscriber`) follow every change of the accounts."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from accounts.demo import load_demo
from accounts.models import SipSubscriber
from accounts.provisioning import create_or_update_account, set_status
from accounts.sip import credentials
from tests import factories

pytestmark = pytest.mark.django_db

SIP = "Tajne-Haslo-SIP1"
LOGIN = "telekonferencja_48223809888"
# Computed with md5sum, not with the code under test.
ALICE_HA1 = "70539d20afd6209c3ebed89cb5490ae3"  # LOGIN:sip.konto.localhost:SIP
ALICE_HA1B = "c8183b3f40dc5aca7b29559d2682eecf"  # LOGIN@sip.konto.localhost:sip.konto.localhost:SIP


@pytest.fixture(autouse=True)
def _domain(settings):
    settings.SIP_DOMAIN = "sip.konto.localhost"


@pytest.fixture
def sip_alice(alice):
    alice.sip_password = SIP
    alice.save()
    credentials.sync_account(alice)
    return alice


def rows():
    return list(SipSubscriber.objects.values_list("username", "domain", "password", "ha1", "ha1b"))


def test_ha1_is_the_digest_of_user_realm_and_password():
    # RFC 2617's own example.
    assert credentials.ha1("Mufasa", "testrealm@host.com", "Circle Of Life") == (
        "939e7578ed9e3c518a452acee763bce9"
    )


def test_an_active_account_gets_both_hashes_and_never_the_password(sip_alice):
    assert rows() == [(LOGIN, "sip.konto.localhost", "", ALICE_HA1, ALICE_HA1B)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM subscriber")
        assert SIP not in repr(cursor.fetchall())


def test_a_blocked_account_has_no_row_and_unblocking_gives_it_back(sip_alice):
    set_status(sip_alice, "blocked")
    assert rows() == []
    set_status(sip_alice, "active")
    assert rows() == [(LOGIN, "sip.konto.localhost", "", ALICE_HA1, ALICE_HA1B)]


def test_an_account_without_a_sip_password_has_no_row(alice):
    assert credentials.sync_account(alice) == credentials.UNCHANGED
    assert rows() == []


def test_a_rolled_back_password_change_leaves_the_credentials_as_they_were(sip_alice):
    with pytest.raises(RuntimeError), transaction.atomic():
        sip_alice.sip_password = "Inne-Haslo-SIP22"
        sip_alice.save()
        credentials.sync_account(sip_alice)
        assert rows()[0][3] != ALICE_HA1
        raise RuntimeError("the request failed after the change")
    assert rows() == [(LOGIN, "sip.konto.localhost", "", ALICE_HA1, ALICE_HA1B)]


def test_a_rolled_back_block_leaves_the_phones_working(sip_alice):
    with pytest.raises(RuntimeError), transaction.atomic():
        set_status(sip_alice, "blocked")
        assert rows() == []
        raise RuntimeError("the request failed after the change")
    assert len(rows()) == 1


def test_a_new_sip_password_on_ustawienia_replaces_the_hashes(alice_client, sip_alice):
    alice_client.post("/profile/settings/sip-password/")
    sip_alice.refresh_from_db()
    assert sip_alice.sip_password != SIP
    (row,) = rows()
    assert row[3] == credentials.ha1(LOGIN, "sip.konto.localhost", sip_alice.sip_password)
    assert row[3] != ALICE_HA1


def test_deleting_the_account_or_its_user_removes_the_row(sip_alice, bob):
    bob.sip_password = "Haslo-Boba-SIP1"
    bob.save()
    credentials.sync_account(bob)
    sip_alice.delete()
    assert [row[0] for row in rows()] == [bob.account_id]
    bob.user.delete()
    assert rows() == []


def test_an_imported_account_gets_its_row_and_a_renamed_one_moves_it():
    result = create_or_update_account(LOGIN, {"sip_password": SIP})
    assert result.created
    assert rows() == [(LOGIN, "sip.konto.localhost", "", ALICE_HA1, ALICE_HA1B)]
    create_or_update_account(LOGIN, {"account_id": "konto-nowe"})
    assert [row[0] for row in rows()] == ["konto-nowe"]
    create_or_update_account(LOGIN, {"status": "blocked"})
    assert rows() == []


def test_staff_changing_the_sip_password_in_the_admin_changes_the_hashes(staff_client, sip_alice):
    response = staff_client.post(
        f"/admin/accounts/account/{sip_alice.pk}/change/",
        factories.admin_account_form(sip_alice, sip_password="Nowe-Haslo-SIP77"),
    )
    assert response.status_code == 302
    assert rows()[0][3] == credentials.ha1(LOGIN, "sip.konto.localhost", "Nowe-Haslo-SIP77")


def test_the_admins_block_action_removes_the_row(staff_client, sip_alice):
    staff_client.post(
        "/admin/accounts/account/",
        {"action": "block_accounts", "_selected_action": [sip_alice.pk]},
    )
    assert rows() == []


def test_the_demo_account_can_register_a_phone(settings):
    settings.DEBUG = True
    account, _created = load_demo()
    assert [row[0] for row in rows()] == [account.account_id]


def test_an_undecryptable_password_keeps_the_row_it_had(sip_alice, settings):
    settings.FIELD_ENCRYPTION_KEYS = ["another key altogether"]
    sip_alice.refresh_from_db()
    assert sip_alice.sip_password_unreadable
    assert credentials.sync_account(sip_alice) == credentials.KEPT
    assert rows()[0][3] == ALICE_HA1


def test_many_accounts_are_synced_at_once_as_each_would_be_alone(settings):
    """sync_accounts (an import's new accounts) does what sync_account does account by account."""
    kept = factories.make_account("kept", sip_password="Haslo-Stare-SIP1")
    credentials.sync_account(kept)
    settings.FIELD_ENCRYPTION_KEYS = ["another key altogether"]  # kept's password: unreadable
    added = factories.make_account("added", sip_password="Haslo-Nowe-SIP01")
    stale = factories.make_account("stale", sip_password="Haslo-Nowe-SIP02")
    moved = factories.make_account("moved", sip_password="Haslo-Nowe-SIP03")
    same = factories.make_account("same", sip_password="Haslo-Nowe-SIP04")
    blocked = factories.make_account("blocked", sip_password="Haslo-Nowe-SIP05")
    silent = factories.make_account("silent")
    SipSubscriber.objects.create(username="stale", domain="sip.konto.localhost", ha1="0", ha1b="0")
    credentials.sync_account(moved)
    SipSubscriber.objects.create(username="moved", domain="old.example.com", ha1="0", ha1b="0")
    credentials.sync_account(same)
    credentials.sync_account(blocked)
    blocked.status = "blocked"
    accounts = [kept, added, stale, moved, same, blocked, silent]
    for account in accounts:
        account.refresh_from_db(fields=["sip_password"])

    with transaction.atomic():
        one_by_one = {account.account_id: credentials.sync_account(account) for account in accounts}
        rows_one_by_one = sorted(rows())
        transaction.set_rollback(True)

    assert (
        credentials.sync_accounts(accounts)
        == one_by_one
        == {
            "kept": credentials.KEPT,
            "added": credentials.ADDED,
            "stale": credentials.UPDATED,
            "moved": credentials.UPDATED,
            "same": credentials.UNCHANGED,
            "blocked": credentials.REMOVED,
            "silent": credentials.UNCHANGED,
        }
    )
    assert sorted(rows()) == rows_one_by_one
    assert sorted((row[0], row[1]) for row in rows()) == [
        ("added", "sip.konto.localhost"),
        ("kept", "sip.konto.localhost"),
        ("moved", "sip.konto.localhost"),
        ("same", "sip.konto.localhost"),
        ("stale", "sip.konto.localhost"),
    ]
    assert credentials.sync_accounts(accounts)["stale"] == credentials.UNCHANGED
