"""What the switch API itself serves: its OpenAPI description, and JSON 404s for the rest.

The endpoints live in the apps that own their data (centrex: the routing decision and
voicemail PINs; conferences: access codes); konto/urls.py mounts them and these under
/switch/v1/.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse

from accounts.switch_api import responses
from accounts.switch_api.auth import switch_api_view

OPENAPI_FILE = Path(__file__).with_name("openapi.json")


@cache
def openapi_text() -> str:
    # Parsed once so that a broken file fails loudly at the first request, not in a client.
    return json.dumps(json.loads(OPENAPI_FILE.read_text(encoding="utf-8")), ensure_ascii=False)


def openapi(request: HttpRequest) -> HttpResponse:
    """The description is public: it holds no data, and switch integrators read it first."""
    if request.method not in ("GET", "HEAD"):
        response = responses.error(request, 405, "method not allowed")
        response["Allow"] = "GET, HEAD"
        return response
    return HttpResponse(openapi_text(), content_type="application/json")


@switch_api_view(methods=("GET", "POST", "PUT", "PATCH", "DELETE"))
def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Any other address under /switch/v1/: 401 without a token, else a JSON 404."""
    return responses.error(request, 404, "no such endpoint")
