"""accounts/templatetags/konto.py, and the date formats the templates rely on."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import dateformat, formats, timezone, translation

from accounts.templatetags.konto import time_writer, weekday

TUESDAY_EVENING = datetime(2026, 12, 15, 23, 5, tzinfo=ZoneInfo("Europe/Warsaw"))


def render(text: str, language: str, **context: object) -> str:
    with translation.override(language):
        return Template("{% load konto %}" + text).render(Context(context))


def test_the_weekday_is_lowercase_inside_a_polish_sentence_and_capitalised_in_english():
    with translation.override("pl"):
        assert weekday(TUESDAY_EVENING) == "wtorek"
    with translation.override("en"):
        assert weekday(TUESDAY_EVENING) == "Tuesday"
    assert weekday(None) == ""


def test_english_times_use_the_24_hour_clock_as_polish_ones_do():
    text = '{{ t|time:"TIME_FORMAT" }} | {{ t|date:"DATETIME_FORMAT" }} | {{ t|date:"SHORT_DATETIME_FORMAT" }}'
    english = render(text, "en", t=TUESDAY_EVENING)
    assert english == "23:05 | Dec. 15, 2026, 23:05 | 12/15/2026 23:05"
    assert "p.m." not in english
    assert render('{{ t|time:"TIME_FORMAT" }}', "pl", t=TUESDAY_EVENING) == "23:05"


@pytest.mark.parametrize("language", ["pl", "en"])
@pytest.mark.parametrize(
    "date_format", ["SHORT_DATETIME_FORMAT", "N j, Y, H:i", r"d \d m", "{Y}-{m}", "Y-m-d P"]
)
def test_times_are_written_as_djangos_date_filter_writes_them(language, date_format):
    moments = [
        datetime(2026, 12, 3, 7, 5, tzinfo=ZoneInfo("America/New_York")),
        datetime(2026, 3, 29, 23, 59, tzinfo=ZoneInfo("Europe/Warsaw")),
        datetime(1, 1, 1, 0, 0),
        datetime(9999, 12, 31, 12, 0),
    ]
    with translation.override(language):
        written = formats.get_format(date_format) if date_format.isupper() else date_format
        write = time_writer(written)
        assert [write(m) for m in moments] == [dateformat.format(m, written) for m in moments]


@pytest.mark.parametrize("language", ["pl", "en"])
@pytest.mark.parametrize("zone", ["Europe/Warsaw", "America/New_York", "Asia/Kathmandu"])
def test_short_datetime_writes_what_the_date_filter_writes(language, zone):
    moments = [
        TUESDAY_EVENING,
        datetime(2026, 3, 29, 0, 59, tzinfo=ZoneInfo("UTC")),  # Warsaw's clocks go forward
        datetime(2026, 10, 25, 0, 30, tzinfo=ZoneInfo("UTC")),  # and back
        datetime(2026, 6, 1, 9, 7),  # naive: written as it is, by both
    ]
    ours = '{{ m|short_datetime }}|{{ m|short_datetime|default:"–" }}'
    django = '{{ m|date:"SHORT_DATETIME_FORMAT" }}|{{ m|date:"SHORT_DATETIME_FORMAT"|default:"–" }}'
    with timezone.override(zone):
        for moment in [*moments, None, "", "not a moment"]:
            assert render(ours, language, m=moment) == render(django, language, m=moment)
    assert render(ours, "pl", m=TUESDAY_EVENING).startswith("15-12-2026")
