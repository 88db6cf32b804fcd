"""Konto's own failure pages (400, 403, 404, 500, CSRF failure) and the 503 of a database outage.

These pages are shown when something has already gone wrong, possibly because the database
is down, so they must never need it: they are rendered from a plain context, without the
request's context processors (no `user`, no `account`), on `base_error.html`, which uses
neither. The language is the one the request already chose (the account's, or the cookie's /
browser's, see accounts.middleware.AccountMiddleware and LocaleMiddleware) and is worked out
again from the cookie and Accept-Language when the failure came before that.
"""

from __future__ import annotations

import logging
import sys
import threading

from django.db import InterfaceError, OperationalError
from django.db.backends.signals import connection_created
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils import translation

logger = logging.getLogger("konto.errors")

# How long a browser (or a load balancer) is asked to wait before trying again in an outage.
RETRY_AFTER_SECONDS = 30

# The errors by which the database says it cannot be reached (connection refused, lost, closed).
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


def _render(request: HttpRequest, template_name: str, status: int) -> HttpResponse:
    language = getattr(request, "LANGUAGE_CODE", None) or translation.get_language_from_request(
        request
    )
    with translation.override(language):
        body = loader.render_to_string(template_name, {"status": status})
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, "400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, "403.html", 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, "404.html", 404)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW. The reason is for developers; Django logs it ("Forbidden (CSRF …)")."""
    return _render(request, "403_csrf.html", 403)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500, also for a database outage, which gets the 503 page instead.

    Django calls handler500 without the exception, but from inside its `except` block, so
    `sys.exc_info()` is the exception that got here.
    """
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_UNAVAILABLE):
        return database_unavailable(request, exception)
    try:
        return _render(request, "500.html", 500)
    except Exception:
        # The page that reports a failure must not fail itself (a missing static file in the
        # manifest, a broken template): say it in plain text rather than not at all.
        logger.exception("The 500 page could not be rendered")
        return HttpResponse("Server Error (500)\n", status=500, content_type="text/plain")


def database_unavailable(request: HttpRequest, exception: BaseException) -> HttpResponse:
    """The 503 page, with Retry-After, and one log line for this request (see _outage)."""
    first = _outage.begin()
    logger.error(
        "Database unavailable: %s %s (%s: %s)",
        request.method,
        _one_line(request.path),
        type(exception).__name__,
        _one_line(str(exception)),
        exc_info=exception if first else None,
    )
    try:
        response = _render(request, "503.html", 503)
    except Exception:
        response = HttpResponse(
            "Service Unavailable (503)\n", status=503, content_type="text/plain"
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # Logged above, in one line: stop Django's django.request logger from adding the full
    # traceback again for every request of the outage (it skips responses marked so).
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def _one_line(text: str) -> str:
    """The text's first line, shortened: one log line per request, whatever the path or the
    driver's message holds (a psycopg message runs over several lines)."""
    lines = text.strip().splitlines()
    return lines[0][:200] if lines else ""


class _Outage:
    """Whether this process is in a database outage: the full traceback is logged for its
    first failed request only. The outage ends when a connection to the database is made
    again, so the next outage's first failure is logged in full too.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()  # gthread workers: requests of one process in threads
        self._ongoing = False

    def begin(self) -> bool:
        """Note a failure; True if it is the first of this outage."""
        with self._lock:
            first = not self._ongoing
            self._ongoing = True
            return first

    def end(self) -> None:
        with self._lock:
            self._ongoing = False


_outage = _Outage()


@receiver(connection_created, dispatch_uid="konto.error_pages.outage_ends")
def _outage_ends(sender: object, **kwargs: object) -> None:
    # Registered when this module is imported, at the latest by the first failure that
    # reaches handler500: always before the outage it ends.
    _outage.end()
