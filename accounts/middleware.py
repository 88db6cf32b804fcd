from __future__ import annotations

import contextlib
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ObjectDoesNotExist
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.http import PortalRequest


class HealthCheckMiddleware:
    """Answer the load balancer's `/healthz` before host checks, sessions or HTTPS redirects.

    A probe comes by IP over plain HTTP, so it must not depend on ALLOWED_HOSTS or TLS; it
    checks that the database answers.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path != "/healthz":
            return self.get_response(request)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except Exception:  # any database failure means "unhealthy"
            return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
        return HttpResponse("ok\n", content_type="text/plain")


class AccountMiddleware:
    """Make the signed-in customer's account, language and time zone active for the request.

    Sets `request.account` (None for anonymous users and staff). A blocked account is signed
    out at once, whatever page it asks for.
    """

    def __init__(self, get_response: Callable[[PortalRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: PortalRequest) -> HttpResponseBase:
        request.account = None
        if request.user.is_authenticated:
            with contextlib.suppress(ObjectDoesNotExist):
                request.account = request.user.account
        account = request.account
        if account is not None and account.is_blocked:
            translation.activate(account.language)
            logout(request)
            request.account = None
            messages.error(
                request, _("Your account is blocked. Please contact your service provider.")
            )
            return redirect("login")
        if account is None:
            return self.get_response(request)

        translation.activate(account.language)
        request.LANGUAGE_CODE = account.language
        timezone.activate(account.zone)
        try:
            return self.get_response(request)
        finally:
            # Time zone activation is per thread and would leak into the next request.
            timezone.deactivate()


class NoStoreWhenSignedInMiddleware:
    """`Cache-Control: private, no-store` on every response to a signed-in request.

    Signed-in pages and downloads carry the customer's data (a conference's access codes,
    call history, voicemail audio): no browser cache, shared computer or proxy may keep them.
    A header that already forbids storing (Django's never_cache) is kept as it is.

    Placed after AccountMiddleware, which has already asked who the user is, so this asks the
    database nothing — also when the response is the failure page of a database outage.
    Static files (WhiteNoise) and /healthz are answered before it and keep their own headers.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if request.user.is_authenticated and "no-store" not in response.get("Cache-Control", ""):
            response["Cache-Control"] = "private, no-store"
        return response
