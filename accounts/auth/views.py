from __future__ import annotations

import math
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext

from accounts.auth import lockout
from accounts.auth.forms import LoginForm
from accounts.client_address import client_address


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        # Operator staff have no customer pages: send them straight to the admin.
        user = self.request.user
        if user.is_staff and not hasattr(user, "account"):
            return reverse("admin:index")
        return super().get_default_redirect_url()


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's "choose a new password" step; setting it also lifts the login's lockout.

    Whoever can read the customer's mail is the customer: the failures counted against the
    login no longer stand between them and their account.
    """

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        lockout.clear_failures(
            form.user, kind="login.password_reset", actor=form.user, request=self.request
        )
        return response


def login_locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """What django-axes shows instead of the login result while a password may not be tried."""
    state = lockout.current_lockout(
        lockout.login_of_attempt(request, credentials), client_address(request)
    )
    form = LoginForm(request, initial={"username": (credentials or {}).get("username", "")})
    response = render(
        request,
        "registration/login.html",
        {"form": form, "locked_out_message": lockout_message(state)},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
    if state is not None:
        response["Retry-After"] = str(_seconds_left(state))
    return response


def lockout_message(state: lockout.Lockout | None) -> str:
    """What is true about a lockout: what it covers, when it ends, what lifts it."""
    if state is None:
        # It ended between the refusal and this page.
        return gettext("Too many failed sign-in attempts. Please try again.")
    seconds = _seconds_left(state)
    if state.scope == lockout.Scope.SLOWDOWN:
        return ngettext(
            "This login has had many failed sign-in attempts from several addresses, so each "
            "attempt has to wait a little. Try again in %(seconds)d second.",
            "This login has had many failed sign-in attempts from several addresses, so each "
            "attempt has to wait a little. Try again in %(seconds)d seconds.",
            seconds,
        ) % {"seconds": seconds}
    minutes = math.ceil(seconds / 60)
    values = {
        "address": state.address or "?",
        "time": formats.time_format(timezone.localtime(state.until), "TIME_FORMAT"),
        "minutes": minutes,
    }
    if state.scope == lockout.Scope.ADDRESS:
        message = ngettext(
            "Too many failed sign-in attempts from your address (%(address)s). Signing in "
            "from this address is blocked for every login until %(time)s (%(minutes)d "
            "minute). Signing in from other addresses is not affected.",
            "Too many failed sign-in attempts from your address (%(address)s). Signing in "
            "from this address is blocked for every login until %(time)s (%(minutes)d "
            "minutes). Signing in from other addresses is not affected.",
            minutes,
        )
    else:
        message = ngettext(
            "Too many failed sign-in attempts for this login from your address "
            "(%(address)s). Signing in to it from this address is blocked until %(time)s "
            "(%(minutes)d minute). Signing in from other addresses is not affected.",
            "Too many failed sign-in attempts for this login from your address "
            "(%(address)s). Signing in to it from this address is blocked until %(time)s "
            "(%(minutes)d minutes). Signing in from other addresses is not affected.",
            minutes,
        )
    message %= values
    if state.lifted_by_reset:
        message += " " + gettext(
            "Setting a new password with “%(link)s” lifts the block at once."
        ) % {"link": gettext("Forgot your password?")}
    return message


def _seconds_left(state: lockout.Lockout) -> int:
    return max(1, math.ceil((state.until - timezone.now()).total_seconds()))
