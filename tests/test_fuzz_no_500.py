"""No input gets a server error: every form and query parameter of the customer's pages, fuzzed.

What to fuzz is found, not listed: every page of the URL conf that a signed-in customer can
open (and the sign-in and reset pages for a visitor) is fetched once, and its forms are read
from the HTML (where each posts, with which method, the names of its fields and their values
and choices) together with the query parameters the view reads (recorded while it runs). Then
Hypothesis sends each form and each page hostile values: numbers past any limit, 1e999, NUL
bytes, very long text, odd Unicode, dates of year 1 and 9999, negative numbers, nothing at all,
mixed with the page's own values so that one bad field meets otherwise valid input. Every
answer must be below 500: a redirect, a page with the form's error, a 4xx.

The examples are derandomised, so the suite gives the same verdict on every run;
`HYPOTHESIS_PROFILE=explore` tries many more, different ones (a falsifying example is printed).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from typing import Any
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.http import QueryDict
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from accounts.models import CallRecord
from centrex.voicemail.models import VoicemailGreeting
from tests import factories

pytestmark = pytest.mark.django_db

hypothesis_settings.register_profile(
    "ci",
    max_examples=12,
    derandomize=True,
    deadline=None,  # a request's time varies with the machine; slowness is not what is tested
    database=None,  # nothing written into the working tree
    # The fixtures (a customer with data) and the catalogue of forms are made once per test,
    # not per example, on purpose: the examples share them, and a form that deletes something
    # gets it back (see _Portal.url).
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    # An example is dozens of requests: shrinking a failure would take minutes. The example is
    # reported as found; the explore profile shrinks it.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
hypothesis_settings.register_profile(
    "explore",
    parent=hypothesis_settings.get_profile("ci"),
    max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", 300)),
    derandomize=False,
    phases=list(Phase),
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# The values people, scripts and attackers send.
HOSTILE = [
    "",
    " ",
    "0",
    "-1",
    "-0",
    "2147483648",  # 2³¹, past a 32-bit integer column
    "9223372036854775808",  # 2⁶³, past a 64-bit one
    "-9223372036854775809",
    "9" * 5000,  # past the digits Python converts to int by default
    "1e999",
    "-1e999",
    "1e-999",
    "nan",
    "inf",
    "0x10",
    "1_000",
    "\x00",
    "a\x00b",
    "x" * 100_000,
    "0001-01-01",
    "9999-12-31",
    "0000-00-00",
    "2026-02-30",
    "-2026-01-01",
    "00:00",
    "23:59",
    "24:00",
    "99:99",
    "\u0663",  # an Arabic-Indic digit three, which int() reads as 3
    "١٢٣٤",
    "😀" * 50,
    "\u202e\u0644",
    "\ufeff",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%",
    "%00",
    "../../etc/passwd",
    "//evil.example/",
    "https://evil.example/",
    "calls",
    "+48221234567",
    "anonymous",
    "a@b.pl",
    "on",
    "first",
    "second",
    "up",
]
# Anything the browser can send; a lone surrogate cannot even be encoded, so it is left out.
TEXT = st.text(st.characters(codec="utf-8"), max_size=300)
VALUES = st.one_of(
    st.sampled_from(HOSTILE),
    st.integers().map(str),
    st.floats().map(str),
    st.dates(min_value=date(1, 1, 1)).map(str),
    st.times().map(lambda moment: moment.strftime("%H:%M")),
    TEXT,
)
# The staff's admin is not the customer's; signing out would end the session under test.
SKIPPED_NAMESPACES = {"admin"}
SIGNS_OUT = "logout"


# --- Reading the forms of a page ----------------------------------------------------------------


@dataclass
class Form:
    view: str  # the view name its action resolves to, e.g. "centrex:screening_block"
    method: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name → the page's own values


class _FormReader(HTMLParser):
    """The forms of a page: action, method, and each field with the values the page offers."""

    def __init__(self, page_path: str):
        super().__init__()
        self.page_path = page_path
        self.forms: list[tuple[str, str, dict[str, list[str]]]] = []
        self._current: dict[str, list[str]] | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form":
            self._current = {}
            action = attributes.get("action") or self.page_path
            self.forms.append((action, attributes.get("method", "get").upper(), self._current))
            return
        if self._current is None:
            return
        name = attributes.get("name")
        if tag == "select":
            self._select = name
        if not name and not (tag == "option" and self._select):
            return
        if tag in ("input", "button"):
            if attributes.get("type") == "file":
                return
            self._current.setdefault(name or "", []).append(attributes.get("value", ""))
        elif tag == "option" and self._select:
            self._current.setdefault(self._select, []).append(attributes.get("value", ""))
        elif tag in ("select", "textarea"):
            self._current.setdefault(name or "", [])
            if tag == "textarea":
                self._textarea = name

    def handle_data(self, data: str) -> None:
        if self._current is not None and self._textarea:
            self._current[self._textarea].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def forms_of(html: str, page_path: str) -> Iterator[Form]:
    reader = _FormReader(page_path)
    reader.feed(html)
    for action, method, fields in reader.forms:
        view = resolve(urlsplit(action).path).view_name
        fields.pop("csrfmiddlewaretoken", None)
        yield Form(view=view, method=method, fields=fields)


def _recording_reads(read: set[str]) -> AbstractContextManager[Any]:
    """Patch QueryDict so that the names a view asks for land in `read`."""
    get, getitem, contains, getlist = (
        QueryDict.get,
        QueryDict.__getitem__,
        QueryDict.__contains__,
        QueryDict.getlist,
    )

    def recorder(original: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(self: QueryDict, key: str, *args: Any, **kwargs: Any) -> Any:
            read.add(key)
            return original(self, key, *args, **kwargs)

        return wrapper

    return mock.patch.multiple(
        QueryDict,
        get=recorder(get),
        __getitem__=recorder(getitem),
        __contains__=recorder(contains),
        getlist=recorder(getlist),
    )


# --- The portal as the fuzzer sees it -------------------------------------------------------------


def _patterns(resolvers: list, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    """(view name, route) of every URL pattern, e.g. ("conferences:edit", "…/<int:pk>/edit/")."""
    for entry in resolvers:
        if isinstance(entry, URLResolver):
            if entry.namespace in SKIPPED_NAMESPACES:
                continue
            inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace or ""
            yield from _patterns(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield name, prefix + str(entry.pattern)


class _Portal:
    """The portal as one browser sees it. For a customer: every feature on, something on every
    page, and the objects that the pages with an id in their address are about (made again
    when a fuzzed form deleted one)."""

    def __init__(self, client: Client, account=None):
        self.client = client
        self.account = account
        # View names by how they start → how to make the object their <int:pk> names.
        self.objects: dict[str, Callable[[], Any]] = {}
        self._made: dict[str, Any] = {}
        if account is None:
            return
        factories.enable_screening(account)
        factories.enable_voicemail(account)
        factories.make_call(  # an incoming call from a number: "block this number" is offered
            account, caller="+48601234567", direction=CallRecord.Direction.INBOUND
        )
        factories.make_hunt_group(account)
        self.objects = {
            "centrex:screening_": lambda: factories.make_rule(account, "+4860%"),
            "centrex:voicemail_greeting": self._make_greeting,  # before the next one
            "centrex:voicemail_": lambda: factories.make_message(account),
            "conferences:": lambda: factories.make_conference(account),
        }
        self._made = {prefix: make() for prefix, make in self.objects.items()}
        factories.make_rule(account, "anonymous")  # with two rules, each can be moved

    def _make_greeting(self) -> VoicemailGreeting:
        greeting = VoicemailGreeting(
            account=self.account,
            kind=VoicemailGreeting.Kind.UNAVAIL,
            audio_size=len(factories.wav_bytes()),
            content_hash="f" * 64,
            recorded_at=datetime(2026, 11, 15, 9, 0, tzinfo=UTC),
        )
        greeting.audio.save("audio.wav", ContentFile(factories.wav_bytes()), save=False)
        greeting.save()
        return greeting

    def url(self, view: str) -> str:
        if "<int:pk>" not in ROUTES[view]:
            return reverse(view)
        prefix = next(p for p in self.objects if view.startswith(p))
        made = self._made.get(prefix)
        if made is None or not type(made).objects.filter(pk=made.pk).exists():
            made = self._made[prefix] = self.objects[prefix]()
        return reverse(view, kwargs={"pk": made.pk})


def _get(client: Client, url: str, data: dict | None = None):
    response = client.get(url, data or {})
    if response.streaming:
        response.getvalue()  # a download fails as it is sent, not before
    return response


@dataclass
class Catalogue:
    pages: dict[str, set[str]]  # view name → the query parameters it reads
    forms: list[Form]


def catalogue(portal: _Portal, views: list[str]) -> Catalogue:
    """Open every page once; note what it reads from the query string and the forms it has."""
    pages: dict[str, set[str]] = {}
    forms: dict[tuple[str, str], Form] = {}
    for view in views:
        url = portal.url(view)
        read: set[str] = set()
        with _recording_reads(read):
            response = _get(portal.client, url)
        assert response.status_code < 500, url
        if response.status_code == 405:  # POST only: fuzzed as the form of another page
            continue
        pages[view] = read
        if response.streaming or "html" not in response.get("Content-Type", ""):
            continue
        for form in forms_of(response.content.decode(), url):
            if form.view == SIGNS_OUT:
                continue
            known = forms.setdefault((form.view, form.method), form)
            for name, values in form.fields.items():
                offered = known.fields.setdefault(name, [])
                offered.extend(value for value in values if value not in offered)
    return Catalogue(pages=pages, forms=list(forms.values()))


def _fuzzed(fields: dict[str, list[str]], draw: Callable[[st.SearchStrategy], Any]) -> dict:
    """The form's fields, each with one of the page's own values or a hostile one (sometimes
    several values, sometimes left out)."""
    data: dict[str, Any] = {}
    for name, own in sorted(fields.items()):
        choices = [v for v in own if v] or [""]
        value = st.one_of(st.sampled_from(choices), VALUES)
        chosen = draw(st.one_of(value, st.lists(value, max_size=3), st.none()))
        if chosen is not None:
            data[name] = chosen
    return data


# Every view of the URL conf by name, with its route.
ROUTES = dict(_patterns(get_resolver().url_patterns))
# The customer's pages are those of the apps (namespaced); the visitor's, signing in and the
# request for a reset (the reset link's page needs a token the fuzzer cannot make up).
CUSTOMER_VIEWS = [view for view in ROUTES if ":" in view]
VISITOR_VIEWS = ["login", "password_reset"]


@pytest.fixture
def portal(alice_client, alice, settings, tmp_path) -> _Portal:
    settings.MEDIA_ROOT = tmp_path / "media"
    return _Portal(alice_client, alice)


def _post_and_get_every_form(portal: _Portal, found: Catalogue, draw) -> None:
    for form in found.forms:
        url = portal.url(form.view)
        data = _fuzzed(form.fields, draw)
        if form.method == "POST":
            response = portal.client.post(url, data)
        else:
            response = _get(portal.client, url, data)
        assert response.status_code < 500, (form.view, data)


# --- The tests ------------------------------------------------------------------------------------


def test_the_fuzzer_finds_the_forms_of_the_portal(portal):
    # If the discovery stopped finding forms, the tests below would pass by fuzzing nothing.
    found = catalogue(portal, CUSTOMER_VIEWS)
    views = {form.view for form in found.forms}
    for expected in [
        "accounts:calls",
        "accounts:set_language",
        "profile:general",
        "profile:settings",
        "profile:password",
        "centrex:screening_new",
        "centrex:screening_test",
        "centrex:screening_block",
        "centrex:screening_move",
        "centrex:voicemail_settings",
        "centrex:voicemail_heard",
        "conferences:new",
        "conferences:edit",
    ]:
        assert expected in views, expected
    assert {"page"} <= found.pages["accounts:balance_history"]
    assert {"date_from", "number", "page"} <= found.pages["accounts:calls"]
    assert "original" in found.pages["centrex:voicemail_download"]


def test_no_query_string_gets_a_server_error(portal):
    found = catalogue(portal, CUSTOMER_VIEWS)

    @given(st.data())
    def fuzz(data: st.DataObject) -> None:
        for view, read in found.pages.items():
            url = portal.url(view)
            params = _fuzzed({name: [] for name in read}, data.draw)
            response = _get(portal.client, url, params)
            assert response.status_code < 500, (url, params)

    fuzz()


def test_no_posted_form_gets_a_server_error(portal):
    found = catalogue(portal, CUSTOMER_VIEWS)

    @given(st.data())
    def fuzz(data: st.DataObject) -> None:
        _post_and_get_every_form(portal, found, data.draw)

    fuzz()


def test_no_form_of_a_visitor_gets_a_server_error(client, db):
    visitor = _Portal(client)
    found = catalogue(visitor, VISITOR_VIEWS)
    assert {form.view for form in found.forms} >= {"login", "password_reset"}

    @given(st.data())
    def fuzz(data: st.DataObject) -> None:
        _post_and_get_every_form(visitor, found, data.draw)

    fuzz()
