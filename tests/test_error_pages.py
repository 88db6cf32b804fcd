"""Konto's own failure pages (konto/error_pages.py), in Polish and English, and what the portal
does while its database cannot be reached: a 503 page with Retry-After, /healthz 503 (see
tests/accounts/test_healthz.py), and one short log line per failed request."""

from __future__ import annotations

import logging

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import connections
from django.test import Client
from django.urls import path

from konto import error_pages
from konto.urls import handler400, handler403, handler404, handler500
from konto.urls import urlpatterns as portal_urlpatterns
from tests.factories import make_user
from tests.outage import database_unreachable

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.test_error_pages")]


def _fails(request):
    raise ValueError("a bug")


def _suspicious(request):
    raise SuspiciousOperation("a forged request")


def _forbidden(request):
    raise PermissionDenied


# The portal's URL conf and its failure pages, plus views that fail the way a bug would.
urlpatterns = [
    path("test/fails/", _fails),
    path("test/suspicious/", _suspicious),
    path("test/forbidden/", _forbidden),
    *portal_urlpatterns,
]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


@pytest.fixture(autouse=True)
def _no_outage_yet():
    error_pages._outage.end()
    yield
    error_pages._outage.end()


@pytest.fixture
def client():
    # The page a user sees, not the exception re-raised in the test (the test client's default).
    return Client(raise_request_exception=False)


@pytest.fixture
def english(client):
    client.cookies["konto_language"] = "en"
    return client


def _html(response) -> str:
    return response.content.decode()


# 404


def test_an_unknown_address_gets_the_portals_page_not_found_in_polish(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = _html(response)
    assert '<html lang="pl">' in html
    assert "Nie znaleziono strony" in html
    assert 'href="/"' in html


def test_an_unknown_address_gets_the_page_not_found_in_english(english):
    response = english.get("/no-such-page/")
    assert response.status_code == 404
    html = _html(response)
    assert '<html lang="en">' in html
    assert "Page not found" in html
    assert "Go to the home page" in html


def test_a_customer_gets_the_page_in_the_language_of_their_account(client, alice):
    alice.language = "en"
    alice.save(update_fields=["language"])
    client.force_login(alice.user)
    # The browser asks for Polish, the account says English: the account wins, as on every page.
    response = client.get("/centrex/conferences/999999/", HTTP_ACCEPT_LANGUAGE="pl")
    assert response.status_code == 404
    assert "Page not found" in _html(response)


def test_the_page_not_found_names_neither_the_customer_nor_the_balance(client, alice):
    client.force_login(alice.user)
    html = _html(client.get("/no-such-page/"))
    assert "Nie znaleziono strony" in html
    assert "Alicja" not in html
    assert "Saldo" not in html


def test_the_page_not_found_needs_no_database(client):
    with database_unreachable():
        response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Nie znaleziono strony" in _html(response)


# 400


def test_a_request_for_an_unknown_host_gets_the_bad_request_page_in_polish(client):
    response = client.get("/login/", HTTP_HOST="attacker.example")
    assert response.status_code == 400
    assert "Nieprawidłowe żądanie" in _html(response)


def test_a_suspicious_request_gets_the_bad_request_page_in_english(english):
    response = english.get("/test/suspicious/")
    assert response.status_code == 400
    html = _html(response)
    assert "Bad request" in html
    assert "Check the address" in html


# 403


def test_a_login_without_an_account_gets_the_access_denied_page_in_polish(client):
    client.force_login(make_user("bez_konta"))
    response = client.get("/calls/")
    assert response.status_code == 403
    html = _html(response)
    assert "Brak dostępu" in html
    assert 'href="/login/"' in html


def test_access_denied_in_english(english):
    response = english.get("/test/forbidden/")
    assert response.status_code == 403
    assert "Access denied" in _html(response)


# CSRF


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


def test_a_form_without_its_csrf_token_gets_the_portals_page_in_polish(csrf_client):
    response = csrf_client.post("/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    html = _html(response)
    assert "Nie udało się wysłać formularza" in html
    assert "ciasteczka" in html
    assert "CSRF" not in html


def test_the_csrf_page_says_to_reload_and_to_accept_cookies_in_english(csrf_client):
    csrf_client.cookies["konto_language"] = "en"
    response = csrf_client.post("/password-reset/", {"email": "a@example.com"})
    assert response.status_code == 403
    html = _html(response)
    assert "The form could not be sent" in html
    assert "reload the page" in html
    assert "accepts cookies" in html


# 500


def test_a_bug_gets_the_portals_server_error_page_in_polish(client, caplog):
    response = client.get("/test/fails/")
    assert response.status_code == 500
    assert "Coś poszło nie tak" in _html(response)
    # A bug is logged with its traceback, as always.
    assert any(r.name == "django.request" and r.exc_info for r in caplog.records)


def test_the_server_error_page_in_english(english):
    response = english.get("/test/fails/")
    assert response.status_code == 500
    html = _html(response)
    assert "Something went wrong" in html
    assert "try again in a few minutes" in html


# The database cannot be reached


def test_a_signed_in_page_answers_503_with_retry_after_in_polish(alice_client):
    with database_unreachable():
        response = alice_client.get("/calls/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = _html(response)
    assert "Portal jest chwilowo niedostępny" in html
    assert "Alicja" not in html


def test_the_outage_page_in_english(alice_client):
    alice_client.cookies["konto_language"] = "en"
    with database_unreachable():
        response = alice_client.get("/")
    assert response.status_code == 503
    html = _html(response)
    assert "The portal is temporarily unavailable" in html
    assert "reload the page" in html


def test_a_form_the_database_cannot_check_answers_503(client):
    # The failure comes from the view here (the login is looked up), not from a middleware.
    with database_unreachable():
        response = client.post(
            "/login/", {"username": "telekonferencja_48223809888", "password": "x"}
        )
    assert response.status_code == 503
    assert response["Retry-After"] == "30"


def _outage_records(caplog):
    return [r for r in caplog.records if r.name == "konto.errors"]


def test_an_outage_logs_one_short_line_per_request_and_one_traceback(alice_client, caplog):
    caplog.set_level(logging.INFO)
    with database_unreachable():
        for _ in range(5):
            assert alice_client.get("/calls/?page=2").status_code == 503

    records = _outage_records(caplog)
    assert len(records) == 5
    for record in records:
        line = record.getMessage()
        assert "\n" not in line
        assert line.startswith("Database unavailable: GET /calls/ (OperationalError")
    assert [bool(r.exc_info) for r in records] == [True, False, False, False, False]
    # Django's own "Service Unavailable: /calls/" with the full traceback is not added.
    assert not [r for r in caplog.records if r.name == "django.request"]


def test_the_next_outage_logs_its_first_traceback_again(alice_client, caplog):
    with database_unreachable():
        alice_client.get("/calls/")
        alice_client.get("/calls/")
    # The database is back: a new connection to it is made (an outage closes the old one).
    back = connections.create_connection("default")
    back.ensure_connection()
    back.connection.close()
    with database_unreachable():
        alice_client.get("/calls/")

    assert [bool(r.exc_info) for r in _outage_records(caplog)] == [True, False, True]
