"""The bench's URL conf (bench/switch_api.py): the portal's, plus a bare JSON view to compare
the switch API's decision with — the same server, middleware and settings, no work at all."""

from django.http import HttpRequest, JsonResponse
from django.urls import include, path


def bare(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"action": "ring"})


urlpatterns = [
    path("bench/bare", bare),
    path("", include("konto.urls")),
]
