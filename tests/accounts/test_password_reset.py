from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db

SENT_PAGE = "/password-reset/sent/"


def reset_link(message) -> str:
    found = re.search(r"https?://[^/\s]+(/password-reset/[^\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


def test_the_form_asks_for_login_or_email_in_polish(client):
    response = client.get("/password-reset/")
    assert response.status_code == 200
    assert "Login lub e-mail" in response.content.decode()


@pytest.mark.parametrize("what", ["login", "email"])
def test_it_sends_a_reset_link_found_by_login_or_email(client, alice, mailoutbox, what):
    value = alice.login if what == "login" else alice.email.upper()
    response = client.post("/password-reset/", {"email": value})
    assert response["Location"] == SENT_PAGE
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [alice.email]
    assert "/password-reset/" in mailoutbox[0].body


def test_the_email_speaks_the_customers_language(client, alice, mailoutbox, settings):
    alice.language = "en"
    alice.save()
    client.post("/password-reset/", {"email": alice.login})
    assert "Someone asked to set a new password" in mailoutbox[0].body
    assert mailoutbox[0].alternatives  # and an HTML part


def test_an_unknown_login_gets_the_same_answer_and_no_email(client, mailoutbox):
    response = client.post("/password-reset/", {"email": "nobody_here"})
    assert response["Location"] == SENT_PAGE
    assert mailoutbox == []


def test_the_link_sets_a_new_password(client, alice, mailoutbox):
    client.post("/password-reset/", {"email": alice.login})
    response = client.get(reset_link(mailoutbox[0]), follow=True)
    form_url = response.redirect_chain[-1][0]
    new = "Zupelnie-Nowe-Haslo-77"
    response = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert response["Location"] == "/password-reset/done/"
    alice.user.refresh_from_db()
    assert alice.user.check_password(new)


def test_a_weak_new_password_is_refused_with_a_polish_message(client, alice, mailoutbox):
    client.post("/password-reset/", {"email": alice.login})
    response = client.get(reset_link(mailoutbox[0]), follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "12345", "new_password2": "12345"})
    assert response.status_code == 200
    assert "To hasło jest za krótkie" in response.content.decode()


def test_the_new_password_fields_are_named_as_on_the_profile(client, alice, mailoutbox):
    client.post("/password-reset/", {"email": alice.login})
    html = client.get(reset_link(mailoutbox[0]), follow=True).content.decode()
    assert "Nowe hasło" in html and "Potwierdź hasło" in html
    assert "(powtórz)" not in html


def test_two_different_new_passwords_get_the_profiles_message(client, alice, mailoutbox):
    client.post("/password-reset/", {"email": alice.login})
    form_url = client.get(reset_link(mailoutbox[0]), follow=True).redirect_chain[-1][0]
    response = client.post(
        form_url, {"new_password1": "Zupelnie-Nowe-Haslo-77", "new_password2": "Inne-Haslo-77x"}
    )
    assert "Wpisz to samo nowe hasło w obu polach" in response.content.decode()


def test_a_tampered_link_says_it_is_invalid(client, alice, mailoutbox, password):
    client.post("/password-reset/", {"email": alice.login})
    link = reset_link(mailoutbox[0])
    tampered = link[:-3] + ("aa/" if not link.endswith("aa/") else "bb/")
    response = client.get(tampered, follow=True)
    assert response.status_code == 200
    assert "Ten odnośnik jest nieprawidłowy" in response.content.decode()
    alice.user.refresh_from_db()
    assert alice.user.check_password(password)
