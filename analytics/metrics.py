"""The numbers Home shows for a period, derived from the daily figures.

All are net of refunds and cancellations: a cancelled order counts neither as an order
nor as revenue (nor do its upsells), a refund comes off the revenue of the order it
refunds, on the day that order was placed. Amounts are per currency (never converted);
the currency with the most orders comes first and is the one the chart shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from analytics.figures import CurrencyFigures, Figures
from analytics.rollups import LONGEST_PERIOD, period_figures, period_start
from core.money import Money
from core.shop_calendar import ShopCalendar

PERIODS = (7, 30, LONGEST_PERIOD)  # the shop's days, its today included
DEFAULT_PERIOD = 30


@dataclass(frozen=True)
class Rate:
    """`part` of `whole`; no value while there is no whole to divide by."""

    part: int
    whole: int

    @property
    def percent(self) -> Decimal | None:
        if not self.whole:
            return None
        return (Decimal(self.part) * 100 / Decimal(self.whole)).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class CurrencyMetrics:
    currency: str
    orders: int
    cancelled: int
    revenue: Money  # net: checkout totals + upsells - refunds
    upsell_revenue: Money
    refunded: Money
    aov_with_upsells: Money | None
    aov_without_upsells: Money | None

    @classmethod
    def of(cls, currency: str, figures: CurrencyFigures) -> CurrencyMetrics:
        def money(amount: Decimal) -> Money:
            return Money.of(amount, currency).rounded()

        without = figures.checkout - figures.refunded
        return cls(
            currency=currency,
            orders=figures.orders,
            cancelled=figures.cancelled,
            revenue=money(figures.net_revenue),
            upsell_revenue=money(figures.upsell),
            refunded=money(figures.refunded),
            aov_with_upsells=money(figures.net_revenue / figures.orders)
            if figures.orders
            else None,
            aov_without_upsells=money(without / figures.orders) if figures.orders else None,
        )


@dataclass(frozen=True)
class OfferMetrics:
    offer_id: str  # analytics.figures.offer_id
    views: int
    taken: int
    revenue: tuple[Money, ...]  # one per currency


@dataclass(frozen=True)
class DayRevenue:
    day: date
    revenue: Money
    orders: int


@dataclass(frozen=True)
class PeriodMetrics:
    days: int
    first: date
    last: date
    currencies: tuple[CurrencyMetrics, ...]
    orders: int
    checkouts: int
    checkout_conversion: Rate  # orders / checkouts started
    eligibility: Rate  # orders that could see an offer / orders the funnel considered
    take_rate: Rate  # orders that took an offer / orders that could see one
    ineligible: tuple[tuple[str, int], ...]  # reason, orders; most first
    offers: tuple[OfferMetrics, ...]
    series: tuple[DayRevenue, ...]  # per day, in the main currency

    @property
    def main(self) -> CurrencyMetrics | None:
        return self.currencies[0] if self.currencies else None

    @property
    def is_empty(self) -> bool:
        return not (self.orders or self.checkouts or self.eligibility.whole or self.currencies)


def period_metrics(
    session: Session, shop_id: int, days: int, today: date, *, calendar: ShopCalendar
) -> PeriodMetrics:
    """The shop's numbers for the `days` days of its `calendar` up to and including `today`."""
    per_day = period_figures(session, shop_id, days, today, calendar=calendar)
    total = sum(per_day.values(), Figures())
    return summarise(total, per_day, days=days, first=period_start(days, today), last=today)


def summarise(
    total: Figures, per_day: dict[date, Figures], *, days: int, first: date, last: date
) -> PeriodMetrics:
    currencies = tuple(
        CurrencyMetrics.of(currency, figures)
        for currency, figures in sorted(
            total.money.items(), key=lambda item: (-item[1].orders, item[0])
        )
    )
    orders = sum(m.orders for m in currencies)
    ineligible = sum(total.ineligible.values())
    main = currencies[0].currency if currencies else None
    return PeriodMetrics(
        days=days,
        first=first,
        last=last,
        currencies=currencies,
        orders=orders,
        checkouts=total.checkouts,
        checkout_conversion=Rate(orders, total.checkouts),
        eligibility=Rate(total.offered_orders, total.offered_orders + ineligible),
        take_rate=Rate(total.took_orders, total.offered_orders),
        ineligible=tuple(sorted(total.ineligible.items(), key=lambda item: (-item[1], item[0]))),
        offers=tuple(
            OfferMetrics(
                key,
                o.views,
                o.taken,
                tuple(Money.of(a, c).rounded() for c, a in sorted(o.revenue.items())),
            )
            for key, o in sorted(total.offers.items(), key=lambda item: -item[1].taken)
        ),
        series=tuple(_series(per_day, main)) if main else (),
    )


def _series(per_day: dict[date, Figures], currency: str) -> list[DayRevenue]:
    return [
        DayRevenue(
            day,
            Money.of(
                figures.money.get(currency, CurrencyFigures()).net_revenue, currency
            ).rounded(),
            figures.money.get(currency, CurrencyFigures()).orders,
        )
        for day, figures in sorted(per_day.items())
    ]
