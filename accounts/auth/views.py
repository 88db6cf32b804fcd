from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from accounts.auth import code_step, lockout
from accounts.auth.forms import LoginForm
from accounts.auth.lockout_messages import lockout_message
from accounts.client_address import client_address
from accounts.security import sessions, two_step


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: LoginForm) -> HttpResponse:  # type: ignore[override]
        user = form.get_user()
        if two_step.is_enabled(user):
            # Not signed in yet: the "Kod" step signs in (accounts/auth/code_step.py).
            code_step.begin(self.request, user, next_url=self.get_success_url())
            return redirect("login_code")
        return super().form_valid(form)

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
        sessions.forget_sessions(form.user)  # signed out by the new password already
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
        response["Retry-After"] = str(lockout.seconds_left(state))
    return response
