from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.http import require_GET

from accounts.decorators import customer_required
from accounts.models import Account
from accounts.stats import usage_chart

RECENT_CALLS_ON_DASHBOARD = 10


@require_GET
@customer_required
def dashboard(request: HttpRequest) -> HttpResponse:
    account: Account = request.account
    recent_calls = list(account.calls.all()[:RECENT_CALLS_ON_DASHBOARD])
    hunt_groups = list(account.hunt_groups.order_by("name"))
    return render(
        request,
        "accounts/dashboard.html",
        {
            "recent_calls": recent_calls,
            "hunt_groups": hunt_groups,
            # One aggregate query, however many calls the account has.
            "chart": usage_chart(account),
        },
    )


@require_GET
@customer_required
def help_page(request: HttpRequest) -> HttpResponse:
    language = "en" if translation.get_language() == "en" else "pl"
    return render(request, f"accounts/help_{language}.html")
