"""PostgreSQL keeps the queries Konto runs again and again prepared (konto/settings.py), unless
DATABASE_PREPARE_THRESHOLD=0 says a pooler in front cannot follow them."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from accounts.models import Account
from tests import factories
from tests.settings_probe import setting


def _options(**env: str) -> dict[str, object]:
    return json.loads(
        setting("json.dumps(settings.DATABASES['default'].get('OPTIONS', {}))", **env)
    )


POSTGRES = "postgres://postgres@127.0.0.1:5432/konto"


def test_postgresql_prepares_a_query_on_its_fifth_run() -> None:
    options = _options(DATABASE_URL=POSTGRES)
    assert options == {"server_side_binding": True, "prepare_threshold": 5}


def test_a_threshold_of_zero_prepares_nothing() -> None:
    options = _options(DATABASE_URL=POSTGRES, DATABASE_PREPARE_THRESHOLD="0")
    assert options["prepare_threshold"] is None


def test_sqlite_has_none_of_it() -> None:
    options = _options(DATABASE_URL="sqlite:///:memory:")
    assert "prepare_threshold" not in options and "server_side_binding" not in options


@pytest.mark.django_db
def test_the_server_keeps_a_repeated_query_prepared(alice) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    factories.make_call(alice)
    for _ in range(6):
        assert Account.objects.filter(pk=alice.pk).values_list("calls_version").get()
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [statement for (statement,) in cursor.fetchall()]
    assert any('"calls_version"' in statement for statement in prepared), prepared
