"""The fixed cast of the test suite: a customer (alice), a stranger (bob), operator staff."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests import factories


@pytest.fixture(autouse=True)
def _isolated(settings):
    # Each test starts with an empty cache and console-free e-mail (pytest-django's mailoutbox).
    settings.LANGUAGE_CODE = "pl"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def alice(db):
    """The customer whose pages we test."""
    return factories.make_account(
        "telekonferencja_48223809888", first_name="Alicja", last_name="Nowak"
    )


@pytest.fixture
def bob(db):
    """Another customer: their data must never show up for alice (404)."""
    return factories.make_account("telekonferencja_48223809889", first_name="Bob", last_name="Obcy")


@pytest.fixture
def staff(db):
    return factories.make_staff()


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice.user)
    return client


@pytest.fixture
def password():
    return factories.PASSWORD
