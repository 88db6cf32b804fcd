from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_a_visitor_switches_the_login_page_to_english(client):
    response = client.post("/language/", {"language": "en", "next": "/login/"})
    assert response["Location"] == "/login/"
    html = client.get("/login/").content.decode()
    assert "Forgot your password?" in html
    assert '<html lang="en">' in html


def test_a_customers_choice_is_saved_on_the_account(alice_client, alice):
    alice_client.post("/language/", {"language": "en", "next": "/"})
    alice.refresh_from_db()
    assert alice.language == "en"
    html = alice_client.get("/").content.decode()
    assert "Dashboard" in html and "Log out" in html
    # Recorded as any change of the customer's settings, as "Ustawienia" records it.
    event = alice.audit_events.get(kind="profile.change")
    assert event.data == {"fields": ["language"]} and event.actor == alice.user


def test_the_accounts_language_wins_over_the_browser(alice_client, alice):
    html = alice_client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Pulpit" in html


def test_an_unknown_language_changes_nothing(alice_client, alice):
    response = alice_client.post("/language/", {"language": "xx", "next": "/"})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.language == "pl"


def test_a_hostile_next_is_ignored(client):
    response = client.post("/language/", {"language": "en", "next": "https://evil.example.com/"})
    assert response["Location"] == "/"


def test_switching_needs_post(client):
    assert client.get("/language/").status_code == 405
