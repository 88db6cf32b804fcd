from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from accounts.models import Account, CallRecord
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_sip_password_is_encrypted_at_rest_and_readable_back(alice):
    alice.sip_password = "qjbnwds9"
    alice.save()
    with connection.cursor() as cursor:
        cursor.execute("SELECT sip_password FROM accounts_account WHERE id = %s", [alice.pk])
        stored = cursor.fetchone()[0]
    assert "qjbnwds9" not in stored
    assert Account.objects.get(pk=alice.pk).sip_password == "qjbnwds9"


def test_a_call_record_is_unique_per_source_id(alice):
    factories.make_call(alice, source="asterisk", source_id="1700000000.1")
    with pytest.raises(IntegrityError):
        factories.make_call(alice, source="asterisk", source_id="1700000000.1")


@pytest.mark.parametrize(
    ("started_at", "answered_at"),
    [
        # A broken clock: year 1 overflows in a zone behind UTC and, on PostgreSQL, is stored
        # in 1 BC, which cannot be read back; 9999-12-31 overflows in a zone ahead of UTC.
        (datetime(1, 1, 1, tzinfo=UTC), None),
        (datetime(9999, 12, 31, 23, 59, tzinfo=UTC), None),
        (datetime(1989, 12, 31, 23, 59, tzinfo=UTC), None),
        (datetime(2110, 1, 1, tzinfo=UTC), None),
        (datetime(2026, 11, 2, tzinfo=UTC), datetime(1, 1, 1, tzinfo=UTC)),
    ],
)
def test_call_times_outside_any_real_call_cannot_be_stored(alice, started_at, answered_at):
    call = CallRecord(
        account=alice,
        source="asterisk",
        source_id="broken-clock",
        started_at=started_at,
        answered_at=answered_at,
        direction="out",
        disposition="answered" if answered_at else "no_answer",
    )
    with pytest.raises(ValidationError, match="między rokiem 1990 a 2110"):
        call.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        call.save()


def test_call_times_at_the_plausible_edges_are_stored(alice):
    for n, moment in enumerate(
        [datetime(1990, 1, 1, tzinfo=UTC), datetime(2109, 12, 31, tzinfo=UTC)]
    ):
        factories.make_call(alice, source_id=f"edge-{n}", started_at=moment)
    assert CallRecord.objects.count() == 2


def test_available_funds_are_balance_plus_credit(alice):
    alice.balance = Decimal("-10.00")
    alice.credit_limit = Decimal("50.00")
    assert alice.available_funds == Decimal("40.00")


def test_the_display_name_prefers_company_then_person_then_id(alice):
    alice.company_name = "ACME"
    assert alice.display_name == "ACME"
    alice.company_name = ""
    assert alice.display_name == "Alicja Nowak"
    alice.first_name = alice.last_name = ""
    assert alice.display_name == alice.account_id


def test_an_unknown_time_zone_falls_back_to_the_sites(alice):
    alice.time_zone = "Mars/Olympus"
    assert str(alice.zone) == "Europe/Warsaw"


def test_customer_passwords_are_stored_with_argon2id(argon2):
    user = factories.make_user("telekonferencja_48220000001")
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(factories.PASSWORD)
