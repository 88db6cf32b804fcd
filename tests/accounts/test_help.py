"""Pomoc: the manual with its table of contents, and a link from every screen to its section."""

from __future__ import annotations

import re

import pytest

from tests.factories import enable_screening, enable_voicemail

pytestmark = pytest.mark.django_db

SCREENS = [
    "/",
    "/calls/",
    "/balance/",
    "/profile/",
    "/profile/settings/",
    "/profile/password/",
    "/profile/security/",
    "/centrex/screening/",
    "/centrex/conferences/",
    "/centrex/voicemail/",
]


def anchors(html: str) -> set[str]:
    return set(re.findall(r'id="([^"]+)"', html))


@pytest.mark.parametrize("language", ["pl", "en"])
def test_the_manual_has_a_table_of_contents_of_its_sections(alice_client, alice, language):
    alice.language = language
    alice.save()
    html = alice_client.get("/help/").content.decode()
    contents = html.split('id="help-contents"', 1)[1].split("</nav>", 1)[0]
    linked = re.findall(r'href="#([^"]+)"', contents)
    sections = re.findall(r'<h[23][^>]* id="([^"]+)"', html)
    assert len(linked) >= 14
    assert set(linked) <= set(sections)
    # Every section of the manual (h2) is in the contents.
    assert set(re.findall(r'<h2 id="([^"]+)"', html)) - {"help-contents"} <= set(linked)


@pytest.mark.parametrize("language", ["pl", "en"])
@pytest.mark.parametrize("path", SCREENS)
def test_every_screen_links_to_its_section_of_the_manual(alice_client, alice, language, path):
    enable_screening(alice)
    enable_voicemail(alice)
    alice.language = language
    alice.save()
    page = alice_client.get(path).content.decode()
    found = re.search(r'<a href="/help/#([^"]+)" data-testid="help-link">([^<]+)</a>', page)
    assert found, path
    assert found.group(2) == ("Pomoc do tej strony" if language == "pl" else "Help for this page")
    assert found.group(1) in anchors(alice_client.get("/help/").content.decode())
