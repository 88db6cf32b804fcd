"""Typed requests for annotations (as healthchecks' hc/accounts/http.py), and where a form
posted from another page sends the browser back to.

At runtime every request is Django's HttpRequest; these classes only tell the type checker
which attributes the middleware and the decorators guarantee.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

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


def posted_next_url(request: HttpRequest) -> str:
    """The page to return to after a POST (its "next" field), or "" when it is not a page of
    this site.

    Only a path from the site's root is taken: another site's address would make the portal an
    open redirect, and a bare word such as "calls" would be taken by `redirect()` for the name
    of a URL pattern (NoReverseMatch, a 500) or by the browser for a path relative to the form.
    """
    url = request.POST.get("next", "")
    if url.startswith("/") and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return ""
