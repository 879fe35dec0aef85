"""Charts drawn on the server as inline SVG: no script, readable at a glance, and each
with the same numbers as text beside it for people who cannot see it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from analytics.metrics import DayRevenue

WIDTH = 600
HEIGHT = 120
GAP = 1


@dataclass(frozen=True)
class Bar:
    """One day's bar, with its numbers as text for the tooltip and the table beside it."""

    x: float
    y: float
    width: float
    height: float
    day: str
    orders: int
    revenue: str  # formatted in the shop's locale

    @property
    def title(self) -> str:
        return f"{self.day}: {self.revenue}, {self.orders} orders"


def revenue_bars(series: tuple[DayRevenue, ...], locale: str) -> list[Bar]:
    """One bar per day, as tall as its net revenue against the period's best day."""
    if not series:
        return []
    peak = max((day.revenue.amount for day in series), default=Decimal(0))
    slot = WIDTH / len(series)
    bars = []
    for index, day in enumerate(series):
        share = max(day.revenue.amount, Decimal(0)) / peak if peak > 0 else Decimal(0)
        height = round(float(share) * HEIGHT, 1)
        bars.append(
            Bar(
                x=round(index * slot, 2),
                y=round(HEIGHT - height, 1),
                width=round(max(slot - GAP, 1), 2),
                height=height,
                day=day.day.isoformat(),
                orders=day.orders,
                revenue=day.revenue.format(locale),
            )
        )
    return bars
