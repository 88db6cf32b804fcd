"""accounts.security.session_row reads what the ORM's select_related reads: the same session,
user and account, every field of each equal, linked without further queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.backends.base import SessionBase
from django.db.models import Model
from django.test import Client
from django.utils import timezone

from accounts.models import Account, SignedInSession
from accounts.security.session_row import signed_in_session
from accounts.security.sessions import SessionStore

pytestmark = pytest.mark.django_db


def _key_of(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def _as_the_orm_reads_it(key: str) -> SignedInSession:
    return SignedInSession.objects.select_related("user__account").get(
        session_key=key, expire_date__gt=timezone.now()
    )


def _fields(instance: Model) -> dict[str, object]:
    return {
        field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields
    }


def test_a_customers_session_comes_with_the_user_and_the_account(alice, django_assert_num_queries):
    alice.sip_password = "sip-secret-1234"  # an encrypted column: its converter must run
    alice.save()
    key = _key_of(alice.user)
    expected = _as_the_orm_reads_it(key)
    with django_assert_num_queries(1):
        read = signed_in_session(key, timezone.now())
        user, account = read.user, read.user.account
    assert _fields(read) == _fields(expected)
    assert _fields(user) == _fields(expected.user)
    assert _fields(account) == _fields(expected.user.account)
    assert account.sip_password == "sip-secret-1234"
    assert account.user is user and isinstance(account, Account)
    assert read.expire_date.tzinfo is not None and read.last_active_at == expected.last_active_at


def test_staff_without_an_account_have_none(staff, django_assert_num_queries):
    read = signed_in_session(_key_of(staff), timezone.now())
    with django_assert_num_queries(0):
        assert read.user == staff
        assert not hasattr(read.user, "account")  # missing, as select_related leaves it


def test_a_visitors_session_has_no_user(django_assert_num_queries):
    store = SessionStore()
    store["seen"] = True
    store.save()
    read = signed_in_session(store.session_key, timezone.now())
    with django_assert_num_queries(0):
        assert read.user is None and read.user_id is None
    assert _fields(read) == _fields(_as_the_orm_reads_it(store.session_key))
    assert SessionBase.decode(store, read.session_data) == {"seen": True}


def test_an_expired_or_unknown_session_is_not_found(alice):
    key = _key_of(alice.user)
    SignedInSession.objects.filter(session_key=key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    for unknown in (key, "no-such-session", "' OR '1'='1"):
        with pytest.raises(SignedInSession.DoesNotExist):
            signed_in_session(unknown, timezone.now())


@pytest.mark.parametrize("microsecond", [0, 500_000])
def test_a_session_expires_at_the_moment_the_orm_says(alice, microsecond):
    # On SQLite the comparison is of stored text: the moment must be written as the ORM writes it.
    key = _key_of(alice.user)
    now = timezone.now().replace(microsecond=microsecond)
    for expires, found in ((now, False), (now + timedelta(microseconds=1), True)):
        SignedInSession.objects.filter(session_key=key).update(expire_date=expires)
        orm = SignedInSession.objects.filter(session_key=key, expire_date__gt=now).exists()
        assert orm is found
        if found:
            assert signed_in_session(key, now).session_key == key
        else:
            with pytest.raises(SignedInSession.DoesNotExist):
                signed_in_session(key, now)
