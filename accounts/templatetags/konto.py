from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from functools import lru_cache

from django import template
from django.utils import dateformat, formats, numberformat
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts import crispy_field

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str = "") -> str:
    """12345.5 → "12 345,50 PLN" in Polish, "12,345.50 PLN" in English."""
    return money_format(currency)(amount)


def money_format(currency: str) -> Callable[[Decimal | None], str]:
    """`money` for many amounts in one currency: the active language's separators are looked up
    once rather than for every amount (a page of fifty calls, accounts.templatetags.call_history)."""
    lang = get_language()
    decimal_separator = formats.get_format("DECIMAL_SEPARATOR", lang)
    grouping = formats.get_format("NUMBER_GROUPING", lang)
    thousand_separator = formats.get_format("THOUSAND_SEPARATOR", lang)
    suffix = f" {currency}" if currency else ""

    def formatted(amount: Decimal | None) -> str:
        if amount is None:
            return ""
        text = numberformat.format(
            Decimal(amount),
            decimal_separator,
            2,
            grouping,
            thousand_separator,
            force_grouping=True,
            use_l10n=True,
        )
        return f"{text}{suffix}"

    return formatted


# Django's format characters that are plain numbers, as its DateFormat writes them. Both
# languages' SHORT_DATETIME_FORMAT ("d-m-Y  H:i", "m/d/Y H:i") use nothing else.
_NUMBERS = {
    "d": "{0.day:02d}",
    "m": "{0.month:02d}",
    "Y": "{0.year:04d}",
    "H": "{0.hour:02d}",
    "i": "{0.minute:02d}",
}


@lru_cache(maxsize=64)
def time_writer(date_format: str) -> Callable[[datetime], str]:
    """dateformat.format(moment, date_format) for many moments. A format of plain numbers
    (_NUMBERS) and punctuation becomes one str.format template: Django's formatter, which
    reads the format again for every moment, was half of writing fifty rows."""
    if all(c in _NUMBERS or not (c.isalpha() or c in "\\{}") for c in date_format):
        return "".join(_NUMBERS.get(c, c) for c in date_format).format
    return lambda moment: dateformat.format(moment, date_format)


@register.filter(expects_localtime=True, is_safe=False)
def short_datetime(moment: datetime | None) -> str:
    """What `date:"SHORT_DATETIME_FORMAT"` writes (in the current time zone, "" for nothing),
    in a sixth of its time: lists of sessions, sign-ins, messages and conferences write one or
    two in every row, and Django's filter costs ~30 µs each (accounts.templatetags.konto's
    time_writer)."""
    if moment in (None, ""):
        return ""
    try:
        return time_writer(formats.get_format("SHORT_DATETIME_FORMAT"))(moment)  # type: ignore[arg-type]
    except AttributeError:  # not a moment: as Django's filter
        return ""


@register.filter
def hms(seconds: int | None) -> str:
    """A duration in seconds as h:mm:ss (the way call lengths are read)."""
    seconds = int(seconds or 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


@register.filter
def weekday(moment: datetime | None) -> str:
    """The day of the week as it is written inside a sentence: "wtorek" in Polish (Django's
    Polish names are capitalised, as at the start of one), "Tuesday" in English."""
    if moment is None:
        return ""
    name = formats.date_format(moment, "l")
    return name.lower() if get_language() == "pl" else name


@register.simple_tag
def empty_row(colspan: int) -> SafeString:
    from django.utils.html import format_html

    return format_html(
        '<tr><td colspan="{}" class="text-body-secondary">{}</td></tr>',
        colspan,
        _("No data to display"),
    )


register.simple_tag(crispy_field.written_field, takes_context=True, name="written_field")
