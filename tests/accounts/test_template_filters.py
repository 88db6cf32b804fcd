"""accounts/templatetags/konto.py, and the date formats the templates rely on."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.template import Context, Template
from django.utils import translation

from accounts.templatetags.konto import weekday

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
