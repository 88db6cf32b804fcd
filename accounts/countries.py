"""The countries an account's address may name: ISO 3166 (django-countries), Poland first.

One list for Mój profil, the help desk's account page and whatever else asks for a country.
"""

from __future__ import annotations

from functools import cache

from django.utils import translation
from django_countries import Countries

from accounts.widgets import PreparedChoices

POLAND = "PL"


class _PolandFirst(Countries):
    # Most customers are in Poland: put it at the top of the list (the rest sorted by name in
    # the interface language, as django-countries does).
    first = [POLAND]


def country_choices() -> PreparedChoices:
    """The choices in the active language (the form fields call this for every form)."""
    return _choices_in(translation.get_language())


@cache
def _choices_in(language: str | None) -> PreparedChoices:
    # Translating and sorting 250 names took 3 ms of every page that shows the list; the
    # interface has two languages, so each list is made once per process.
    with translation.override(language):
        return PreparedChoices([("", "—"), *((code, str(name)) for code, name in _PolandFirst())])
