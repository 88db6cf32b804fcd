"""A real headless Chromium (Debian's `chromium` + `chromium-driver`) driven by Selenium."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def chromium(profile_dir):
    """A headless Chromium with its own profile (cookies): one browser of one person."""
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        if os.environ.get("CI"):
            pytest.fail("Chromium and chromedriver must be installed in CI (see .ci/run)")
        pytest.skip("Chromium is not installed: apt-get install chromium chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        # No calls home: this machine's network is closed.
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,900",
        "--lang=pl",
        f"--user-data-dir={profile_dir}",
    ]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    driver.implicitly_wait(5)
    return driver


@pytest.fixture
def browser(tmp_path):
    driver = chromium(tmp_path / "chromium-profile")
    yield driver
    driver.quit()


@pytest.fixture
def second_browser(tmp_path):
    """Another browser (another computer, say), signed in or not on its own."""
    driver = chromium(tmp_path / "second-chromium-profile")
    yield driver
    driver.quit()
