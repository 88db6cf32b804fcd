from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict:
    """What the page header needs on every customer page: the signed-in customer's account."""
    return {
        "account": getattr(request, "account", None),
        "operator_name": settings.OPERATOR_NAME,
    }
