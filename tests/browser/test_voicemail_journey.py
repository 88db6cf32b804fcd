"""Issue 7's "done when", in a real browser: the operator imports the spool, the customer opens
Poczta głosowa, plays a message and seeks in it, marks one heard, moves one to Old, deletes one."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as seen
from selenium.webdriver.support.ui import WebDriverWait

from centrex.voicemail.models import VoicemailMessage
from tests import factories
from tests.factories import enable_voicemail, wav_bytes, write_spool_message

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Load a message's player, seek to 2.5 s and report where it landed.
SEEK = """
const done = arguments[arguments.length - 1];
const audio = document.querySelector(`#message-${arguments[0]} audio`);
audio.addEventListener("error", () => done({error: audio.error && audio.error.code}));
audio.addEventListener("loadedmetadata", () => {
  audio.addEventListener("seeked", () => done({
    duration: audio.duration, time: audio.currentTime, seekable: audio.seekable.length
  }), {once: true});
  audio.currentTime = 2.5;
}, {once: true});
audio.preload = "auto";
audio.load();
"""


def _click(browser, selector: str) -> None:
    # Bootstrap scrolls smoothly: a click while the page still moves lands beside the button
    # (ElementClickInterceptedException). Jump it into view at once, then click.
    element = WebDriverWait(browser, 10).until(
        seen.element_to_be_clickable((By.CSS_SELECTOR, selector))
    )
    browser.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element
    )
    element.click()


def _wait_for_status(browser, text: str) -> None:
    # Read in the page, not through an element handle: the action's redirect replaces the
    # document while this waits, and Chromium then fails a handle of the old one with an
    # inspector error that WebDriverWait does not take for staleness.
    WebDriverWait(browser, 10).until(
        lambda driver: (
            text
            in driver.execute_script(
                "const alert = document.querySelector('main .alert');"
                "return alert ? alert.textContent : '';"
            )
        )
    )


def test_the_customer_plays_seeks_marks_moves_and_deletes(live_server, browser, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    alice = enable_voicemail(factories.make_account("telekonferencja_48223809888"))
    spool = tmp_path / "spool"
    write_spool_message(spool, "1001", "INBOX", 0, msg_id="a", audio=wav_bytes(seconds=4))
    write_spool_message(spool, "1001", "INBOX", 1, msg_id="b", callerid='"Ewa" <48601000001>')
    write_spool_message(spool, "1001", "Old", 0, msg_id="c", callerid='"Stara" <48601000002>')
    call_command("import_voicemail", str(spool), stdout=StringIO())
    assert VoicemailMessage.objects.filter(account=alice).count() == 3

    browser.get(f"{live_server.url}/login/")
    browser.find_element(By.NAME, "username").send_keys(alice.login)
    browser.find_element(By.NAME, "password").send_keys(factories.PASSWORD)
    _click(browser, "form[action='/login/'] button[type=submit]")
    WebDriverWait(browser, 10).until(seen.url_to_be(f"{live_server.url}/"))

    browser.get(f"{live_server.url}/centrex/voicemail/")
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "Poczta głosowa" in body and "2 nowe wiadomości" in body

    first = VoicemailMessage.objects.get(msg_id="a")
    browser.set_script_timeout(15)
    played = browser.execute_async_script(SEEK, first.pk)
    assert "error" not in played, played
    assert played["duration"] == pytest.approx(4, abs=0.1)
    assert played["time"] == pytest.approx(2.5, abs=0.1)
    assert played["seekable"] >= 1

    _click(browser, f"form[action='/centrex/voicemail/{first.pk}/heard/'] button")
    _wait_for_status(browser, "Wiadomość oznaczono jako odsłuchaną.")
    assert "1 nowa wiadomość" in browser.find_element(By.TAG_NAME, "body").text

    second = VoicemailMessage.objects.get(msg_id="b")
    _click(browser, f"form[action='/centrex/voicemail/{second.pk}/move-to-old/'] button")
    _wait_for_status(browser, "Wiadomość przeniesiono do folderu Stare.")
    old = browser.find_element(By.CSS_SELECTOR, "[data-testid=folder-Old]").text
    assert "Ewa" in old and "Stara" in old

    _click(browser, f"a[href='/centrex/voicemail/{first.pk}/delete/']")
    assert "Usunąć wiadomość?" in browser.find_element(By.TAG_NAME, "body").text
    _click(browser, f"form[action='/centrex/voicemail/{first.pk}/delete/'] button")
    _wait_for_status(browser, "Wiadomość została usunięta.")
    assert not VoicemailMessage.objects.filter(pk=first.pk).exists()
    assert len(browser.find_elements(By.CSS_SELECTOR, "[data-testid=message]")) == 2
    browser.set_window_size(1280, 1400)
    browser.save_screenshot(str(tmp_path / "voicemail.png"))
