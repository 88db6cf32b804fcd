"""{% balance_rows %} writes Historia salda's rows as the template it replaced wrote them: every
kind (and a code without words), amounts above, below and at zero, text to escape, in Polish
and English and in another time zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.template import Context, engines
from django.utils import timezone, translation

from accounts.ledger.services import change_balance
from accounts.models import BalanceEntry
from accounts.templatetags.balance_history import balance_rows

pytestmark = pytest.mark.django_db

# The rows as templates/accounts/balance_history.html wrote them before the tag.
REPLACED = """{% load i18n konto %}
{% translate "Date" as label_date %}{% translate "Kind" as label_kind %}{% translate "Description" as label_description %}{% translate "Amount" as label_amount %}{% translate "Balance after" as label_balance_after %}
{% for entry in page %}
  <tr>
    <td data-label="{{ label_date }}" class="text-nowrap">{{ entry.created_at|short_datetime }}</td>
    <td data-label="{{ label_kind }}">{{ entry.get_kind_display|capfirst }}</td>
    <td data-label="{{ label_description }}">{{ entry.description }}</td>
    <td data-label="{{ label_amount }}" class="konto-amount{% if entry.amount < 0 %} konto-negative{% endif %}">{% if entry.amount > 0 %}+{% endif %}{{ entry.amount|money:account.currency }}</td>
    <td data-label="{{ label_balance_after }}" class="konto-amount">{{ entry.balance_after|money:account.currency }}</td>
  </tr>
{% empty %}
  {% empty_row 5 %}
{% endfor %}"""


def _tags(html: str) -> str:
    """The markup without the whitespace between tags that the template's layout added."""
    return re.sub(r">\s+<", "><", html.strip())


def _replaced(entries, account) -> str:
    template = engines["django"].from_string(REPLACED)
    return template.template.render(Context({"page": entries, "account": account}))  # type: ignore[attr-defined]


@pytest.mark.parametrize("language", ["pl", "en"])
@pytest.mark.parametrize("zone", ["Europe/Warsaw", "America/St_Johns"])
def test_the_rows_are_the_replaced_templates(alice, language, zone):
    moment = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # the night Warsaw's clocks go forward
    for amount, kind, text in [
        ("100", "top_up", 'Przelew <z banku> & "ekspres"'),
        ("-0.12", "call_charge", "+48501234567"),
        ("5", "refund", ""),
        ("-1234567.5", "adjustment", "Korekta 'ręczna'"),
    ]:
        change_balance(alice, Decimal(amount), kind, text, at=moment)
    BalanceEntry.objects.create(
        account=alice, amount=Decimal("0"), balance_after=Decimal("1"), kind="gift", description="x"
    )
    entries = list(BalanceEntry.objects.filter(account=alice).order_by("-created_at", "-id"))
    with translation.override(language), timezone.override(zone):
        assert _tags(balance_rows(entries, alice)) == _tags(_replaced(entries, alice))


def test_no_entries_are_the_no_data_row(alice):
    with translation.override("pl"):
        assert _tags(balance_rows([], alice)) == _tags(_replaced([], alice))
