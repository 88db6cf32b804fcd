"""The newcomer's journey in a real browser: sign in as the demo account, read the dashboard in
Polish, switch to English, sign out."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as seen
from selenium.webdriver.support.ui import WebDriverWait

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def wait_for_heading_language(browser, language: str) -> str:
    """Wait until the new page has loaded in `language`; return its visible text."""
    WebDriverWait(browser, 10).until(
        seen.presence_of_element_located((By.CSS_SELECTOR, f"html[lang='{language}'] main"))
    )
    return browser.find_element(By.TAG_NAME, "body").text


def test_the_demo_customer_signs_in_switches_language_and_signs_out(live_server, browser, settings):
    settings.DEBUG = True  # the demo account loads only in development
    call_command("load_demo")
    settings.DEBUG = False

    browser.get(f"{live_server.url}/login/")
    assert "Customer Login" in browser.page_source  # the browser asks for English
    browser.find_element(By.NAME, "username").send_keys("telekonferencja_48223809888")
    browser.find_element(By.NAME, "password").send_keys("Demo-Konto-2026")
    browser.find_element(By.CSS_SELECTOR, "form[action='/login/'] button[type=submit]").click()
    WebDriverWait(browser, 10).until(seen.url_to_be(f"{live_server.url}/"))

    body = wait_for_heading_language(browser, "pl")
    assert "Pulpit" in body
    assert "ID Konta" in body
    assert "Saldo:" in body
    assert "telekonferencja_48223809888" in body

    browser.find_element(By.CSS_SELECTOR, "[data-testid=switch-language-en]").click()
    body = wait_for_heading_language(browser, "en")
    assert "Dashboard" in body
    assert "Account ID" in body

    browser.find_element(By.CSS_SELECTOR, "form[action='/logout/'] button").click()
    WebDriverWait(browser, 10).until(seen.url_to_be(f"{live_server.url}/login/"))
    assert "Customer Login" in browser.page_source
    assert "You have signed out." in browser.page_source
    browser.get(f"{live_server.url}/")
    assert "/login/" in browser.current_url
