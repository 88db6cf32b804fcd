"""accounts.sip.registrations: the phones the proxy has registered, read from `location`."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import SipLocation
from accounts.sip.registrations import phones_of

pytestmark = pytest.mark.django_db


def register(account, contact, expires_in, **fields):
    return SipLocation.objects.create(
        ruid=contact,
        username=account.account_id,
        domain="sip.konto.localhost",
        contact=contact,
        expires=timezone.now() + expires_in,
        **fields,
    )


@pytest.fixture(autouse=True)
def _domain(settings):
    settings.SIP_DOMAIN = "sip.konto.localhost"


def test_it_lists_the_current_phones_first_to_expire_first(alice):
    register(alice, "sip:a@192.0.2.1:5060", dt.timedelta(minutes=30), user_agent="Phone B")
    register(
        alice,
        "sip:a@10.0.0.2:5060",
        dt.timedelta(minutes=5),
        user_agent="Phone A",
        received="sip:198.51.100.7:40000",
    )
    register(alice, "sip:a@192.0.2.9:5060", dt.timedelta(seconds=-1), user_agent="Gone")
    phones = phones_of(alice)
    assert [(p.user_agent, p.contact, p.received) for p in phones] == [
        ("Phone A", "sip:a@10.0.0.2:5060", "sip:198.51.100.7:40000"),
        ("Phone B", "sip:a@192.0.2.1:5060", ""),
    ]
    assert phones[0].expires.tzinfo is not None


def test_an_expired_registration_is_offline(alice):
    register(alice, "sip:a@192.0.2.1:5060", dt.timedelta(seconds=-5))
    assert phones_of(alice) == []


def test_times_are_stored_as_kamailio_writes_them_utc_wall_time(alice):
    expires = dt.datetime(2026, 7, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    register(alice, "sip:a@192.0.2.1:5060", dt.timedelta(0)).__class__.objects.update(
        expires=expires
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM location")
        (stored,) = cursor.fetchone()
    # Kamailio (TZ=UTC) writes and reads "2026-07-01 10:00:00" without a zone.
    assert str(stored).startswith("2026-07-01 10:00:00")
    assert SipLocation.objects.get().expires == expires
