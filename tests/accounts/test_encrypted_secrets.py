"""SIP passwords encrypted at rest: a key mix-up never destroys them, and keys can be rotated."""

from __future__ import annotations

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from accounts.models import Account
from tests import factories

pytestmark = pytest.mark.django_db

OLD_KEY, NEW_KEY, OTHER_KEY = (Fernet.generate_key().decode() for _ in range(3))


def stored_token(account: Account) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT sip_password FROM accounts_account WHERE id = %s", [account.pk])
        return cursor.fetchone()[0]


@pytest.fixture
def keys(settings):
    def use(*names: str) -> None:
        settings.FIELD_ENCRYPTION_KEYS = list(names)

    return use


@pytest.fixture
def sip_account(keys):
    keys(OLD_KEY)
    account = factories.make_account("telekonferencja_48220000100", sip_password="Stare-Haslo-SIP1")
    return account


def test_an_undecryptable_password_survives_a_save_and_is_logged(sip_account, keys, caplog):
    token = stored_token(sip_account)
    keys(OTHER_KEY)  # the key that encrypted it is gone
    account = Account.objects.get(pk=sip_account.pk)
    assert account.sip_password == "" and account.sip_password_unreadable
    assert "Cannot decrypt" in caplog.text
    account.city = "Kraków"
    account.save()
    assert stored_token(account) == token
    keys(OLD_KEY)  # the key is back: nothing was lost
    assert Account.objects.get(pk=account.pk).sip_password == "Stare-Haslo-SIP1"


def test_the_customer_is_told_and_may_generate_a_new_one(client, sip_account, keys):
    keys(OTHER_KEY)
    client.force_login(sip_account.user)
    html = client.get("/profile/settings/?show_sip=1").content.decode()
    assert "Nie można teraz pokazać Twojego hasła SIP." in html
    client.post("/profile/settings/sip-password/")
    assert Account.objects.get(pk=sip_account.pk).sip_password  # readable again, a new one


def test_staff_are_warned_and_saving_the_page_keeps_the_secret(admin_client, sip_account, keys):
    # A superuser: the staff user list and the account form of the admin are enough here.
    token = stored_token(sip_account)
    keys(OTHER_KEY)
    url = f"/admin/accounts/account/{sip_account.pk}/change/"
    response = admin_client.get(url)
    assert "FIELD_ENCRYPTION_KEYS" in response.content.decode()
    # The page as the browser would send it back, with the SIP password field left empty.
    form = response.context["adminform"].form
    posted = {name: form[name].value() for name in form.fields}
    posted = {k: "on" if v is True else v for k, v in posted.items() if v not in (None, False)}
    assert posted["sip_password"] == ""
    posted.update(factories.phone_number_formset(sip_account))
    assert admin_client.post(url, {**posted, "city": "Gdańsk"}).status_code == 302
    assert Account.objects.get(pk=sip_account.pk).city == "Gdańsk"
    assert stored_token(sip_account) == token


def test_rotation_re_encrypts_under_the_newest_key(sip_account, keys):
    factories.make_account("telekonferencja_48220000101")  # no SIP password: nothing to do
    keys(NEW_KEY, OLD_KEY)
    out = io.StringIO()
    call_command("reencrypt_secrets", stdout=out)
    assert "Re-encrypted 1 value under the newest key." in out.getvalue()
    keys(NEW_KEY)  # the old key can go now
    assert Account.objects.get(pk=sip_account.pk).sip_password == "Stare-Haslo-SIP1"
    assert Fernet(NEW_KEY.encode()).decrypt(stored_token(sip_account).encode())


def test_rotation_lists_what_no_key_opens_and_leaves_it(sip_account, keys):
    token = stored_token(sip_account)
    keys(NEW_KEY)
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 value could not be decrypted"):
        call_command("reencrypt_secrets", stderr=err)
    assert f"accounts.Account {sip_account.pk}: sip_password cannot be decrypted" in err.getvalue()
    assert stored_token(sip_account) == token


def test_a_dry_run_writes_nothing(sip_account, keys):
    token = stored_token(sip_account)
    keys(NEW_KEY, OLD_KEY)
    out = io.StringIO()
    call_command("reencrypt_secrets", "--dry-run", stdout=out)
    assert "Would re-encrypt 1 value" in out.getvalue()
    assert stored_token(sip_account) == token
