"""The time zones a customer may choose: the tz database's own list, without its aliases.

The system's list (zoneinfo.available_timezones()) has about 600 names, a third of them old
spellings and links kept for compatibility: Africa/Asmera beside Africa/Asmara, Europe/Kiev
beside Europe/Kyiv, US/Eastern, Poland. The picker offers the zones of `zone.tab` — one per
country and region, what tz pickers of operating systems offer — plus UTC; an alias typed
into an import or kept from earlier is read as the zone it names (tzdata.zi's links).

Both files come with the tzdata package (the same data on every machine, whatever the
system has).
"""

from __future__ import annotations

from functools import cache, lru_cache
from importlib import resources
from typing import TYPE_CHECKING

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_countries.fields import Country

from accounts.widgets import PreparedChoices

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

UTC = "UTC"
# The zones behind UTC's own aliases (UCT, Universal, Zulu, GMT, Etc/GMT+0 …): the same clock.
_UTC_ZONES = frozenset({"Etc/UTC", "Etc/GMT"})


def _zoneinfo_file(name: str) -> list[str]:
    text = resources.files("tzdata.zoneinfo").joinpath(name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line and not line.startswith("#")]


@cache
def _zones_by_country() -> dict[str, tuple[str, ...]]:
    """{ISO 3166 code: its zones, in zone.tab's order (the most populous region first)}."""
    found: dict[str, list[str]] = {}
    for line in _zoneinfo_file("zone.tab"):
        code, _coordinates, name, *_comment = line.split("\t")
        found.setdefault(code, []).append(name)
    return {code: tuple(names) for code, names in found.items()}


@cache
def canonical_names() -> frozenset[str]:
    """Every zone a customer may choose."""
    names = {name for names in _zones_by_country().values() for name in names}
    return frozenset(names | {UTC})


@cache
def _links() -> dict[str, str]:
    """{alias: the zone it names}, from tzdata.zi's link lines ("L target alias")."""
    links = {}
    for line in _zoneinfo_file("tzdata.zi"):
        if line.startswith("L "):
            _l, target, alias = line.split()
            links[alias] = target
    return links


def canonical(name: str) -> str | None:
    """The zone a customer means by `name`: itself, the zone an alias names, or None."""
    seen = set()
    while name not in canonical_names():
        if name in _UTC_ZONES:
            return UTC
        if name in seen or name not in _links():
            return None
        seen.add(name)
        name = _links()[name]
    return name


def zones_of_country(code: str) -> tuple[str, ...]:
    """The zones of a country (ISO 3166 code), most populous region first; () if unknown."""
    return _zones_by_country().get((code or "").upper(), ())


# The zones most customers want, offered after their own country's.
COMMON_TIME_ZONES = (
    "Europe/Warsaw",
    UTC,
    "Europe/London",
    "Europe/Berlin",
    "Europe/Prague",
    "Europe/Vilnius",
    "Europe/Kyiv",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Asia/Tokyo",
)
AREAS = {
    "Africa": _("Africa"),
    "America": _("America"),
    "Antarctica": _("Antarctica"),
    "Arctic": _("Arctic"),
    "Asia": _("Asia"),
    "Atlantic": _("Atlantic Ocean"),
    "Australia": _("Australia"),
    "Europe": _("Europe"),
    "Indian": _("Indian Ocean"),
    "Pacific": _("Pacific Ocean"),
}

Choices = list[tuple["StrOrPromise", list[tuple[str, str]]]]


def grouped_choices(country: str = "") -> PreparedChoices:
    """The picker's groups for a plain <select>: the zones of the customer's country (ISO
    code) first, then the common ones, then every zone by area, UTC last; in the active
    language, made once per country and language."""
    return _grouped_choices(country.upper(), translation.get_language())


# About 45 kB a list once written (PreparedChoices): the 64 countries and languages seen most
# recently are kept, most customers being in a few countries.
@lru_cache(maxsize=64)
def _grouped_choices(country: str, language: str | None) -> PreparedChoices:
    # `language` keys the cache: the labels are translated (str()) into it, the active one.
    choices: Choices = []
    own = zones_of_country(country)
    if own:
        choices.append(
            (
                _("Your country (%(country)s)") % {"country": Country(code=country).name},
                [(name, name) for name in own],
            )
        )
    choices.append((_("Common time zones"), [(name, name) for name in COMMON_TIME_ZONES]))
    choices += [(AREAS[area], list(zones)) for area, zones in _zones_by_area().items()]
    choices.append((_("Other time zones"), [(UTC, UTC)]))
    return PreparedChoices((str(label), zones) for label, zones in choices)


@cache
def _zones_by_area() -> dict[str, tuple[tuple[str, str], ...]]:
    groups: dict[str, list[tuple[str, str]]] = {area: [] for area in AREAS}
    for name in sorted(canonical_names() - {UTC}):
        groups[name.split("/", 1)[0]].append((name, name))
    return {area: tuple(zones) for area, zones in groups.items() if zones}


def flat_choices() -> list[tuple[str, str]]:
    """Every zone, sorted: the model field's choices."""
    return [(name, name) for name in sorted(canonical_names())]
