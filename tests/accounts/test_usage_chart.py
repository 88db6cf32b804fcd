from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.calls.cache import note_calls_changed
from accounts.models import CallRecord
from accounts.usage_chart import PLOT_HEIGHT, daily_usage, usage_chart
from tests import factories

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")
TODAY = date(2026, 3, 20)


@pytest.fixture
def new_yorker(alice):
    alice.time_zone = "America/New_York"
    alice.save()
    return alice


def _call(account, moment: datetime, charge: str = "0.00", **fields) -> CallRecord:
    return factories.make_call(account, started_at=moment, charge=Decimal(charge), **fields)


def test_it_counts_calls_and_charges_per_local_day_in_one_query(
    new_yorker, django_assert_num_queries
):
    _call(new_yorker, datetime(2026, 3, 19, 23, 59, tzinfo=NEW_YORK), "1.10")
    _call(new_yorker, datetime(2026, 3, 20, 0, 1, tzinfo=NEW_YORK), "0.25")
    _call(new_yorker, datetime(2026, 3, 20, 12, 0, tzinfo=NEW_YORK), "0.50")
    with django_assert_num_queries(1):
        usage = daily_usage(new_yorker, today=TODAY)
    by_day = {day.day: day for day in usage}
    assert by_day[date(2026, 3, 19)].calls == 1
    assert by_day[date(2026, 3, 19)].charges == Decimal("1.10")
    assert by_day[date(2026, 3, 20)].calls == 2
    assert by_day[date(2026, 3, 20)].charges == Decimal("0.75")


def test_it_covers_exactly_the_last_thirty_days_with_zeros_for_quiet_days(new_yorker):
    _call(new_yorker, datetime(2026, 2, 18, 23, 59, tzinfo=NEW_YORK))  # the day before the window
    _call(new_yorker, datetime(2026, 2, 19, 0, 0, tzinfo=NEW_YORK))  # the first day
    _call(new_yorker, datetime(2026, 3, 21, 0, 0, tzinfo=NEW_YORK))  # tomorrow
    usage = daily_usage(new_yorker, today=TODAY)
    assert len(usage) == 30
    assert usage[0].day == date(2026, 2, 19) and usage[-1].day == TODAY
    assert [day.calls for day in usage] == [1] + [0] * 29
    assert usage[5].charges == Decimal("0.00")


def test_it_counts_only_the_accounts_own_calls(alice, bob):
    moment = timezone.now()
    _call(alice, moment, "1.00")
    _call(bob, moment, "9.00")
    _call(bob, moment, "9.00")
    today = timezone.localdate(moment, timezone=alice.zone)
    usage = daily_usage(alice, today=today)
    assert usage[-1].calls == 1 and usage[-1].charges == Decimal("1.00")


def test_the_tallest_bar_fills_the_plot_and_a_quiet_day_has_no_height(new_yorker):
    _call(new_yorker, datetime(2026, 3, 18, 10, 0, tzinfo=NEW_YORK), "2.00")
    for _ in range(3):
        _call(new_yorker, datetime(2026, 3, 20, 10, 0, tzinfo=NEW_YORK), "0.10")
    chart = usage_chart(new_yorker, today=TODAY)
    calls = {bar.day: bar for bar in chart.calls.bars}
    assert chart.calls.top == 5  # 3 calls, on a round scale
    assert float(calls[TODAY].height) == pytest.approx(PLOT_HEIGHT * 3 / 5, abs=0.1)
    assert calls[date(2026, 3, 19)].height == "0.0"
    assert chart.calls.busiest.day == TODAY and chart.calls.total == 4
    assert chart.charges.top == Decimal("2.00") and chart.charges.total == Decimal("2.30")
    assert chart.charges.busiest.day == date(2026, 3, 18)
    charges = {bar.day: bar for bar in chart.charges.bars}
    assert float(charges[date(2026, 3, 18)].height) == pytest.approx(PLOT_HEIGHT)


def test_a_month_without_calls_still_draws_an_empty_chart(alice):
    chart = usage_chart(alice)
    assert chart.calls.total == 0 and chart.calls.busiest is None
    assert all(bar.height == "0.0" for bar in chart.calls.bars + chart.charges.bars)


def test_the_dashboard_shows_an_accessible_svg_chart_in_polish(alice_client, alice):
    _call(alice, timezone.now() - timedelta(minutes=5), "1.25")
    html = alice_client.get("/").content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'role="img"' in svg and 'aria-labelledby="usage-title usage-desc"' in svg
    assert "Połączenia i opłaty dziennie, ostatnie 30 dni" in svg  # <title>
    assert "Razem 1 połączenie." in svg and "Opłaty razem: 1,25 PLN." in svg  # <desc>
    assert "Połączenia dziennie" in svg and "Opłaty dziennie" in svg  # named panels
    assert "style=" not in svg and "<script" not in html  # strict CSP
    assert svg.count('class="konto-bar konto-bar-calls"') == 30
    # Charge bars are hatched, so the panels differ without colour.
    assert svg.count('class="konto-bar konto-bar-charges" fill="url(#konto-hatch)"') == 30
    # SVG numbers use a dot whatever the language (Polish would write "12,5").
    assert not re.search(r'(x|y|width|height)="\d+,\d', svg)


def test_the_dashboard_offers_the_numbers_as_a_table(alice_client, alice):
    _call(alice, timezone.now() - timedelta(minutes=5), "1.25")
    html = alice_client.get("/").content.decode()
    assert "<summary>Pokaż liczby w tabeli</summary>" in html
    table = html[html.index('data-testid="usage-table"') :]
    assert table.count('<th scope="row"') == 30
    assert "1,25 PLN" in table


def test_the_chart_speaks_english_to_english_accounts(alice_client, alice):
    alice.language = "en"
    alice.save()
    html = alice_client.get("/").content.decode()
    assert "Calls and charges per day, last 30 days" in html
    assert "0 calls in total." in html


def test_the_dashboards_query_count_stays_the_same_with_many_calls(
    alice_client, alice, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10) as few:
        alice_client.get("/")
    now = timezone.now()
    CallRecord.objects.bulk_create(
        [
            CallRecord(
                account=alice,
                source="bulk",
                source_id=str(n),
                started_at=now - timedelta(hours=n),
                caller="+48221234567",
                callee="+48501234567",
                direction="out",
                disposition="answered",
                charge=Decimal("0.10"),
            )
            for n in range(1000)
        ]
    )
    # A bulk write raises the version of the account's calls, as the importer's does.
    note_calls_changed([alice.pk])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = alice_client.get("/")
    assert response.status_code == 200
    first_day = timezone.localdate() - timedelta(days=29)
    since = datetime.combine(first_day, datetime.min.time(), tzinfo=alice.zone)
    in_window = CallRecord.objects.filter(account=alice, started_at__gte=since).count()
    assert 29 * 24 <= in_window <= 30 * 24
    assert f"Razem {in_window} połącze" in response.content.decode()
