"""Typed requests for annotations (as healthchecks' hc/accounts/http.py).

At runtime every request is Django's HttpRequest; these classes only tell the type checker
which attributes the middleware and the decorators guarantee.
"""

from __future__ import annotations

from django.http import HttpRequest

from accounts.models import Account, User


class PortalRequest(HttpRequest):
    """Every request of the portal, after accounts.middleware.AccountMiddleware."""

    # The signed-in customer's account; None for visitors and operator staff.
    account: Account | None


class CustomerRequest(PortalRequest):
    """A signed-in customer's request: what views behind `customer_required` receive."""

    user: User
    account: Account


class StaffRequest(HttpRequest):
    """A request of the staff's admin: AdminSite.admin_view() lets only active staff in."""

    user: User
