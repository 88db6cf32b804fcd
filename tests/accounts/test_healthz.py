from __future__ import annotations

import pytest

from tests.outage import database_unreachable

pytestmark = pytest.mark.django_db


def test_it_answers_ok_without_login_and_for_any_host(client):
    response = client.get("/healthz", HTTP_HOST="10.0.0.7")
    assert response.status_code == 200
    assert response.content == b"ok\n"


def test_it_reports_an_unreachable_database(client, monkeypatch):
    from django.db.backends.utils import CursorWrapper

    def broken(self, *args, **kwargs):
        raise RuntimeError("database is down")

    monkeypatch.setattr(CursorWrapper, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503


def test_it_answers_503_when_the_database_cannot_be_reached(client):
    with database_unreachable():
        response = client.get("/healthz", HTTP_HOST="10.0.0.7")
    assert response.status_code == 503
    assert response.content == b"database unavailable\n"
