from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_logout_by_post_ends_the_session(alice_client):
    response = alice_client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert alice_client.get("/")["Location"] == "/login/?next=/"


def test_logout_by_get_is_not_allowed(alice_client):
    assert alice_client.get("/logout/").status_code == 405
    assert alice_client.get("/").status_code == 200


def test_every_page_has_the_logout_button(alice_client):
    html = alice_client.get("/").content.decode()
    assert 'action="/logout/"' in html
    assert "Wyloguj" in html


def test_the_sign_in_page_then_says_the_customer_has_signed_out(alice_client):
    html = alice_client.post("/logout/", follow=True).content.decode()
    assert "Logowanie klienta" in html
    assert "Wylogowano z Panelu Konta." in html
    # Said once: the next visit to the sign-in page is quiet again.
    assert "Wylogowano" not in alice_client.get("/login/").content.decode()


def test_signing_out_without_a_session_says_nothing(client):
    html = client.post("/logout/", follow=True).content.decode()
    assert "Wylogowano" not in html
