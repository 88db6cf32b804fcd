from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django import template
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def money(amount: Decimal | None, currency: str = "") -> str:
    """12345.5 → "12 345,50 PLN" in Polish, "12,345.50 PLN" in English."""
    if amount is None:
        return ""
    text = formats.number_format(Decimal(amount), 2, use_l10n=True, force_grouping=True)
    return f"{text} {currency}".strip()


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
def empty_row(colspan: int) -> str:
    from django.utils.html import format_html

    return format_html(
        '<tr><td colspan="{}" class="text-body-secondary">{}</td></tr>',
        colspan,
        _("No data to display"),
    )
