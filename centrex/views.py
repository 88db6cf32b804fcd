"""IP Centrex views, one module per service (screening, voicemail); the tab's index is here."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_GET

from accounts.decorators import customer_required
from accounts.http import CustomerRequest


@require_GET
@customer_required
def index(request: CustomerRequest) -> HttpResponse:
    """The IP Centrex tab opens its first sub-tab, as in the seed."""
    return redirect("centrex:screening")
