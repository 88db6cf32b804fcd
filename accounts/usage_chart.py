"""The dashboard's usage chart: calls and charges per day over the last 30 days, counted in the
account's time zone, and the geometry of the SVG bars that show them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Case, Count, DecimalField, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.calls.cache import remembered
from accounts.calls.history import local_midnight
from accounts.models import MONEY, Account, CallRecord

CHART_DAYS = 30

# SVG user units (the chart scales to the width of its box). Each of the two panels is a title
# line, the plot area and a line of day labels.
WIDTH = 720
LEFT = 86  # room for the scale labels ("1 234,56 PLN")
RIGHT = 8
PANEL_TITLE = 36
PLOT_HEIGHT = 110
DAY_LABELS = 26
PANEL_HEIGHT = PANEL_TITLE + PLOT_HEIGHT + DAY_LABELS
HEIGHT = 2 * PANEL_HEIGHT
LABEL_EVERY = 7  # days between labels on the day axis, counted back from today


@dataclass(frozen=True)
class DayUsage:
    day: date
    calls: int
    charges: Decimal


@dataclass(frozen=True)
class Bar:
    """One day's bar; coordinates are strings with a dot, ready for SVG attributes."""

    day: date
    value: int | Decimal
    x: str
    y: str
    width: str
    height: str
    label_x: str
    labelled: bool  # whether the day axis names this day


@dataclass(frozen=True)
class Panel:
    bars: list[Bar]
    top: int | Decimal  # the value at the top of the scale
    total: int | Decimal
    busiest: Bar | None  # the day with the highest value (None when all are zero)
    title_y: str
    plot_top: str
    baseline: str
    day_label_y: str
    scale_x: str


@dataclass(frozen=True)
class UsageChart:
    days: list[DayUsage]
    first_day: date
    last_day: date
    calls: Panel
    charges: Panel
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT

    @property
    def panels(self) -> list[tuple[Panel, str]]:
        return [(self.calls, "calls"), (self.charges, "charges")]


def daily_usage(account: Account, *, today: date | None = None) -> list[DayUsage]:
    """Calls and charges of each of the last CHART_DAYS days (today included), oldest first.

    One query, cached until the account's calls change (accounts.calls.cache): the database
    sorts each call into its local day by comparing its start with the days' local midnights,
    computed here (a CASE of plain comparisons: no time-zone arithmetic per row, and on SQLite
    no Python function called for every call); days without calls are filled with zeros.
    """
    today = today or timezone.localdate(timezone=account.zone)
    first_day = today - timedelta(days=CHART_DAYS - 1)
    midnights = [
        local_midnight(first_day + timedelta(days=offset), account)
        for offset in range(CHART_DAYS + 1)
    ]

    def count() -> list[DayUsage]:
        day_index = Case(
            *(
                When(started_at__lt=midnights[offset + 1], then=Value(offset))
                for offset in range(CHART_DAYS)
            ),
            output_field=IntegerField(),
        )
        rows = (
            CallRecord.objects.filter(
                account=account, started_at__gte=midnights[0], started_at__lt=midnights[-1]
            )
            .annotate(day_index=day_index)
            .values("day_index")
            .annotate(
                # A call of several legs counts once; each leg's charge counts.
                calls=Count("id", filter=Q(is_primary_leg=True)),
                charges=Coalesce(
                    Sum("charge"), Decimal("0.00"), output_field=DecimalField(**MONEY)
                ),
            )
            .order_by("day_index")
        )
        per_day = {row["day_index"]: row for row in rows}
        return [
            DayUsage(
                day=first_day + timedelta(days=offset),
                calls=per_day[offset]["calls"] if offset in per_day else 0,
                charges=Decimal(per_day[offset]["charges"]).quantize(Decimal("0.01"))
                if offset in per_day
                else Decimal("0.00"),
            )
            for offset in range(CHART_DAYS)
        ]

    return remembered(account, f"usage chart from {midnights[0].isoformat()}", count)


def usage_chart(account: Account, *, today: date | None = None) -> UsageChart:
    days = daily_usage(account, today=today)
    return UsageChart(
        days=days,
        first_day=days[0].day,
        last_day=days[-1].day,
        calls=_panel([(d.day, d.calls) for d in days], offset=0),
        charges=_panel([(d.day, d.charges) for d in days], offset=PANEL_HEIGHT),
    )


def _nice_top(maximum: int | Decimal) -> int | Decimal:
    """A round value at or above `maximum` for the top of the scale (1, 2, 5 × 10ⁿ)."""
    if maximum <= 0:
        return 1 if isinstance(maximum, int) else Decimal("1.00")
    magnitude = Decimal(10) ** (Decimal(maximum).adjusted())
    for step in (1, 2, 5, 10):
        candidate = step * magnitude
        if candidate >= maximum:
            break
    if isinstance(maximum, int):
        return max(int(candidate), 1)
    return candidate.quantize(Decimal("0.01"))


def _fmt(number: float) -> str:
    return f"{number:.1f}"


def _panel(values: list[tuple[date, int | Decimal]], *, offset: int) -> Panel:
    top = _nice_top(max(value for _day, value in values))
    plot_top = offset + PANEL_TITLE
    baseline = plot_top + PLOT_HEIGHT
    slot = (WIDTH - LEFT - RIGHT) / len(values)
    bar_width = slot * 0.7
    last = len(values) - 1
    bars = []
    for index, (day, value) in enumerate(values):
        height = float(value) / float(top) * PLOT_HEIGHT
        x = LEFT + index * slot + (slot - bar_width) / 2
        bars.append(
            Bar(
                day=day,
                value=value,
                x=_fmt(x),
                y=_fmt(baseline - height),
                width=_fmt(bar_width),
                height=_fmt(height),
                label_x=_fmt(x + bar_width / 2),
                labelled=(last - index) % LABEL_EVERY == 0,
            )
        )
    busiest = max(bars, key=lambda bar: bar.value)
    return Panel(
        bars=bars,
        top=top,
        total=sum((value for _day, value in values), start=type(values[0][1])(0)),
        busiest=busiest if busiest.value > 0 else None,
        title_y=_fmt(offset + 18),
        plot_top=_fmt(plot_top),
        baseline=_fmt(baseline),
        day_label_y=_fmt(baseline + 17),
        scale_x=_fmt(LEFT - 6),
    )
