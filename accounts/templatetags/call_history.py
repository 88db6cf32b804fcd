"""{% call_rows %}: the rows of the table of Spis połączeń.

A page of the history shows fifty calls of eight or nine cells. Written in the template
language, each cell (its phone-layout label, its value, its filter) went through Django's
variable lookups and escaping: 1,400 lookups, about half of the page's time (7 of 16 ms at 100k
calls; bench/pages.py). The same markup built here costs under a millisecond. The values are
formatted exactly as the template's filters format them (`date:"SHORT_DATETIME_FORMAT"` in the
current time zone, `default`, konto's `hms` and `money`) and escaped as autoescaping does.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any

from django import template
from django.core.cache import cache
from django.template.context import Context
from django.utils import formats, timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from accounts.calls.cache import TIMEOUT
from accounts.calls.history import COLUMN_TITLES
from accounts.models import Account, CallRecord
from accounts.models.calls import shown_choices
from accounts.templatetags.konto import empty_row, hms, money_format, time_writer

register = template.Library()

# Stand for the parts of "Block this number" that differ from row to row (the number) or from
# request to request (the CSRF token, the way back), while the rows are written once: escaping
# leaves them as they are, and no URL, token or text of the form can contain a NUL.
_NUMBER_MARK = "\x00number\x00"
_TOKEN_MARK = "\x00token\x00"
_RETURN_MARK = "\x00return\x00"


@register.simple_tag(takes_context=True)
def call_rows(
    context: Context, calls: Iterable[Any], account: Account, block: bool, key: str = ""
) -> SafeString:
    """The <tr> of each call (rows of accounts.calls.history.table_rows, or calls), or the
    "no data" row; with `block` (call screening on) a last cell offering to block the caller of
    an incoming call.

    With a `key` (accounts.calls.history.kept_page_key) the rows are written once and kept in
    the cache under it, with marks where each request's CSRF token and way back go; `calls`
    are then read only when the rows are written.
    """
    if not key:
        written = _written_rows(context, calls, account, block)
    else:
        written = cache.get(key)
        if written is None:
            written = _written_rows(context, calls, account, block)
            cache.set(key, written, TIMEOUT)
    if block:
        request = context["request"]
        written = written.replace(_TOKEN_MARK, escape(str(context.get("csrf_token", ""))))
        written = written.replace(_RETURN_MARK, escape(request.get_full_path()))
    return mark_safe(written)  # noqa: S308  # every value is escaped (_written_rows)


def _written_rows(context: Context, calls: Iterable[Any], account: Account, block: bool) -> str:
    labels = [escape(str(title)) for title in (*COLUMN_TITLES, _("Charge"))]
    anonymous = _("anonymous")
    block_form = _block_form(context) if block else ""
    # What the filters look up for every value, looked up once.
    zone = timezone.get_current_timezone()
    written_time = time_writer(formats.get_format("SHORT_DATETIME_FORMAT"))
    charge = money_format(account.currency)
    directions = shown_choices(CallRecord.Direction)
    dispositions = shown_choices(CallRecord.Disposition)
    rows = []
    for call in calls:
        started = written_time(call.started_at.astimezone(zone))
        direction = directions.get(call.direction, call.direction)
        disposition = dispositions.get(call.disposition, call.disposition)
        cells = (
            f'<td data-label="{labels[0]}" class="text-nowrap">{escape(started)}</td>'
            f'<td data-label="{labels[1]}">{escape(call.caller or anonymous)}</td>'
            f'<td data-label="{labels[2]}">{escape(call.callee)}</td>'
            f'<td data-label="{labels[3]}">{escape(direction)}</td>'
            f'<td data-label="{labels[4]}" class="konto-amount">{hms(call.duration)}</td>'
            f'<td data-label="{labels[5]}">{escape(disposition)}</td>'
            f'<td data-label="{labels[6]}">{escape(call.description)}</td>'
            f'<td data-label="{labels[7]}" class="konto-amount">'
            f"{escape(charge(call.charge))}</td>"
        )
        if block:
            offered = call.direction == CallRecord.Direction.INBOUND and call.caller
            form = block_form.replace(_NUMBER_MARK, escape(call.caller)) if offered else ""
            cells += f"<td>{form}</td>"
        rows.append(f"<tr>{cells}</tr>")
    if not rows:
        return str(empty_row(9 if block else 8))
    return "\n".join(rows)


def _block_form(context: Context) -> str:
    """_block_number.html (the one home of that form) rendered once for the page, with marks
    where each row's number, the request's CSRF token and its way back go."""
    assert context.template is not None  # a simple tag renders inside a template
    form = context.template.engine.get_template("_block_number.html")
    with context.push(number=_NUMBER_MARK, csrf_token=_TOKEN_MARK, return_to=_RETURN_MARK):
        return form.render(context)
