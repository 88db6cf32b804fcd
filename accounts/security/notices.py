"""The e-mails that tell a user about their account's security, through the mail queue.

One template set (`emails/security_notice*`) says what happened, when, from which address
and browser, and what to do if it was not them.
"""

from __future__ import annotations

import logging
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from accounts import mail
from accounts.client_address import client_address
from accounts.security import browsers

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)


class Event(StrEnum):
    NEW_BROWSER = "new_browser"
    TWO_STEP_ON = "two_step_on"
    TWO_STEP_OFF = "two_step_off"
    TWO_STEP_RESET = "two_step_reset"
    RECOVERY_CODE_USED = "recovery_code_used"


def send(user: User, event: Event, *, request: HttpRequest, **extra: Any) -> None:
    """Queue the notice of `event` to the user's e-mail address, if they have one.

    Inside a transaction it is queued with it. A queue that cannot take it is logged, not
    raised: what happened has happened either way.
    """
    if not user.email:
        return
    account = getattr(user, "account", None)
    # The help desk's reset is not the customer's doing: their browser is not in the request.
    by_staff = event == Event.TWO_STEP_RESET
    context = {
        "event": event.value,
        "login": user.get_username(),
        "when": timezone.now(),
        "address": "" if by_staff else client_address(request) or "",
        "browser": "" if by_staff else browsers.describe(request.META.get("HTTP_USER_AGENT", "")),
        "security_url": _link(request, "profile:security"),
        "reset_url": _link(request, "password_reset"),
        **extra,
    }
    try:
        mail.send("security_notice", context, to=[user.email], account=account)
    except Exception:
        logger.exception("Could not queue the %s notice for %s", event, user.get_username())


def _link(request: HttpRequest, url_name: str) -> str:
    # A request made up in code (a test's or a script's force_login) has no host to link to.
    if "HTTP_HOST" in request.META or "SERVER_NAME" in request.META:
        return request.build_absolute_uri(reverse(url_name))
    return mail.portal_link(url_name)


def notice_new_browser(
    sender: object, request: HttpRequest | None, user: User, **kwargs: Any
) -> None:
    """On every sign-in (user_logged_in): tell the user when it is from a browser not seen before.

    "Seen" is a sign-in of this login with the same User-Agent in django-axes' AccessLog,
    before this request. A login's very first sign-in tells nothing: there is nothing yet it
    could differ from, and the welcome e-mail has just told the customer about the account.
    """
    if request is None or not user.email:
        return
    from axes.handlers.proxy import AxesProxyHandler
    from axes.models import AccessLog

    AxesProxyHandler.update_request(request)
    # What axes noted on the request: this attempt's time and its (shortened) User-Agent.
    noted: Any = request
    earlier = AccessLog.objects.filter(
        username=user.get_username(), attempt_time__lt=noted.axes_attempt_time
    )
    if not earlier.exists() or earlier.filter(user_agent=noted.axes_user_agent).exists():
        return
    send(user, Event.NEW_BROWSER, request=request)
