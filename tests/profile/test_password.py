"""Mój profil → Zmień hasło (/profile/password/)."""

from __future__ import annotations

import time
import zoneinfo
from unittest import mock

import pytest
from django.test import Client, override_settings
from django.utils import timezone, translation
from django.utils.formats import date_format

from accounts.models import Account, AuditEvent, User
from profile import services

URL = "/profile/password/"
NEW_PASSWORD = "Nowe-Haslo-Zimowe-2027"


def form_data(old: str, new: str = NEW_PASSWORD, confirm: str | None = None) -> dict[str, str]:
    return {
        "old_password": old,
        "new_password1": new,
        "new_password2": new if confirm is None else confirm,
    }


def signed_in(user: User, password: str) -> Client:
    """A separate browser, signed in through the login page (a real session)."""
    browser = Client()
    assert (
        browser.post("/login/", {"username": user.username, "password": password}).status_code
        == 302
    )
    assert browser.get("/profile/").status_code == 200
    return browser


def password_of(user: User, password: str) -> bool:
    return User.objects.get(pk=user.pk).check_password(password)


def test_it_sends_anonymous_visitors_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_anonymous_visitors_cannot_change_a_password(client, alice, password):
    response = client.post(URL, form_data(password))
    assert response["Location"].startswith("/login/")
    assert password_of(alice.user, password)


def test_it_shows_the_seed_fields_in_polish(alice_client):
    response = alice_client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    for label in ("Stare hasło", "Nowe hasło", "Potwierdź hasło", "Zapisz"):
        assert label in page
    assert 'aria-current="page" href="/profile/password/">Zmień hasło</a>' in page


def test_it_rejects_other_methods(alice_client):
    assert alice_client.put(URL).status_code == 405
    assert alice_client.delete(URL).status_code == 405


def test_it_changes_the_password_and_keeps_this_session(alice_client, alice, password):
    response = alice_client.post(URL, form_data(password), follow=True)

    assert response.redirect_chain == [(URL, 302)]
    assert "Twoje hasło zostało zmienione." in response.content.decode()
    assert password_of(alice.user, NEW_PASSWORD)
    assert alice_client.get("/profile/").status_code == 200


