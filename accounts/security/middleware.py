"""Staff open the admin only with two-step verification, and only through Konto's sign-in."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse

from accounts.security import two_step


class StaffTwoStepMiddleware:
    """Before any admin page: Konto's sign-in (with its "Kod" step), and two-step for staff.

    The admin's own login form would sign in with the password alone, so it sends to Konto's.
    A staff user whose session was not verified by a code is sent to set two-step
    verification up, or (if they have it, but this session predates it) to sign in again.
    The check reads only the session, so a verified admin request asks the database nothing.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        admin_root = reverse("admin:index")
        if not request.path.startswith(admin_root):
            return self.get_response(request)
        if request.path == reverse("admin:login"):
            target = request.GET.get("next") or admin_root
            return _redirect(reverse(settings.LOGIN_URL), target)
        user = request.user
        if (
            settings.STAFF_TWO_STEP_REQUIRED
            and user.is_authenticated
            and user.is_staff
            and request.path != reverse("admin:logout")
            and not two_step.session_verified(request)
        ):
            if two_step.is_enabled(user):
                logout(request)
                return _redirect(reverse(settings.LOGIN_URL), request.get_full_path())
            return _redirect(reverse("profile:two_step_enable"), request.get_full_path())
        return self.get_response(request)


def _redirect(url: str, next_url: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(f"{url}?{urlencode({'next': next_url})}")
