from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from django import template
from django.utils import formats, numberformat
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
