"""GET /switch/v1/openapi.json: the switch API's description, and that it is the whole API."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.switch_api.views import not_found
from tests.factories import make_number

pytestmark = pytest.mark.django_db
URL = "/switch/v1/openapi.json"
PREFIX = "switch/v1/"


def served_paths() -> set[str]:
    """Every address under /switch/v1/ in the URL conf, as OpenAPI writes paths ("/route")."""
    found = set()
    for top in get_resolver().url_patterns:
        if not isinstance(top, URLResolver) or str(top.pattern) != PREFIX:
            continue
        for pattern in top.url_patterns:
            assert isinstance(pattern, URLPattern)
            if pattern.callback is not_found:  # the JSON 404 for every other address
                continue
            route = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern.pattern))
            found.add("/" + route)
    return found


def test_it_is_public_json(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json()["openapi"].startswith("3.1")


def test_it_describes_every_endpoint_and_no_other(client):
    described = set(client.get(URL).json()["paths"])
    assert served_paths() == described
    assert {"/route", "/conference-codes/{code}", "/voicemail/pin", "/openapi.json"} <= described


def test_every_endpoint_but_itself_needs_the_token(client):
    spec = client.get(URL).json()
    assert spec["components"]["securitySchemes"]["switchToken"]["scheme"] == "bearer"
    assert spec["security"] == [{"switchToken": []}]
    for path, operations in spec["paths"].items():
        for operation in operations.values():
            if path == "/openapi.json":
                assert operation["security"] == []
            else:
                assert "security" not in operation
                assert "401" in operation["responses"]


def test_each_described_method_is_the_one_served(client, switch_client):
    spec = client.get(URL).json()
    for path, operations in spec["paths"].items():
        url = "/switch/v1" + path.replace("{code}", "12345678")
        for method in ("get", "post"):
            response = getattr(switch_client, method)(url)
            if method in operations:
                assert response.status_code != 405, (method, path)
            else:
                assert response.status_code == 405, (method, path)


def test_the_route_answer_has_the_described_fields(client, switch_client, alice):
    make_number(alice, "48223809888")
    schema = client.get(URL).json()["components"]["schemas"]["Route"]
    body = switch_client.get("/switch/v1/route", {"to": "48223809888"}).json()
    assert set(body) == set(schema["properties"]) == set(schema["required"])
    assert body["action"] in schema["properties"]["action"]["enum"]


def test_post_is_405_in_json(client):
    response = client.post(URL)
    assert response.status_code == 405
    assert set(response.json()) == {"error"}
