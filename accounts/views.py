"""The pages of accounts that are no feature of their own: the Pulpit (dashboard), Pomoc (help)
and the header's language switch."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET, require_POST

from accounts.calls.cache import rendering_key
from accounts.calls.history import account_calls
from accounts.decorators import customer_required
from accounts.http import CustomerRequest, PortalRequest, posted_next_url
from accounts.language import remember_language, save_language
from accounts.models import HuntGroup, PhoneNumber
from accounts.sip.registrations import phones_of
from accounts.usage_chart import usage_chart

RECENT_CALLS_ON_DASHBOARD = 10


@require_GET
@customer_required
def dashboard(request: CustomerRequest) -> HttpResponse:
    account = request.account
    hunt_groups = HuntGroup.objects.of_member(account)
    # The account's telephone numbers (the first is the caller ID of its calls).
    numbers = PhoneNumber.objects.of_account(account)
    # Online while the proxy has a current registration of at least one phone (one query).
    phones = phones_of(account)
    return render(
        request,
        "accounts/dashboard.html",
        {
            # The recent calls and the chart are rendered once per change of the calls, day,
            # zone, currency and language (rendering_key); their queries run only then.
            "recent_calls": SimpleLazyObject(
                lambda: list(account_calls(account)[:RECENT_CALLS_ON_DASHBOARD])
            ),
            "hunt_groups": hunt_groups,
            "numbers": numbers,
            "phones": phones,
            "chart": SimpleLazyObject(lambda: usage_chart(account)),
            "calls_key": rendering_key(account),
        },
    )


@require_GET
@customer_required
def help_page(request: CustomerRequest) -> HttpResponse:
    language = "en" if translation.get_language() == "en" else "pl"
    return render(request, f"help/{language}.html")


@require_POST
def set_language(request: PortalRequest) -> HttpResponse:
    """Switch the web interface language; for a customer it is saved in their settings."""
    response = HttpResponseRedirect(posted_next_url(request) or reverse("accounts:dashboard"))
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        return response
    if request.account is not None:
        save_language(request.account, language, request=request)
    translation.activate(language)
    return remember_language(response, language)
