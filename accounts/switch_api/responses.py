"""The switch API's answers: JSON by default, `name=value;` text for `?format=params`.

Kamailio here has no JSON module; it reads `action=ring;account=…;` with `{param.value,name}`.
Errors have the same status codes in both forms and say what was wrong in a few plain English
words (switches log them; no customer reads them).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse

PARAMS = "params"


def wants_params(request: HttpRequest) -> bool:
    return request.GET.get("format") == PARAMS


def params_text(data: Mapping[str, Any]) -> str:
    """{"action": "ring", "ring_seconds": None} → "action=ring;ring_seconds=;"."""

    def text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "1" if value else "0"
        # The separators cannot be escaped in Kamailio's params: they never reach the text.
        return str(value).replace(";", "").replace("=", "").replace("\n", "")

    return "".join(f"{name}={text(value)};" for name, value in data.items())


def answer(request: HttpRequest, data: Mapping[str, Any], status: int = 200) -> HttpResponse:
    if wants_params(request):
        return HttpResponse(
            params_text(data), status=status, content_type="text/plain; charset=utf-8"
        )
    return JsonResponse(dict(data), status=status)


def error(request: HttpRequest, status: int, message: str) -> HttpResponse:
    """{"error": message} (or `error=message;`) and nothing else."""
    return answer(request, {"error": message}, status=status)
