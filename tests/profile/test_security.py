"""Mój profil → Bezpieczeństwo (profile/security/): turning two-step verification on and
off, recovery codes, the signed-in sessions and the sign-in history."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import unquote

import pytest
from axes.models import AccessFailureLog, AccessLog
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuditEvent, SignedInSession
from accounts.security import sessions
from tests.factories import PASSWORD, totp_code

pytestmark = pytest.mark.django_db

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)


def signed_in_browser(account, agent: str = FIREFOX, address: str = "203.0.113.10") -> Client:
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=address)
    response = client.post("/login/", {"username": account.login, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()
    return client


def turn_on(client: Client, user) -> list[str]:
    client.get("/profile/security/two-step/on/")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/profile/security/two-step/on/", {"code": totp_code(device)})
    assert response.status_code == 200
    return re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())


def test_the_page_says_two_step_is_off_and_lists_this_session(alice):
    client = signed_in_browser(alice)
    page = client.get("/profile/security/").content.decode()
    assert 'data-testid="two-step-status"' in page
    assert "Turn on two-step verification" in page or "Włącz weryfikację dwuetapową" in page
    assert "Firefox 140, Linux" in page
    assert "203.0.113.10" in page
    assert page.count('name="session"') == 0  # this session cannot be ended from here


def test_the_sub_tab_is_marked(alice_client):
    page = alice_client.get("/profile/security/").content.decode()
    assert re.search(r'class="nav-link active" aria-current="page" href="/profile/security/"', page)


def test_turning_on_shows_a_qr_code_and_the_secret_then_asks_for_a_code(alice):
    client = signed_in_browser(alice)
    page = client.get("/profile/security/two-step/on/").content.decode()
    device = TOTPDevice.objects.get(user=alice.user, confirmed=False)
    assert "<svg" in page and "<script" not in page.split("<main", 1)[1].split("</main>")[0]
    secret = re.search(r'data-testid="secret">([A-Z2-7 ]+)<', page).group(1)
    from base64 import b32decode

    assert b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8)) == (
        device.bin_key
    )
    # Reloading keeps the same secret: an app that scanned it stays right.
    assert secret in client.get("/profile/security/two-step/on/").content.decode()
    assert TOTPDevice.objects.filter(user=alice.user).count() == 1


def test_a_wrong_first_code_leaves_two_step_off(alice):
    client = signed_in_browser(alice)
    client.get("/profile/security/two-step/on/")
    response = client.post("/profile/security/two-step/on/", {"code": "000000"})
    assert response.status_code == 200
    assert 'data-testid="error-summary"' in response.content.decode()
    assert not TOTPDevice.objects.filter(user=alice.user, confirmed=True).exists()


def test_turning_on_shows_ten_recovery_codes_once_audits_and_tells_the_customer(alice, mailoutbox):
    client = signed_in_browser(alice)
    codes = turn_on(client, alice.user)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert sorted(
        StaticToken.objects.filter(device__user=alice.user).values_list("token", flat=True)
    ) == sorted(codes)
    assert AuditEvent.objects.filter(kind="security.two_step_on", account=alice).exists()
    assert mailoutbox[-1].to == [alice.user.email]
    assert "Weryfikacja dwuetapowa jest włączona" in mailoutbox[-1].subject
    # This session counts as verified; the page now says it is on.
    assert "otp_device_id" in client.session
    page = client.get("/profile/security/").content.decode()
    assert "10" in page
    assert not re.findall(r"<code>[a-z2-7]{8}</code>", page)  # never shown again


def test_the_codes_download_as_a_text_file(alice):
    client = signed_in_browser(alice)
    client.get("/profile/security/two-step/on/")
    device = TOTPDevice.objects.get(user=alice.user)
    page = client.post("/profile/security/two-step/on/", {"code": totp_code(device)})
    href = re.search(
        r'href="data:text/plain;charset=utf-8,([^"]+)" download="([^"]+)"', page.content.decode()
    )
    text = unquote(href.group(1).replace("&amp;", "&"))
    assert href.group(2) == f"konto-recovery-codes-{alice.login}.txt"
    for code in StaticToken.objects.values_list("token", flat=True):
        assert code in text


def test_new_recovery_codes_need_the_password_and_replace_the_old(alice):
    client = signed_in_browser(alice)
    old = turn_on(client, alice.user)
    assert client.get("/profile/security/two-step/recovery-codes/").status_code == 200
    wrong = client.post("/profile/security/two-step/recovery-codes/", {"password": "nope"})
    assert 'data-testid="error-summary"' in wrong.content.decode()
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(old)
    response = client.post("/profile/security/two-step/recovery-codes/", {"password": PASSWORD})
    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(new)
    assert AuditEvent.objects.filter(kind="security.recovery_codes_new").exists()


def test_wrong_passwords_on_these_pages_are_limited(alice, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = signed_in_browser(alice)
    turn_on(client, alice.user)
    for _ in range(3):
        response = client.post("/profile/security/two-step/off/", {"password": "nope"})
    assert response.status_code == 429
    # Even the right password is refused while it is blocked.
    response = client.post("/profile/security/two-step/off/", {"password": PASSWORD})
    assert response.status_code == 429
    assert TOTPDevice.objects.filter(user=alice.user, confirmed=True).exists()


def test_turning_off_needs_the_password_audits_and_tells_the_customer(alice, mailoutbox):
    client = signed_in_browser(alice)
    turn_on(client, alice.user)
    response = client.post("/profile/security/two-step/off/", {"password": PASSWORD})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=alice.user).exists()
    assert not StaticToken.objects.exists()
    assert AuditEvent.objects.filter(kind="security.two_step_off", account=alice).exists()
    assert "wyłączona" in mailoutbox[-1].subject
    # The next sign-in needs only the password.
    again = Client()
    assert again.post("/login/", {"username": alice.login, "password": PASSWORD})["Location"] == "/"


def test_changes_are_post_only(alice_client):
    assert alice_client.get("/profile/security/sessions/end/").status_code == 405
    assert alice_client.get("/profile/security/sessions/end-others/").status_code == 405


def test_another_browser_is_listed_and_can_be_ended_signing_it_out(alice):
    first = signed_in_browser(alice, FIREFOX, "203.0.113.10")
    second = signed_in_browser(alice, IPHONE, "198.51.100.7")
    page = first.get("/profile/security/").content.decode()
    assert "Mobile Safari 17, iOS 17 (iPhone)" in page
    assert "198.51.100.7" in page
    handle = re.search(r'name="session" value="([0-9a-f]+)"', page).group(1)
    assert handle != second.cookies["sessionid"].value  # the page never shows a session key
    response = first.post("/profile/security/sessions/end/", {"session": handle})
    assert response.status_code == 302
    # The other browser is signed out on its next click; this one is not.
    assert second.get("/").status_code == 302
    assert first.get("/").status_code == 200
    event = AuditEvent.objects.get(kind="security.session_end")
    assert event.account == alice and "Mobile Safari" in event.message


def test_ending_a_session_of_another_account_is_404(alice, bob):
    mine = signed_in_browser(alice)
    theirs = signed_in_browser(bob, IPHONE)
    key = theirs.cookies["sessionid"].value
    for handle in [sessions.handle_of(key), key, "nonsense", ""]:
        assert mine.post("/profile/security/sessions/end/", {"session": handle}).status_code == 404
    assert theirs.get("/").status_code == 200


def test_signing_out_all_other_sessions_keeps_this_one(alice, bob):
    first = signed_in_browser(alice)
    others = [signed_in_browser(alice, IPHONE), signed_in_browser(alice, "curl/8.0")]
    bobs = signed_in_browser(bob)
    response = first.post("/profile/security/sessions/end-others/", follow=True)
    assert "Zakończono 2 inne sesje." in response.content.decode()
    assert all(other.get("/").status_code == 302 for other in others)
    assert first.get("/").status_code == 200
    assert bobs.get("/").status_code == 200


def test_expired_sessions_are_not_listed(alice):
    first = signed_in_browser(alice)
    signed_in_browser(alice, IPHONE)
    SignedInSession.objects.exclude(session_key=first.cookies["sessionid"].value).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    page = first.get("/profile/security/").content.decode()
    listed = page.split('data-testid="sessions"', 1)[1].split("</table>", 1)[0]
    assert "Mobile Safari" not in listed and "Firefox" in listed


def test_the_history_lists_sign_ins_and_failures_newest_first(alice):
    bad = Client(HTTP_USER_AGENT=IPHONE, REMOTE_ADDR="198.51.100.66")
    bad.post("/login/", {"username": alice.login.upper(), "password": "wrong"})
    client = signed_in_browser(alice)
    page = client.get("/profile/security/").content.decode()
    history = page.split('data-testid="history"', 1)[1]
    rows = re.findall(r"<tr>(.*?)</tr>", history, re.S)[1:]
    assert len(rows) == 2
    assert "203.0.113.10" in rows[0] and "Firefox" in rows[0]
    assert "198.51.100.66" in rows[1] and "Mobile Safari" in rows[1]
    assert "text-danger" in rows[1]


def test_the_history_shows_the_latest_fifty(alice):
    now = timezone.now()
    type(alice.user).objects.filter(pk=alice.user.pk).update(date_joined=now - timedelta(days=1))
    AccessFailureLog.objects.bulk_create(
        AccessFailureLog(
            username=alice.login,
            ip_address="198.51.100.66",
            user_agent="x",
            http_accept="",
            path_info="/login/",
            attempt_time=now - timedelta(minutes=i),
            locked_out=False,
        )
        for i in range(60)
    )
    AccessLog.objects.bulk_create(
        AccessLog(
            username=alice.login,
            ip_address="203.0.113.10",
            user_agent=FIREFOX,
            http_accept="",
            path_info="/login/",
            attempt_time=now - timedelta(minutes=i, seconds=30),
        )
        for i in range(60)
    )
    client = Client()
    client.force_login(alice.user)
    history = client.get("/profile/security/").content.decode().split('data-testid="history"', 1)[1]
    assert len(re.findall(r"<tr>", history)) == 1 + 50


def test_the_history_leaves_out_what_happened_to_the_login_before_this_user(alice):
    old = AccessLog.objects.create(
        username=alice.login,
        ip_address="192.0.2.99",
        user_agent="old",
        http_accept="",
        path_info="/login/",
    )
    # attempt_time is auto_now_add: moved back by an update.
    AccessLog.objects.filter(pk=old.pk).update(
        attempt_time=alice.user.date_joined - timedelta(days=1)
    )
    client = signed_in_browser(alice)
    assert "192.0.2.99" not in client.get("/profile/security/").content.decode()


def test_the_page_takes_a_bounded_number_of_queries(alice, django_assert_max_num_queries):
    clients = [signed_in_browser(alice) for _ in range(5)]
    with django_assert_max_num_queries(8):
        assert clients[0].get("/profile/security/").status_code == 200


@pytest.mark.parametrize(
    ("count", "polish"),
    [
        (1, "Zakończono 1 inną sesję."),
        (3, "Zakończono 3 inne sesje."),
        (5, "Zakończono 5 innych sesji."),
        (12, "Zakończono 12 innych sesji."),
        (22, "Zakończono 22 inne sesje."),
    ],
)
def test_the_count_of_ended_sessions_reads_right_in_polish(count, polish):
    with translation.override("pl"):
        message = ngettext(
            "%(count)d other session has been ended.",
            "%(count)d other sessions have been ended.",
            count,
        ) % {"count": count}
    assert message == polish
