"""The session engine (accounts/security/sessions.py): sessions by user, with browser,
address and times, and no write on a page view but for "last active", now and then."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from accounts.models import SignedInSession
from accounts.security import browsers
from accounts.security.sessions import LAST_ACTIVE_RESOLUTION
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

AGENT = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"


def sign_in(account, **headers) -> Client:
    client = Client(HTTP_USER_AGENT=AGENT, REMOTE_ADDR="203.0.113.10", **headers)
    assert (
        client.post("/login/", {"username": account.login, "password": PASSWORD}).status_code == 302
    )
    return client


def row_of(client: Client) -> SignedInSession:
    return SignedInSession.objects.get(session_key=client.cookies["sessionid"].value)


def test_a_sign_in_records_user_browser_address_and_time(alice):
    before = timezone.now()
    row = row_of(sign_in(alice))
    assert row.user == alice.user
    assert row.user_agent == AGENT
    assert row.address == "203.0.113.10"
    assert before <= row.signed_in_at <= timezone.now()
    assert row.last_active_at >= row.signed_in_at


def test_a_session_before_sign_in_has_no_user(client):
    client.get("/login/")
    session = client.session
    session["anything"] = 1
    session.save()
    assert SignedInSession.objects.get(session_key=session.session_key).user is None


def test_a_page_view_writes_nothing(alice):
    client = sign_in(alice)
    with CaptureQueriesContext(connection) as queries:
        client.get("/profile/")
    assert not [q for q in queries if q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))]


def test_last_active_is_brought_up_to_date_once_it_is_old(alice):
    client = sign_in(alice)
    old = timezone.now() - LAST_ACTIVE_RESOLUTION - timedelta(seconds=1)
    SignedInSession.objects.filter(pk=row_of(client).pk).update(last_active_at=old)
    client.get("/profile/")
    assert row_of(client).last_active_at > old + timedelta(seconds=1)
    with CaptureQueriesContext(connection) as queries:
        client.get("/profile/")
    assert not [q for q in queries if q["sql"].lstrip().upper().startswith("UPDATE")]


def test_a_password_change_keeps_this_session_with_its_sign_in_time(alice):
    client = sign_in(alice)
    signed_in_at = row_of(client).signed_in_at
    other = sign_in(alice)
    response = client.post(
        "/profile/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Nowe-Haslo-Konta-2026",
            "new_password2": "Nowe-Haslo-Konta-2026",
        },
    )
    assert response.status_code == 302
    row = row_of(client)  # under a new key
    assert row.signed_in_at == signed_in_at and row.user_agent == AGENT
    assert client.get("/").status_code == 200
    # The other session is gone from the list at once, not only at its next request.
    assert not SignedInSession.objects.filter(session_key=other.cookies["sessionid"].value).exists()
    assert other.get("/").status_code == 302


def test_signing_out_deletes_the_session(alice):
    client = sign_in(alice)
    key = client.cookies["sessionid"].value
    client.post("/logout/")
    assert not SignedInSession.objects.filter(session_key=key).exists()


def test_clearsessions_removes_expired_sessions(alice):
    client = sign_in(alice)
    SignedInSession.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    call_command("clearsessions")
    assert not SignedInSession.objects.exists()
    assert client.get("/").status_code == 302


def test_deleting_a_user_deletes_their_sessions(alice):
    sign_in(alice)
    alice.user.delete()
    assert not SignedInSession.objects.exists()


@pytest.mark.parametrize(
    ("agent", "label"),
    [
        (AGENT, "Chrome 156, Windows 10"),
        (
            "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0",
            "Firefox 140, Linux",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/156.0.0.0 Mobile Safari/537.36",
            "Chrome Mobile 156, Android 14 (Pixel 8)",
        ),
        ("curl/8.5.0", "curl 8"),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15",
            "Safari 17, Mac OS X 10",
        ),
        ("", "Unknown browser"),
    ],
)
def test_browsers_are_named_as_people_know_them(agent, label):
    with translation.override("en"):
        assert browsers.describe(agent) == label


def test_a_password_reset_ends_every_session_of_the_login(alice):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    signed_in = sign_in(alice)
    alice.user.refresh_from_db()  # the sign-in set last_login, which the token covers
    uid = urlsafe_base64_encode(force_bytes(alice.user.pk))
    token = default_token_generator.make_token(alice.user)
    resetting = Client()
    form_url = resetting.get(f"/password-reset/{uid}/{token}/")["Location"]
    new = "Zupelnie-Nowe-Haslo-77"
    response = resetting.post(form_url, {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    assert not SignedInSession.objects.filter(user=alice.user).exists()
    assert signed_in.get("/").status_code == 302


def test_a_signed_in_page_reads_the_session_with_its_user_and_account_in_one_query(alice):
    client = sign_in(alice)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/balance/").status_code == 200
    session_queries = [q["sql"] for q in queries if "accounts_signedinsession" in q["sql"]]
    assert len(session_queries) == 1
    assert "accounts_user" in session_queries[0] and "accounts_account" in session_queries[0]
    assert not [q for q in queries if q["sql"].lstrip().startswith('SELECT "accounts_user"')]


def test_the_session_user_is_checked_as_django_checks_it(alice):
    # The user read with the session goes through the backend's and Django's checks: a user
    # made inactive, or whose password changed elsewhere, is signed out on the next request.
    client = sign_in(alice)
    alice.user.is_active = False
    alice.user.save()
    assert client.get("/balance/")["Location"].startswith("/login/")
    alice.user.is_active = True
    alice.user.save()
    client = sign_in(alice)
    alice.user.set_password("Another-password-2026!")
    alice.user.save()
    assert client.get("/balance/")["Location"].startswith("/login/")


def test_a_session_whose_user_was_deleted_signs_nobody_in(alice, bob):
    client = sign_in(alice)
    key = client.cookies["sessionid"].value
    # db_constraint=False: the row may outlive its user (SignedInSession.user).
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_account WHERE id = %s", [alice.pk])
        cursor.execute("DELETE FROM accounts_user WHERE id = %s", [alice.user.pk])
    assert SignedInSession.objects.filter(session_key=key).exists()
    assert client.get("/balance/")["Location"].startswith("/login/")


def test_djangos_step_that_the_session_engine_copies_is_unchanged():
    # SessionStore._get_session_from_db is Django's own, with the user joined: if Django's
    # changes (an upgrade), this fails, and ours must be compared with it again.
    import inspect

    from django.contrib.sessions.backends.db import SessionStore

    assert inspect.getsource(SessionStore._get_session_from_db) == (
        "    def _get_session_from_db(self):\n"
        "        try:\n"
        "            return self.model.objects.get(\n"
        "                session_key=self.session_key, expire_date__gt=timezone.now()\n"
        "            )\n"
        "        except (self.model.DoesNotExist, SuspiciousOperation) as e:\n"
        "            if isinstance(e, SuspiciousOperation):\n"
        '                logger = logging.getLogger("django.security.%s" % e.__class__.__name__)\n'
        "                logger.warning(str(e))\n"
        "            self._session_key = None\n"
    )
