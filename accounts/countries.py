"""The countries an account's address may name: ISO 3166 (django-countries), Poland first.

One list for Mój profil, the help desk's account page and whatever else asks for a country.
"""

from __future__ import annotations

from django_countries import Countries

POLAND = "PL"


class _PolandFirst(Countries):
    # Most customers are in Poland: put it at the top of the list (the rest sorted by name in
    # the interface language, as django-countries does).
    first = [POLAND]


def country_choices() -> list[tuple[str, str]]:
    return [("", "—"), *_PolandFirst()]
