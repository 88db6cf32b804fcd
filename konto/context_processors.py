from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict:
    """What the page header needs on every customer page: the signed-in customer's account.

    Only reads what AccountMiddleware already set (None when it did not run) and never asks
    the database itself, so a page rendered while the database is down does not fail here.
    The failure pages (konto/error_pages.py) use no context processors at all.
    """
    return {
        "account": getattr(request, "account", None),
        "operator_name": settings.OPERATOR_NAME,
        "help_desk": {"phone": settings.HELP_DESK_PHONE, "email": settings.HELP_DESK_EMAIL},
    }
