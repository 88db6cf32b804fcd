"""The "Kod" step of signing in, for users with two-step verification.

The password step (LoginView) does not sign such a user in: it notes in the still anonymous
session who gave the right password, when, and where they were going. This step signs them
in once they give a code, within TWO_STEP_CODE_MINUTES. A wrong code is a failed sign-in of
the login under the lockout's rules, exactly as a wrong password: django-axes records it
(with this page's path, so the history can tell the two apart), and enough of them lock the
login from that address.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from accounts.auth import lockout
from accounts.auth.forms import SignInCodeForm
from accounts.auth.lockout_messages import lockout_message
from accounts.client_address import client_address
from accounts.models import User, login_key
from accounts.security import two_step

PENDING_KEY = "konto_two_step_pending"


@dataclass(frozen=True)
class PendingSignIn:
    user: User
    backend: str
    next_url: str


def begin(request: HttpRequest, user: User, *, next_url: str) -> None:
    """After the right password: remember who is signing in, until a code follows."""
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[-1]),
        "since": time.time(),
        "next": next_url,
    }


def _pending(request: HttpRequest) -> PendingSignIn | None:
    data = request.session.get(PENDING_KEY)
    if not isinstance(data, dict):
        return None
    if time.time() - data.get("since", 0) > settings.TWO_STEP_CODE_MINUTES * 60:
        del request.session[PENDING_KEY]
        return None
    user_id = data.get("user")
    user = (
        get_user_model()._default_manager.filter(pk=user_id, is_active=True).first()
        if isinstance(user_id, int)
        else None
    )
    if user is None:
        del request.session[PENDING_KEY]
        return None
    return PendingSignIn(user, data["backend"], data["next"])


PROBLEM_MESSAGES = {
    two_step.Problem.MALFORMED: gettext_lazy(
        "This is not a code. Enter the 6 digits your authenticator app shows, or a recovery code "
        "(8 letters and digits)."
    ),
    two_step.Problem.WRONG: gettext_lazy("This code is not right. Check it and try again."),
    two_step.Problem.REUSED: gettext_lazy(
        "This code has already been used. Wait until the app shows the next one and enter that."
    ),
    two_step.Problem.EXPIRED: gettext_lazy(
        "This code has expired. Enter the code the app shows now; if codes keep being refused, "
        "check that your phone sets its clock automatically."
    ),
}


def problem_message(check: two_step.CodeCheck, *, setting_up: bool = False) -> str:
    """What to tell the user about a refused code; `setting_up`: the first code of a new app."""
    assert check.problem is not None
    if setting_up and check.problem == two_step.Problem.MALFORMED:
        return _("This is not a code. Enter the 6 digits the app shows for Konto.")
    if check.recovery and check.problem == two_step.Problem.WRONG:
        return _(
            "This recovery code is not right, or it has been used: each recovery code works once."
        )
    return str(PROBLEM_MESSAGES[check.problem])


@require_http_methods(["GET", "POST"])
@sensitive_post_parameters("code")
@never_cache
def login_code(request: HttpRequest) -> HttpResponse:
    pending = _pending(request)
    if pending is None:
        messages.info(request, _("Your sign-in took too long or has not started. Sign in again."))
        return redirect(settings.LOGIN_URL)
    user = pending.user
    form = SignInCodeForm(request.POST or None)
    if request.method == "POST":
        state = lockout.current_lockout(login_key(user.get_username()), client_address(request))
        if state is not None:
            # Refused before the code is checked, as a password would be.
            response = render(
                request,
                "registration/login_code.html",
                {"form": SignInCodeForm(), "locked_out_message": lockout_message(state)},
                status=settings.AXES_HTTP_RESPONSE_CODE,
            )
            response["Retry-After"] = str(lockout.seconds_left(state))
            return response
        if form.is_valid():
            check = two_step.verify(user, form.cleaned_data["code"], request=request)
            if check.ok:
                return _sign_in(request, pending, check)
            form.add_error("code", problem_message(check))
        # A failed sign-in of the login, under the lockout's rules (see the module).
        user_login_failed.send(
            sender=__name__, credentials={"username": user.get_username()}, request=request
        )
    return render(request, "registration/login_code.html", {"form": form})


def _sign_in(
    request: HttpRequest, pending: PendingSignIn, check: two_step.CodeCheck
) -> HttpResponse:
    del request.session[PENDING_KEY]
    auth_login(request, pending.user, backend=pending.backend)
    assert check.device is not None
    two_step.mark_verified(request, check.device)
    if check.recovery:
        messages.warning(
            request,
            ngettext(
                "You signed in with a recovery code; %(count)d is left. Under My profile → "
                "Security you can make new ones.",
                "You signed in with a recovery code; %(count)d are left. Under My profile → "
                "Security you can make new ones.",
                check.codes_left,
            )
            % {"count": check.codes_left},
        )
    return redirect(pending.next_url)