def test_it_signs_out_every_other_session_of_the_user(client, alice, password):
    here = signed_in(alice.user, password)
    elsewhere = signed_in(alice.user, password)

    here.post(URL, form_data(password))

    assert here.get("/profile/").status_code == 200
    response = elsewhere.get("/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_it_leaves_other_customers_signed_in_and_unchanged(alice_client, bob, password):
    bobs_browser = signed_in(bob.user, password)

    alice_client.post(URL, form_data(password))

    assert bobs_browser.get("/profile/").status_code == 200
    assert password_of(bob.user, password)


def test_it_emails_the_customer_in_polish(alice_client, alice, password, mailoutbox):
    alice_client.post(URL, form_data(password), REMOTE_ADDR="203.0.113.7")

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [alice.user.email]
    assert message.subject == "Hasło w portalu Konto zostało zmienione"
    assert "Hasło dla loginu telekonferencja_48223809888" in message.body
    assert "Zmiany dokonano z adresu 203.0.113.7." in message.body
    assert "http://testserver/password-reset/" in message.body
    html = message.alternatives[0][0]
    assert "Jeśli to nie Ty" in html
    assert NEW_PASSWORD not in message.body and NEW_PASSWORD not in html


def test_it_emails_an_english_customer_in_english(alice_client, alice, password, mailoutbox):
    Account.objects.filter(pk=alice.pk).update(language="en")

    alice_client.post(URL, form_data(password))

    message = mailoutbox[0]
    assert message.subject == "Your Konto password has been changed"
    assert "The password for the login telekonferencja_48223809888" in message.body


def test_the_email_gives_the_time_in_the_accounts_time_zone(
    alice_client, alice, password, mailoutbox
):
    Account.objects.filter(pk=alice.pk).update(time_zone="Asia/Tokyo")
    tokyo = zoneinfo.ZoneInfo("Asia/Tokyo")

    def tokyo_now() -> str:
        with translation.override("pl"):
            return date_format(timezone.localtime(timezone=tokyo), "DATETIME_FORMAT")

    before = tokyo_now()
    alice_client.post(URL, form_data(password))
    after = tokyo_now()

    assert before in mailoutbox[0].body or after in mailoutbox[0].body


def test_it_audits_the_change(alice_client, alice, password):
    alice_client.post(URL, form_data(password))
    event = AuditEvent.objects.get()
    assert (event.kind, event.account, event.actor) == ("profile.password", alice, alice.user)
    assert password not in str(event.data) and NEW_PASSWORD not in str(event.data)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            form_data("Zle-Haslo-123"),
            "old_password",
            "Stare hasło jest nieprawidłowe. Wpisz hasło, którym logujesz się obecnie.",
        ),
        (
            form_data("Tajne-Haslo-2026", confirm="Inne-Haslo-2027"),
            "new_password2",
            "Nowe hasła w obu polach się różnią. Wpisz to samo nowe hasło w obu polach.",
        ),
        (
            form_data("Tajne-Haslo-2026", "krotkie"),
            "new_password2",
            "To hasło jest za krótkie. Musi zawierać co najmniej 10 znaków.",
        ),
        (
            form_data("Tajne-Haslo-2026", "password123"),
            "new_password2",
            "To hasło jest zbyt powszechne.",
        ),
        (
            form_data("Tajne-Haslo-2026", "48223809888123"),
            "new_password2",
            "Hasło składa się wyłącznie z cyfr.",
        ),
        (
            form_data("Tajne-Haslo-2026", "telekonferencja_48223809888"),
            "new_password2",
            "Hasło jest zbyt podobne do login.",
        ),
        (
            form_data("Tajne-Haslo-2026", "Nowe-Haslo\x00-2027"),
            "new_password1",
            "Znaki null są niedozwolone.",
        ),
        ({}, "old_password", "To pole jest wymagane."),
        ({"old_password": "Tajne-Haslo-2026"}, "new_password1", "To pole jest wymagane."),
    ],
)
def test_it_rejects_bad_input_and_changes_nothing(
    alice_client, alice, password, mailoutbox, data, field, message
):
    response = alice_client.post(URL, data)

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    page = response.content.decode()
    assert f'href="#id_{field}"' in page.split('data-testid="error-summary"', 1)[1]
    assert password_of(alice.user, password)
    assert mailoutbox == []
    assert not AuditEvent.objects.filter(kind="profile.password").exists()


def test_it_never_puts_typed_passwords_back_in_the_page(alice_client, password):
    response = alice_client.post(URL, form_data(password, confirm="Inne-Haslo-2027"))
    page = response.content.decode()
    assert password not in page
    assert NEW_PASSWORD not in page
    assert "Inne-Haslo-2027" not in page


def test_a_very_long_password_is_an_error_not_a_crash(alice_client, alice, password):
    response = alice_client.post(URL, form_data("x" * 100_000))
    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    assert password_of(alice.user, password)


# Throttling of wrong old passwords, like the login lockout.


@pytest.fixture
def limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = 15 / 60  # hours
    return 3


def test_it_locks_password_changes_after_repeated_wrong_old_passwords(
    alice_client, alice, password, limit
):
    for _ in range(limit - 1):
        assert alice_client.post(URL, form_data("Zle-Haslo-123")).status_code == 200

    response = alice_client.post(URL, form_data("Zle-Haslo-123"))

    assert response.status_code == 429
    assert (
        "Zbyt wiele błędnie wpisanych starych haseł. Dla Twojego bezpieczeństwa zmiana hasła "
        "jest wstrzymana na 15 minut. Spróbuj później." in response.content.decode()
    )
    assert AuditEvent.objects.filter(kind="profile.password_locked", account=alice).count() == 1


