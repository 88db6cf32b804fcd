"""The web interface language: the customer's choice, saved on the account, and the cookie that
keeps it for the next visit (also before signing in, on the login page).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from accounts import audit
from accounts.models import Account


def save_language(account: Account, language: str, *, request: HttpRequest | None = None) -> bool:
    """Save the account's language from the header's switch; returns whether it changed.

    Recorded like any other change the customer makes to their settings ("profile.change").
    """
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"Not a language of the portal: {language!r}")
    changes = audit.apply_changes(account, {"language": language})
    if not changes:
        return False
    account.save(update_fields=["language", "updated_at"])
    audit.record("profile.change", account=account, request=request, fields=list(changes))
    return True


def remember_language(response: HttpResponse, language: str) -> HttpResponse:
    """Keep the chosen language for the next visit, also before signing in (the login page)."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )
    return response
