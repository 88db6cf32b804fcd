"""axe-core (WCAG 2.1 A and AA) on the customer's screens, in Polish and English, at a phone's
390 px and a desktop's 1280 px: no serious or critical violation, and no page wider than the
screen. axe-core comes from npm (`.ci/run` installs it into var/axe/; or set AXE_CORE_JS)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as seen
from selenium.webdriver.support.ui import WebDriverWait

from tests.factories import (
    PASSWORD,
    enable_screening,
    enable_voicemail,
    make_account,
    make_call,
    make_conference,
    make_message,
    make_rule,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(
    os.environ.get("AXE_CORE_JS")
    or Path(__file__).resolve().parents[2] / "var/axe/node_modules/axe-core/axe.min.js"
)
SCREENS = [
    "/",
    "/calls/",
    "/balance/",
    "/profile/",
    "/profile/settings/",
    "/profile/security/",
    "/centrex/screening/",
    "/centrex/voicemail/",
    "/centrex/conferences/",
    "/help/",
]
RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
  .then(result => done(result.violations
    .filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => v.id + ": " + v.nodes.map(n => n.target.join(" ")).join(", "))));
"""


@pytest.fixture
def axe_source():
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"axe-core must be installed in CI (see .ci/run): {AXE}")
        pytest.skip("axe-core is not installed: npm install --prefix var/axe axe-core@4")
    return AXE.read_text()


@pytest.mark.parametrize("language", ["pl", "en"])
def test_no_serious_violation_and_nothing_sideways_on_any_screen(
    live_server, browser, axe_source, language
):
    customer = make_account(
        "telekonferencja_48223809888", first_name="Alicja", last_name="Nowak", language=language
    )
    enable_screening(customer)
    enable_voicemail(customer)
    customer.conferences_enabled = True
    customer.save()
    make_rule(customer, "+48601765432")
    make_call(customer, caller="+48601765432", callee="+48223809888", direction="in")
    make_message(customer)
    make_conference(customer)

    browser.get(f"{live_server.url}/login/")
    browser.find_element(By.NAME, "username").send_keys(customer.login)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD, Keys.ENTER)
    WebDriverWait(browser, 10).until(seen.url_to_be(f"{live_server.url}/"))

    problems = []
    for width in (390, 1280):
        browser.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": width < 576},
        )
        for path in SCREENS:
            browser.get(live_server.url + path)
            browser.execute_script(axe_source)
            problems += [f"{width}px {path} {v}" for v in browser.execute_async_script(RUN_AXE)]
            if browser.execute_script(
                "return document.documentElement.scrollWidth > window.innerWidth"
            ):
                problems.append(f"{width}px {path} is wider than the screen")
    assert problems == []
