"""The one door of the switch API: `switch_api_view`.

Every endpoint under /switch/v1/ is wrapped in it. It lets a request in only with
`Authorization: Bearer <token>` of an active SwitchToken — never with a customer's session or
anything else — and answers everything else itself, in JSON (or the `?format=params` text):

- no token, a wrong or a revoked one: 401 with `{"error": …}` and nothing else, before any
  other check, so that a stranger learns nothing (not even which methods a URL takes);
- a method the endpoint does not take: 405 with `Allow`;
- Http404 raised by the view: 404; a ValidationError: 400 with its first message (in
  English: the view runs with English active).

Switches post without CSRF tokens (no cookies, no browser): the views are csrf_exempt.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import cast

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt

from accounts.switch_api import responses
from accounts.switch_api.tokens import CheckedToken, check_token


class SwitchRequest(HttpRequest):
    """A request that passed the token check."""

    switch_token: CheckedToken


View = Callable[..., HttpResponse]


def bearer_token(request: HttpRequest) -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def switch_api_view(methods: Iterable[str] = ("GET",)) -> Callable[[View], View]:
    """Make `view` an endpoint of the switch API that accepts `methods` (see the module)."""
    allowed = [method.upper() for method in methods]

    def decorate(view: View) -> View:
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            token = check_token(bearer_token(request))
            if token is None:
                return _unauthorized(request)
            if request.method not in allowed:
                response = responses.error(request, 405, "method not allowed")
                response["Allow"] = ", ".join(allowed)
                return response
            switch_request = cast(SwitchRequest, request)
            switch_request.switch_token = token
            try:
                # Switches read English, whatever the portal's language.
                with translation.override("en"):
                    return view(switch_request, *args, **kwargs)
            except Http404:
                return responses.error(request, 404, "not found")
            except ValidationError as invalid:
                return responses.error(request, 400, invalid.messages[0])

        return wrapper

    return decorate


def _unauthorized(request: HttpRequest) -> HttpResponse:
    response = responses.error(request, 401, "a valid switch token is required")
    response["WWW-Authenticate"] = 'Bearer realm="konto-switch-api"'
    return response
