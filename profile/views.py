from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts.decorators import customer_required
from accounts.http import CustomerRequest
from accounts.language import remember_language
from profile import services
from profile.forms import (
    VOIVODESHIPS,
    GeneralForm,
    ProfilePasswordChangeForm,
    SettingsForm,
)


@require_http_methods(["GET", "POST"])
@customer_required
def general(request: CustomerRequest) -> HttpResponse:
    account = request.account
    if request.method == "POST":
        form = GeneralForm(request.POST)
        if form.is_valid():
            services.save_profile(account, form.cleaned_data, request=request)
            messages.success(request, _("Your profile has been saved."))
            return redirect("profile:general")
    else:
        form = GeneralForm(initial=GeneralForm.initial_for(account))
    return render(request, "profile/general.html", {"form": form, "voivodeships": VOIVODESHIPS})


@require_http_methods(["GET", "POST"])
@never_cache  # the page can show the SIP password
@customer_required
def settings_page(request: CustomerRequest) -> HttpResponse:
    account = request.account
    if request.method == "POST":
        form = SettingsForm(request.POST, account=account)
        if form.is_valid():
            services.save_profile(account, form.cleaned_data, request=request)
            # The new language is the account's from the next request on (AccountMiddleware);
            # the confirmation below already speaks it.
            translation.activate(account.language)
            messages.success(request, _("Your settings have been saved."))
            return remember_language(redirect("profile:settings"), account.language)
    else:
        form = SettingsForm(initial=SettingsForm.initial_for(account), account=account)
    # The SIP password is in the page only when the customer asks to see it.
    show_sip = request.GET.get("show_sip") == "1"
    return render(
        request,
        "profile/settings.html",
        {
            "form": form,
            "show_sip": show_sip,
            "sip_password": account.sip_password if show_sip else "",
            # What a phone needs besides the login (the account ID) and the password.
            "sip_domain": settings.SIP_DOMAIN,
            "sip_proxy": settings.SIP_PROXY,
        },
    )


@require_http_methods(["GET", "POST"])
@never_cache
@customer_required
def sip_password(request: CustomerRequest) -> HttpResponse:
    """Generate a new SIP password: GET asks for confirmation, POST does it."""
    account = request.account
    if request.method == "POST":
        services.regenerate_sip_password(account, request=request)
        messages.success(
            request,
            _(
                "A new SIP password has been generated. Enter it in your phone or SIP client: "
                "the old one no longer works."
            ),
        )
        return redirect(reverse("profile:settings") + "?show_sip=1#sip-password")
    return render(request, "profile/sip_password.html")


def _locked_message() -> str:
    minutes = max(1, round(services.password_lockout_seconds() / 60))
    return ngettext(
        "Too many wrong old passwords. For your security, changing the password is blocked for "
        "%(minutes)d minute. Try again later.",
        "Too many wrong old passwords. For your security, changing the password is blocked for "
        "%(minutes)d minutes. Try again later.",
        minutes,
    ) % {"minutes": minutes}


def _password_locked(request: CustomerRequest) -> HttpResponse:
    # An empty form: nothing the customer typed is checked or kept while locked.
    form = ProfilePasswordChangeForm(request.user)
    return render(
        request,
        "profile/password.html",
        {"form": form, "locked_message": _locked_message()},
        status=429,
    )


# How long to tell a browser to wait while the cache is unreachable (a restart of Redis).
UNAVAILABLE_RETRY_SECONDS = 120


def _password_unavailable(request: CustomerRequest) -> HttpResponse:
    # Wrong old passwords cannot be counted, so none is checked (see profile/services.py).
    message = _(
        "Changing the password is not possible at the moment because of a technical problem. "
        "Try again in a few minutes. If you have forgotten your password, sign out and use "
        "“Forgot your password?”."
    )
    response = render(
        request,
        "profile/password.html",
        {"form": ProfilePasswordChangeForm(request.user), "locked_message": message},
        status=503,
    )
    response["Retry-After"] = str(UNAVAILABLE_RETRY_SECONDS)
    return response


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@customer_required
def password(request: CustomerRequest) -> HttpResponse:
    account = request.account
    user = request.user
    try:
        locked = services.password_change_locked(user.pk)
    except services.ThrottleUnavailable:
        return _password_unavailable(request)
    if request.method == "POST":
        if locked:
            # Refused before the old password is even checked, like a locked-out login.
            return _password_locked(request)
        form = ProfilePasswordChangeForm(user, request.POST)
        if form.is_valid():
            form.save()
            # This session stays signed in; every other session of the user carries the old
            # password's hash and is signed out on its next request.
            update_session_auth_hash(request, user)
            services.password_changed(account, request=request)
            messages.success(request, _("Your password has been changed."))
            return redirect("profile:password")
        wrong_old_password = form.has_error("old_password", "password_incorrect")
        try:
            if wrong_old_password and services.note_wrong_old_password(account, request=request):
                return _password_locked(request)
        except services.ThrottleUnavailable:
            return _password_unavailable(request)
    else:
        form = ProfilePasswordChangeForm(user)
    return render(
        request,
        "profile/password.html",
        {"form": form, "locked_message": _locked_message() if locked else ""},
    )
