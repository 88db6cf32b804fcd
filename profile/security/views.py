"""Mój profil → Bezpieczeństwo: two-step verification, signed-in sessions, sign-in history."""

from __future__ import annotations

import contextlib
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from accounts.auth.code_step import problem_message
from accounts.decorators import customer_required
from accounts.http import CustomerRequest
from accounts.models import User
from accounts.security import history, sessions, two_step
from profile import services
from profile.security.forms import FirstCodeForm, PasswordAgainForm


@require_http_methods(["GET"])
@customer_required
def security(request: CustomerRequest) -> HttpResponse:
    user = request.user
    enabled = two_step.is_enabled(user)
    return render(
        request,
        "profile/security.html",
        {
            "two_step_on": enabled,
            "codes_left": two_step.recovery_codes_left(user) if enabled else 0,
            "sessions": sessions.sessions_of(user, request.session.session_key),
            "history": history.sign_in_history(user),
        },
    )


def _next_url(request: HttpRequest) -> str:
    """Where staff were going when they were sent to set two-step verification up."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    # Customers come from Bezpieczeństwo; staff, who have no account, from the admin.
    return reverse("profile:security" if getattr(request, "account", None) else "admin:index")


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("code")
@never_cache  # the page holds the new secret
@login_required  # staff set it up here too: the admin requires it
def two_step_enable(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # login_required
    if two_step.is_enabled(user):
        messages.info(request, _("Two-step verification is already on."))
        return redirect(_next_url(request))
    form = FirstCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        check, codes = two_step.turn_on(user, form.cleaned_data["code"], request=request)
        if check.ok:
            messages.success(request, _("Two-step verification is on."))
            return _recovery_codes_page(request, codes, first=True)
        form.add_error("code", problem_message(check, setting_up=True))
    device = two_step.pending_device(user)
    return render(
        request,
        "profile/two_step_enable.html",
        {
            "form": form,
            "qr_svg": two_step.qr_svg(device, title=_("QR code for the authenticator app")),
            "secret": two_step.secret_text(device),
            # On a phone the QR code cannot be scanned by that phone: a link opens the app.
            "otpauth_url": device.config_url,
            "next": _next_url(request),
        },
    )


def _recovery_codes_page(request: HttpRequest, codes: list[str], *, first: bool) -> HttpResponse:
    login = request.user.get_username()
    text = "\n".join(
        [_("Konto recovery codes for the login %(login)s") % {"login": login}, "", *codes, ""]
    )
    return render(
        request,
        "profile/recovery_codes.html",
        {
            "codes": codes,
            "first": first,
            "download_href": "data:text/plain;charset=utf-8," + quote(text),
            "download_name": f"konto-recovery-codes-{login}.txt",
            "next": _next_url(request),
        },
    )


def _password_again(
    request: CustomerRequest, template: str
) -> tuple[PasswordAgainForm | None, HttpResponse | None]:
    """The password form of a confirming page, counted and locked like "Zmień hasło"'s.

    Returns (a valid form, None) to go ahead, or (None, the page to show instead).
    """
    try:
        locked = services.password_change_locked(request.user.pk)
    except services.ThrottleUnavailable:
        return None, _page_with_problem(
            request,
            template,
            _("This is not possible at the moment. Try again in a few minutes."),
            status=503,
        )
    if locked:
        return None, _page_with_problem(request, template, _locked(), status=429)
    form = PasswordAgainForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            services.clear_wrong_old_passwords(request.user.pk)
            return form, None
        if form.has_error("password", "password_incorrect"):
            with contextlib.suppress(services.ThrottleUnavailable):
                # Uncounted only while the cache is down; the next try is refused then.
                if services.note_wrong_old_password(request.account, request=request):
                    return None, _page_with_problem(request, template, _locked(), status=429)
    return None, render(request, template, {"form": form})


def _locked() -> str:
    return _(
        "Too many wrong passwords. For your security, this is blocked for a while. Try again later."
    )


def _page_with_problem(
    request: CustomerRequest, template: str, problem: str, *, status: int
) -> HttpResponse:
    form = PasswordAgainForm(user=request.user)
    return render(request, template, {"form": form, "problem": problem}, status=status)


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("password")
@never_cache
@customer_required
def recovery_codes(request: CustomerRequest) -> HttpResponse:
    if not two_step.is_enabled(request.user):
        return redirect("profile:security")
    form, page = _password_again(request, "profile/recovery_codes_confirm.html")
    if form is None:
        assert page is not None
        return page
    codes = two_step.new_recovery_codes(request.user, request=request)
    messages.success(request, _("New recovery codes have been made; the old ones no longer work."))
    return _recovery_codes_page(request, codes, first=False)


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("password")
@customer_required
def two_step_disable(request: CustomerRequest) -> HttpResponse:
    if not two_step.is_enabled(request.user):
        return redirect("profile:security")
    form, page = _password_again(request, "profile/two_step_disable.html")
    if form is None:
        assert page is not None
        return page
    two_step.turn_off(request.user, request=request)
    messages.success(
        request, _("Two-step verification is off. Signing in needs only your password.")
    )
    return redirect("profile:security")


@require_POST
@customer_required
def end_session(request: CustomerRequest) -> HttpResponse:
    if not sessions.end_session(request.user, request.POST.get("session", ""), request=request):
        raise Http404("No such session of this account")
    messages.success(request, _("The session has been ended: that browser is signed out."))
    return redirect(reverse("profile:security") + "#sessions")


@require_POST
@customer_required
def end_other_sessions(request: CustomerRequest) -> HttpResponse:
    ended = sessions.end_other_sessions(request.user, request=request)
    messages.success(
        request,
        ngettext(
            "%(count)d other session has been ended.",
            "%(count)d other sessions have been ended.",
            ended,
        )
        % {"count": ended},
    )
    return redirect(reverse("profile:security") + "#sessions")
