"""The benches' URL conf: the portal's, plus bare views to compare its pages with — the same
server, middleware and settings, no work of their own.

- /bench/bare: a JSON answer, nothing read (bench/switch_api.py's floor);
- /bench/signed-in: a page for a signed-in customer that reads only what every customer page
  reads before its own work (the session, the user with the account), and renders one line
  (bench/pages.py's floor for customer pages).
"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path

from accounts.decorators import customer_required
from accounts.http import CustomerRequest


def bare(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"action": "ring"})


@customer_required
def signed_in(request: CustomerRequest) -> HttpResponse:
    return HttpResponse(f"{request.user.get_username()} {request.account.account_id}")


urlpatterns = [
    path("bench/bare", bare),
    path("bench/signed-in", signed_in),
    path("", include("konto.urls")),
]
