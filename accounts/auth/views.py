from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import ngettext

from accounts.auth.forms import LoginForm


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        # Operator staff have no customer pages: send them straight to the admin.
        user = self.request.user
        if user.is_staff and not hasattr(user, "account"):
            return reverse("admin:index")
        return super().get_default_redirect_url()


def login_locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """What django-axes shows instead of the login result while a login or address is locked."""
    minutes = max(1, round(settings.AXES_COOLOFF_TIME * 60))
    message = ngettext(
        "Too many failed sign-in attempts. For your security, signing in is blocked for "
        "%(minutes)d minute. Try again later or reset your password.",
        "Too many failed sign-in attempts. For your security, signing in is blocked for "
        "%(minutes)d minutes. Try again later or reset your password.",
        minutes,
    ) % {"minutes": minutes}
    form = LoginForm(request, initial={"username": (credentials or {}).get("username", "")})
    return render(
        request,
        "registration/login.html",
        {"form": form, "locked_out_message": message},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )
