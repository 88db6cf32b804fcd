"""accounts.time_zones against the tz database's own files (tzdata's zone.tab, tzdata.zi)."""

from __future__ import annotations

import zoneinfo
from datetime import datetime

import pytest
from django.core.exceptions import ValidationError

from accounts import time_zones, validators


def test_every_zone_offered_is_a_zone_the_system_can_use():
    assert time_zones.canonical_names() <= zoneinfo.available_timezones()
    # One per country and region of zone.tab, plus UTC: about 420, not the system's 600.
    assert 400 < len(time_zones.canonical_names()) < 450


@pytest.mark.parametrize(
    ("alias", "zone"),
    [
        ("Europe/Kiev", "Europe/Kyiv"),
        ("Poland", "Europe/Warsaw"),
        ("US/Eastern", "America/New_York"),
        ("Etc/UTC", "UTC"),
        ("GMT", "UTC"),
        ("Europe/Warsaw", "Europe/Warsaw"),
    ],
)
def test_an_alias_is_read_as_the_zone_it_names(alias, zone):
    assert time_zones.canonical(alias) == zone
    assert validators.validate_time_zone(f" {alias} ") == zone


@pytest.mark.parametrize("name", ["Mars/Olympus", "", "localtime", "Factory", "EST5EDT"])
def test_what_is_no_zone_a_person_lives_in_is_refused(name):
    assert time_zones.canonical(name) is None
    with pytest.raises(ValidationError):
        validators.validate_time_zone(name)


def test_every_alias_of_the_system_resolves_or_is_a_technical_zone():
    for name in zoneinfo.available_timezones():
        zone = time_zones.canonical(name)
        if zone is None:
            assert name.startswith("Etc/GMT") or name in {
                "localtime",
                "Factory",
                "CST6CDT",
                "EST5EDT",
                "MST7MDT",
                "PST8PDT",
            }, name
        else:
            # The same clock: the alias and its zone agree on a summer and a winter day.
            for month in (1, 7):
                moment = datetime(2026, month, 15, 12)
                assert moment.replace(tzinfo=zoneinfo.ZoneInfo(name)).utcoffset() == (
                    moment.replace(tzinfo=zoneinfo.ZoneInfo(zone)).utcoffset()
                ), name


def test_a_countrys_zones_come_most_populous_first():
    assert time_zones.zones_of_country("pl") == ("Europe/Warsaw",)
    assert time_zones.zones_of_country("US")[0] == "America/New_York"
    assert time_zones.zones_of_country("") == ()
