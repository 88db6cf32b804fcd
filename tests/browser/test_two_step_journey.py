"""Two-step verification in real browsers, as the issue's "done when" tells it: a customer turns
it on with a phone app, signs in on another browser with password and code, sees that browser
among the sessions, ends it from the first, and the second is signed out on its next click.

The "phone" reads the QR code from a screenshot with zbar (Debian's zbarimg) and computes codes
with pyotp, an RFC 6238 implementation that is not django-otp's.
"""

from __future__ import annotations

import shutil
import subprocess
import time

import pyotp
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as seen
from selenium.webdriver.support.ui import WebDriverWait

from tests.factories import PASSWORD, make_account, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def scan_qr_code(browser, tmp_path) -> str:
    """What a phone's camera reads from the QR code on the page: the otpauth:// URL."""
    zbarimg = shutil.which("zbarimg")
    if zbarimg is None:
        pytest.skip("zbar is not installed: apt-get install zbar-tools")
    image = tmp_path / "qr.png"
    image.write_bytes(
        browser.find_element(By.CSS_SELECTOR, "[data-testid=qr] svg").screenshot_as_png
    )
    result = subprocess.run(
        [zbarimg, "--raw", "-q", str(image)], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def sign_in_with_password(browser, url: str, login: str) -> None:
    browser.get(f"{url}/login/")
    browser.find_element(By.NAME, "username").send_keys(login)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form[action='/login/'] button[type=submit]").click()


def test_turn_on_sign_in_elsewhere_with_a_code_and_end_that_session(
    live_server, browser, second_browser, tmp_path
):
    alice = make_account("telekonferencja_48223809888", first_name="Alicja", last_name="Nowak")
    url = live_server.url

    # The first browser turns two-step verification on, scanning the code with the "phone".
    sign_in_with_password(browser, url, alice.login)
    WebDriverWait(browser, 10).until(seen.url_to_be(f"{url}/"))
    browser.get(f"{url}/profile/security/")
    browser.find_element(By.LINK_TEXT, "Włącz weryfikację dwuetapową").click()
    otpauth = scan_qr_code(browser, tmp_path)
    phone = pyotp.parse_uri(otpauth)
    # The label is "Konto:<login>", its colon written %3A as the Key URI Format allows.
    assert phone.issuer == "Konto" and phone.name.endswith("telekonferencja_48223809888")
    assert phone.secret == browser.find_element(
        By.CSS_SELECTOR, "[data-testid=secret]"
    ).text.replace(" ", "")
    browser.find_element(By.NAME, "code").send_keys(phone.now(), Keys.ENTER)
    codes = browser.find_elements(By.CSS_SELECTOR, "[data-testid=recovery-codes] code")
    assert len(codes) == 10
    browser.find_element(By.LINK_TEXT, "Gotowe, kody są zapisane").click()
    status = browser.find_element(By.CSS_SELECTOR, "[data-testid=two-step-status]").text
    assert "Włączona" in status

    # The second browser: the password is not enough any more.
    sign_in_with_password(second_browser, url, alice.login)
    WebDriverWait(second_browser, 10).until(seen.url_to_be(f"{url}/login/code/"))
    # Not signed in yet, so in the language the browser asks for (English).
    assert "Two-step verification" in second_browser.find_element(By.TAG_NAME, "h1").text
    # The code the phone shows next: the current one was used above, and a code is good once.
    # The server takes the next period's code too (a tolerance of one period, as RFC 6238
    # recommends for clock drift), so the test need not wait for it.
    second_browser.find_element(By.NAME, "code").send_keys(phone.at(time.time() + 30), Keys.ENTER)
    WebDriverWait(second_browser, 10).until(seen.url_to_be(f"{url}/"))
    assert "Pulpit" in second_browser.find_element(By.TAG_NAME, "body").text

    # The first browser sees the second among the sessions, and ends it.
    browser.get(f"{url}/profile/security/")
    rows = browser.find_elements(By.CSS_SELECTOR, "[data-testid=sessions] tbody tr")
    assert len(rows) == 2
    assert "ta sesja" in rows[0].text
    other = rows[1]
    assert "Chrome" in other.text and "127.0.0.1" in other.text
    other.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    # Wait for the page the POST redirects to: until then "body" may be the old page's.
    WebDriverWait(browser, 10).until(seen.staleness_of(other))
    WebDriverWait(browser, 10).until(
        seen.text_to_be_present_in_element((By.TAG_NAME, "body"), "Sesja została zakończona")
    )
    assert len(browser.find_elements(By.CSS_SELECTOR, "[data-testid=sessions] tbody tr")) == 1

    # The second browser is signed out on its next click.
    second_browser.find_element(By.LINK_TEXT, "Mój profil").click()
    WebDriverWait(second_browser, 10).until(seen.url_contains("/login/"))
    assert second_browser.find_element(By.NAME, "password")
    # The first is still signed in.
    browser.get(f"{url}/")
    assert browser.current_url == f"{url}/"
    assert "Pulpit" in browser.find_element(By.TAG_NAME, "body").text


def test_staff_cannot_open_the_admin_before_setting_up_two_step(live_server, browser, tmp_path):
    staff = make_staff("helpdesk")
    url = live_server.url
    browser.get(f"{url}/admin/")
    WebDriverWait(browser, 10).until(seen.url_contains("/login/"))
    sign_in_with_password(browser, url, staff.username)
    WebDriverWait(browser, 10).until(seen.url_contains("/profile/security/two-step/on/"))
    browser.get(f"{url}/admin/accounts/account/")
    WebDriverWait(browser, 10).until(seen.url_contains("/profile/security/two-step/on/"))
    phone = pyotp.parse_uri(scan_qr_code(browser, tmp_path))
    browser.find_element(By.NAME, "code").send_keys(phone.now(), Keys.ENTER)
    browser.find_element(By.CSS_SELECTOR, "[data-testid=codes-saved]").click()
    WebDriverWait(browser, 10).until(seen.url_contains("/admin/accounts/account/"))
    assert "Konto" in browser.find_element(By.ID, "site-name").text
