from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts import audit
from accounts.forms import LoginForm
from accounts.language import remember_language


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
    request: HttpRequest, original_response=None, credentials=None
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


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the web interface language; for a customer it is saved in their settings."""
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("accounts:dashboard")
    response = HttpResponseRedirect(next_url)
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        return response
    account = request.account
    if account is not None and account.language != language:
        old = account.language
        account.language = language
        account.save(update_fields=["language", "updated_at"])
        audit.record("settings.language", account=account, request=request, old=old, new=language)
    translation.activate(language)
    return remember_language(response, language)
