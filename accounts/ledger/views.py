"""Historia salda: the ledger that explains the balance, newest first."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.decorators import customer_required
from accounts.http import CustomerRequest
from accounts.models import BalanceEntry
from accounts.paging import IndexPaginator

BALANCE_ENTRIES_PER_PAGE = 50


@require_GET
@customer_required
def balance_history(request: CustomerRequest) -> HttpResponse:
    account = request.account
    entries = BalanceEntry.objects.filter(account=account).order_by("-created_at", "-id")
    # The ledger's count moves with the balance (Account.ledger_entries): no COUNT(*) per page.
    paginator = IndexPaginator(
        entries, BALANCE_ENTRIES_PER_PAGE, counted=lambda _entries: account.ledger_entries
    )
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "accounts/balance_history.html", {"page": page})
