"""The fixed cast of the test suite: a customer (alice), a stranger (bob), operator staff
(a help-desk employee, not a superuser), and the fixtures every folder shares."""

from __future__ import annotations

import logging
import signal

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings

from tests import factories

# The hashers the portal really uses (Argon2 first), kept for the tests that check hashing.
PRODUCTION_HASHERS = list(django_settings.PASSWORD_HASHERS)


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """Argon2 spends about 17 ms and 19 MiB on every password, on purpose; the suite
    creates thousands of users. Everywhere but the tests that ask for `argon2` (below), a
    fast hasher stands in: the behaviour under test is the same, only the cost differs.
    """
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture
def argon2(settings):
    """The production password hashers, for a test about how passwords are stored."""
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS
    return PRODUCTION_HASHERS


@pytest.fixture(autouse=True)
def _isolated(settings):
    # Each test starts with an empty cache and console-free e-mail (pytest-django's mailoutbox).
    settings.LANGUAGE_CODE = "pl"
    # Tasks (every e-mail) run as they are queued, so a test sees the mail in mail.outbox at
    # once; the tests of the queue itself ask for `task_queue`.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
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
    """An operator employee in the Help desk group: staff, not a superuser, with exactly the
    permissions the portal ships (accounts/help_desk.py). For the few tests that need more,
    pytest-django's `admin_client` / `admin_user` are a superuser."""
    return factories.make_staff()


@pytest.fixture
def staff_client(client, staff):
    """Signed in as `staff` with two-step verification, as the admin requires."""
    client.force_login(staff)
    factories.verify_two_step(client, staff)
    return client


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's superuser client, with two-step verification as the admin requires."""
    client.force_login(admin_user)
    factories.verify_two_step(client, admin_user)
    return client


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice.user)
    return client


@pytest.fixture
def password():
    return factories.PASSWORD


@pytest.fixture
def send_mail(django_capture_on_commit_callbacks):
    """E-mails go out once the transaction commits; run those callbacks in the test.

    Use as `with send_mail(): client.post(...)`.
    """

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


@pytest.fixture
def task_queue(settings, monkeypatch):
    """The database task queue of production: tasks (every e-mail) wait in it until the test
    calls `task_queue()`, which is `manage.py db_worker --batch` (run what is due, then exit).
    """
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    # The worker drops a database connection it finds inside a transaction; in a test, that
    # transaction is the test's own.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )

    def run_worker() -> None:
        # The worker takes over Ctrl+C and the log levels of the task loggers: give them back.
        signals = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]
        handlers = {number: signal.getsignal(number) for number in signals}
        loggers = [logging.getLogger(name) for name in ("django_tasks", "django_tasks_db")]
        levels = {logger: logger.level for logger in loggers}
        try:
            call_command(
                "db_worker", batch=True, reload=False, startup_delay=False, interval=0, verbosity=0
            )
        finally:
            for number, handler in handlers.items():
                signal.signal(number, handler)
            for logger, level in levels.items():
                logger.setLevel(level)

    return run_worker


@pytest.fixture
def switch_token(db):
    """(the stored SwitchToken, the token itself) of an active switch."""
    return factories.make_switch_token()


@pytest.fixture
def switch_client(client, switch_token):
    """A switch calling the switch API: every request carries its bearer token."""
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {switch_token[1]}"
    return client
