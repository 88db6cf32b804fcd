"""Creating conferences at the same moment, for real: threads with their own connections.

Only meaningful on PostgreSQL (row locks, a unique index that makes a second inserter wait);
SQLite serialises every writer, so these are skipped there. CI runs the suite on both.
"""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from conferences import access_codes, services
from conferences.models import AccessCode, Conference
from conferences.rules import ConferenceData
from tests import factories
from tests.concurrency import run_concurrently

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="needs PostgreSQL's concurrent transactions"
    ),
]


def data(start, name="Narada") -> ConferenceData:
    return ConferenceData(name=name, starts_at=start, duration_minutes=60, max_participants=5)


def test_conferences_created_at_the_same_moment_never_share_a_code(monkeypatch):
    # A small pool of codes makes collisions between the threads certain to be tried.
    pool = [
        c
        for c in (str(n) for n in range(30_000_000, 30_000_000 + 3000))
        if not access_codes.is_weak_code(c)
    ][:300]
    monkeypatch.setattr(access_codes, "generate_code", lambda length=8: random.choice(pool))
    # Without the friendly check in Python, the unique index is the only guard left.
    monkeypatch.setattr(access_codes, "_codes_in_use", lambda codes: False)
    accounts = [factories.make_account() for _ in range(8)]
    start = timezone.now() + timedelta(days=1)

    def create_five(account):
        return [
            services.create_conference(account, data(start + timedelta(hours=3 * n)))[0].pk
            for n in range(5)
        ]

    run_concurrently(create_five, accounts)  # raises the first error of any thread
    assert Conference.objects.count() == 40
    codes = list(AccessCode.objects.values_list("code", flat=True))
    assert len(codes) == 80 and len(set(codes)) == 80
    for conference in Conference.objects.prefetch_related("access_codes"):
        assert set(conference.codes()) == {"host", "guest"}


def test_simultaneous_creates_cannot_exceed_the_concurrent_conference_limit():
    account = factories.make_account(max_concurrent_conferences=2)
    start = timezone.now() + timedelta(days=1)

    def create(n):
        try:
            return services.create_conference(account, data(start, f"Narada {n}"))[0]
        except ValidationError as refusal:
            return refusal

    results = run_concurrently(create, range(6))
    created = [r for r in results if isinstance(r, Conference)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(created) == 2 and len(refused) == 4
    assert Conference.objects.filter(account=account).count() == 2


def test_a_form_submitted_twice_at_the_same_moment_creates_one_conference():
    account = factories.make_account()
    start = timezone.now() + timedelta(days=1)
    token = uuid.uuid4()
    # Raises the first error of any thread.
    results = run_concurrently(
        lambda _n: services.create_conference(account, data(start), creation_token=token),
        range(4),
    )
    assert len({conference.pk for conference, _created in results}) == 1
    assert sorted(created for _conference, created in results) == [False, False, False, True]
    assert Conference.objects.count() == 1
