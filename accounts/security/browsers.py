"""A browser's name as a customer knows it ("Chrome 156, Linux"), from its User-Agent header."""

from __future__ import annotations

from functools import lru_cache

import ua_parser
from django.utils.translation import gettext as _


@lru_cache(maxsize=512)
def _parts(user_agent: str) -> tuple[str, str, str]:
    result = ua_parser.parse(user_agent)
    browser = os = device = ""
    if result.user_agent and result.user_agent.family != "Other":
        browser = " ".join(filter(None, [result.user_agent.family, result.user_agent.major]))
    if result.os and result.os.family != "Other":
        os = " ".join(filter(None, [result.os.family, result.os.major]))
    if result.device and result.device.family not in ("Other", "Spider"):
        device = result.device.family
    return browser, os, device


def describe(user_agent: str) -> str:
    """The browser, system and (for phones and tablets) device a User-Agent names."""
    if not user_agent:
        return _("Unknown browser")
    browser, os, device = _parts(user_agent)
    if not browser and not os:
        # Not a browser ua-parser knows (a script, a SIP client): its own words, shortened.
        return user_agent[:60]
    label = ", ".join(filter(None, [browser or _("Unknown browser"), os]))
    return f"{label} ({device})" if device and device not in label else label