def test_while_locked_even_the_right_old_password_is_refused(
    alice_client, alice, password, limit, mailoutbox
):
    for _ in range(limit):
        alice_client.post(URL, form_data("Zle-Haslo-123"))

    response = alice_client.post(URL, form_data(password))

    assert response.status_code == 429
    assert password_of(alice.user, password)
    assert mailoutbox == []
    assert 'data-testid="lockout"' in alice_client.get(URL).content.decode()


def test_the_lock_is_per_user(alice_client, bob, password, limit):
    for _ in range(limit):
        alice_client.post(URL, form_data("Zle-Haslo-123"))

    bobs_browser = signed_in(bob.user, password)
    response = bobs_browser.post(URL, form_data(password))

    assert response.status_code == 302
    assert password_of(bob.user, NEW_PASSWORD)


def test_a_successful_change_resets_the_count(alice_client, alice, password, limit):
    for _ in range(limit - 1):
        alice_client.post(URL, form_data("Zle-Haslo-123"))
    alice_client.post(URL, form_data(password))

    for _ in range(limit - 1):
        assert alice_client.post(URL, form_data("Zle-Haslo-123")).status_code == 200


def test_the_lock_expires_by_itself(alice_client, alice, password, settings):
    settings.AXES_FAILURE_LIMIT = 1
    settings.AXES_COOLOFF_TIME = 1 / 3600  # one second
    # The lock is a cache key that lives for the cool-off; locmem checks expiry against its
    # module's clock, which the test moves on below (whatever CACHE_URL says).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert alice_client.post(URL, form_data("Zle-Haslo-123")).status_code == 429
    assert alice_client.post(URL, form_data(password)).status_code == 429

    # Two seconds on: the end of a lock that lasts one second, and of no longer one.
    later = time.time() + 2
    with mock.patch("django.core.cache.backends.locmem.time", mock.Mock(time=lambda: later)):
        assert alice_client.post(URL, form_data(password)).status_code == 302
    assert password_of(alice.user, NEW_PASSWORD)


# With the cache (Redis) down, wrong old passwords cannot be counted: changes fail closed.

# Nothing listens on port 1, so every cache call fails at once with "connection refused".
UNREACHABLE_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}


def test_with_the_cache_down_the_page_says_to_try_later(alice_client, alice):
    Account.objects.filter(pk=alice.pk).update(language="en")
    # Inside the test, not with the settings fixture: the cache is cleared after each test.
    with override_settings(CACHES=UNREACHABLE_CACHE):
        response = alice_client.get(URL)
    assert response.status_code == 503
    assert response["Retry-After"] == "120"
    assert (
        "Changing the password is not possible at the moment because of a technical problem. "
        "Try again in a few minutes." in response.content.decode()
    )


def test_with_the_cache_down_no_old_password_is_checked(alice_client, alice, password, mailoutbox):
    with override_settings(CACHES=UNREACHABLE_CACHE):
        wrong = alice_client.post(URL, form_data("Zle-Haslo-123"))
        right = alice_client.post(URL, form_data(password))
    for response in (wrong, right):
        assert response.status_code == 503
        assert 'data-testid="lockout"' in response.content.decode()
        # Whether the old password was right is not told: that is what the count protects.
        assert not response.context["form"].is_bound
    assert password_of(alice.user, password)
    assert mailoutbox == []


def test_a_cache_lost_after_the_check_still_gives_an_answer(
    alice_client, alice, password, mailoutbox
):
    # The cache answers the lock check, then fails: counting a wrong old password or clearing
    # the count after a right one must not turn into a server error.
    with (
        override_settings(CACHES=UNREACHABLE_CACHE),
        mock.patch.object(services, "password_change_locked", return_value=False),
    ):
        wrong = alice_client.post(URL, form_data("Zle-Haslo-123"))
        right = alice_client.post(URL, form_data(password))
    assert wrong.status_code == 503
    assert right.status_code == 302
    assert password_of(alice.user, NEW_PASSWORD)
    assert len(mailoutbox) == 1
