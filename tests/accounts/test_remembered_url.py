"""{% url %} in every template is accounts.templatetags.remembered_url's: the addresses Django's
tag writes, each worked out once per URL conf, script prefix and current application."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.http import HttpResponse
from django.template import Context, engines
from django.template.defaulttags import URLNode
from django.test import override_settings
from django.urls import NoReverseMatch, include, path, reverse, set_script_prefix

from accounts.templatetags import remembered_url


def _view(request):
    return HttpResponse()


_instance_patterns = ([path("item/<str:name>/", _view, name="item")], "shop")

# A URL conf of this test's own (override_settings(ROOT_URLCONF=__name__)): two instances of one
# application namespace, and a name the portal's URL conf uses for another address.
urlpatterns = [
    path("logout-moved/", _view, name="logout"),
    path("one/", include(_instance_patterns, namespace="one")),
    path("two/", include(_instance_patterns, namespace="two")),
]


def render(source: str, values: dict | None = None, request: object = None) -> str:
    context = Context(values or {})
    if request is not None:
        context.request = request  # type: ignore[attr-defined]  # as a RequestContext has it
    template = engines["django"].from_string(source)
    return template.template.render(context)  # type: ignore[attr-defined]  # the engine's own


@pytest.fixture
def reversals(monkeypatch):
    """The reverse() calls the tag makes, and an empty memory to begin with."""
    remembered_url._reversed.cache_clear()
    calls: list[str] = []

    def counted(view_name, *args, **kwargs):
        calls.append(view_name)
        return reverse(view_name, *args, **kwargs)

    monkeypatch.setattr(remembered_url, "reverse", counted)
    yield calls
    remembered_url._reversed.cache_clear()


def test_it_is_the_url_tag_of_every_template():
    template = engines["django"].from_string("{% url 'accounts:help' %}")
    (node,) = template.template.nodelist.get_nodes_by_type(URLNode)
    assert type(node) is remembered_url.RememberedURLNode


@pytest.mark.parametrize(
    ("source", "context", "name", "args", "kwargs"),
    [
        ("{% url 'accounts:help' %}", {}, "accounts:help", None, None),
        ("{% url 'logout' %}", {}, "logout", None, None),
        ("{% url name %}", {"name": "accounts:calls"}, "accounts:calls", None, None),
        (
            "{% url 'admin:accounts_account_change' pk %}",
            {"pk": 7},
            "admin:accounts_account_change",
            [7],
            None,
        ),
        (
            "{% url 'admin:accounts_account_change' object_id=pk %}",
            {"pk": "12"},
            "admin:accounts_account_change",
            None,
            {"object_id": "12"},
        ),
    ],
)
def test_it_writes_the_address_django_writes(reversals, source, context, name, args, kwargs):
    expected = reverse(name, args=args, kwargs=kwargs)
    assert render(source, context) == expected
    assert render(source, context) == expected
    assert len(reversals) == 1  # the second time from memory


def test_the_address_is_escaped_as_django_escapes_it(reversals):
    source = "{% url 'admin:accounts_account_change' pk %}"
    expected = reverse("admin:accounts_account_change", args=["a&b"])
    assert "&" in expected
    assert render(source, {"pk": "a&b"}) == expected.replace("&", "&amp;")
    off = "{% autoescape off %}" + source + "{% endautoescape %}"
    assert render(off, {"pk": "a&b"}) == expected
    assert len(reversals) == 1


def test_a_new_url_conf_gives_its_own_addresses(reversals):
    before = render("{% url 'logout' %}")
    with override_settings(ROOT_URLCONF=__name__):
        assert render("{% url 'logout' %}") == "/logout-moved/"
    assert render("{% url 'logout' %}") == before == reverse("logout")


def test_the_script_prefix_is_part_of_the_address(reversals):
    plain = render("{% url 'accounts:help' %}")
    set_script_prefix("/konto/")
    try:
        assert render("{% url 'accounts:help' %}") == "/konto" + plain
    finally:
        set_script_prefix("/")
    assert render("{% url 'accounts:help' %}") == plain


@override_settings(ROOT_URLCONF=__name__)
def test_the_current_application_picks_the_instance(reversals):
    def request_in(namespace: str) -> object:
        return SimpleNamespace(resolver_match=SimpleNamespace(namespace=namespace))

    source = "{% url 'shop:item' 'tea' %}"
    assert render(source, request=request_in("one")) == "/one/item/tea/"
    assert render(source, request=request_in("two")) == "/two/item/tea/"
    assert render(source, request=request_in("one")) == "/one/item/tea/"
    assert len(reversals) == 2


def test_an_object_argument_is_written_anew_each_time(reversals):
    """A model instance (or anything but a string or a number) is written by its str(), which
    may change: Django's tag writes it every time."""

    class Named:
        def __init__(self, name: str) -> None:
            self.name = name

        def __str__(self) -> str:
            return self.name

    item = Named("tea")
    source = "{% url 'admin:accounts_account_change' item %}"
    assert render(source, {"item": item}).endswith("/tea/change/")
    item.name = "coffee"
    assert render(source, {"item": item}).endswith("/coffee/change/")
    assert reversals == []  # Django's own tag, not the memory


def test_as_a_variable_and_unknown_names_behave_as_in_django(reversals):
    assert render("{% url 'no-such-page' as target %}[{{ target }}]") == "[]"
    assert render("{% url 'accounts:help' as target %}{{ target }}") == reverse("accounts:help")
    with pytest.raises(NoReverseMatch):
        render("{% url 'no-such-page' %}")
    with pytest.raises(NoReverseMatch):
        render("{% url 'no-such-page' %}")  # a failure is never remembered


# --- reversed_with_pk: the admin's links to each row's object -------------------------------------


@pytest.mark.parametrize("pk", [1, 7, 1234567890123, "a_2Fb", "zoë"])
def test_an_objects_address_is_djangos(reversals, pk):
    for name in ("admin:accounts_account_change", "admin:accounts_callrecord_change"):
        assert remembered_url.reversed_with_pk(name, pk, "admin") == reverse(
            name, args=(pk,), current_app="admin"
        )


def test_every_integer_key_shares_one_reversal(reversals):
    for pk in range(1, 51):
        remembered_url.reversed_with_pk("admin:accounts_account_change", pk)
    assert len(reversals) == 1
    set_script_prefix("/konto/")
    try:
        address = remembered_url.reversed_with_pk("admin:accounts_account_change", 5)
        assert address == "/konto/admin/accounts/account/5/change/"
    finally:
        set_script_prefix("/")
    assert len(reversals) == 2


@override_settings(ROOT_URLCONF=__name__)
def test_a_pattern_that_refuses_the_mark_is_reversed_as_it_is(reversals):
    # "<int:…>" would take it; a name with no key at all refuses any, as reverse() does.
    with pytest.raises(NoReverseMatch):
        remembered_url.reversed_with_pk("logout", 5)
    assert remembered_url.reversed_with_pk("one:item", 5) == "/one/item/5/"
