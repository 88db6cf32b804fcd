"""Django's `{% url %}`, with each address worked out once per process.

Loaded into every template as a builtin (konto/settings.py, TEMPLATES): it takes the place of
Django's own tag, and writes the same address. A page writes about a dozen of them (the
header, the tabs, the help link), and Django's `reverse()` costs about 25 µs each: a third of
a millisecond on every page, for addresses that never change while the process runs.

An address is a function of what `reverse()` reads: the URL conf (its resolver, which Django
makes anew when the URL conf changes: clear_url_caches), the script prefix, the current
application (which picks among instances of a namespace), the view's name and its arguments.
All of these are the key. Only strings and integers are remembered as arguments: a model
instance is written by its `str()`, which may change while its identity does not. Anything
else, and `{% url … as name %}`, goes to Django's tag as it is.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import template
from django.template import Context
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch, get_resolver, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()

# Enough for every address of every page with room to spare; the admin's addresses with a
# primary key in them come and go in it.
REMEMBERED = 4096


class RememberedURLNode(URLNode):
    def render(self, context: Context) -> str:
        if self.asvar:
            return super().render(context)
        args = tuple(arg.resolve(context) for arg in self.args)
        kwargs = tuple(sorted((key, value.resolve(context)) for key, value in self.kwargs.items()))
        view_name = self.view_name.resolve(context)
        values = (*args, *(value for _key, value in kwargs))
        # (A name written in the template is a SafeString, a str.)
        if not isinstance(view_name, str) or not all(isinstance(v, str | int) for v in values):
            return super().render(context)
        url = _reversed(
            get_resolver(get_urlconf()),
            get_script_prefix(),
            _current_app(context),
            view_name,
            args,
            kwargs,
        )
        return conditional_escape(url) if context.autoescape else url


def _current_app(context: Context) -> str | None:
    # As URLNode.render picks it.
    request = getattr(context, "request", None)
    try:
        return request.current_app  # type: ignore[union-attr]
    except AttributeError:
        try:
            return request.resolver_match.namespace  # type: ignore[union-attr]
        except AttributeError:
            return None


@lru_cache(maxsize=REMEMBERED)
def _reversed(
    resolver: Any,
    prefix: str,
    current_app: str | None,
    view_name: str,
    args: tuple[str | int, ...],
    kwargs: tuple[tuple[str, str | int], ...],
) -> str:
    # `resolver` and `prefix` are in the key only; reverse() reads the same ones itself.
    return reverse(view_name, args=args, kwargs=dict(kwargs), current_app=current_app)


# Stands for the primary key in an address worked out once (no real key is this long).
_PK_MARK = 987_654_321_987_654_321


def reversed_with_pk(view_name: str, pk: Any, current_app: str | None = None) -> str:
    """reverse(view_name, args=(pk,), current_app=current_app), the address worked out once per
    process for every integer key: the admin's lists link each row's object (fifty reverse()
    calls a page). Any other key, or a pattern that refuses the mark, goes to reverse()."""
    if type(pk) is int:
        try:
            address = _reversed(
                get_resolver(get_urlconf()),
                get_script_prefix(),
                current_app,
                view_name,
                (_PK_MARK,),
                (),
            )
        except NoReverseMatch:
            pass
        else:
            return address.replace(str(_PK_MARK), str(pk))
    return reverse(view_name, args=(pk,), current_app=current_app)


@register.tag
def url(parser: template.base.Parser, token: template.base.Token) -> RememberedURLNode:
    node = django_url(parser, token)  # Django's parsing, and its errors
    return RememberedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
