"""The numbers Home shows, from figures whose answers are known."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from analytics.figures import CurrencyFigures, Figures, OfferFigures
from analytics.metrics import Rate, summarise
from core.money import Money

FIRST = date(2026, 11, 18)
LAST = date(2026, 11, 20)


def _period(per_day: dict[date, Figures]):
    return summarise(sum(per_day.values(), Figures()), per_day, days=3, first=FIRST, last=LAST)


def test_aov_with_and_without_upsells_are_net_of_refunds_and_rounded_half_up():
    usd = CurrencyFigures(
        orders=3, checkout=Decimal("190.00"), upsell=Decimal("20.00"), refunded=Decimal("30.00")
    )
    metrics = _period({LAST: Figures(money={"USD": usd}, checkouts=7)})

    main = metrics.main
    assert main.revenue == Money.of("180.00", "USD")
    assert main.aov_with_upsells == Money.of("60.00", "USD")
    assert main.aov_without_upsells == Money.of("53.33", "USD")  # 160 / 3
    assert main.upsell_revenue == Money.of("20.00", "USD")
    assert metrics.checkout_conversion == Rate(3, 7)
    assert metrics.checkout_conversion.percent == Decimal("42.9")


def test_currencies_are_never_added_the_one_with_most_orders_leads_the_chart():
    metrics = _period(
        {
            FIRST: Figures(money={"EUR": CurrencyFigures(orders=1, checkout=Decimal("500"))}),
            LAST: Figures(
                money={
                    "USD": CurrencyFigures(orders=2, checkout=Decimal("20.00")),
                    "JPY": CurrencyFigures(orders=1, checkout=Decimal("1500")),
                }
            ),
        }
    )

    assert [m.currency for m in metrics.currencies] == ["USD", "EUR", "JPY"]
    assert metrics.orders == 4
    assert [(d.day, d.revenue) for d in metrics.series] == [
        (FIRST, Money.of("0", "USD")),
        (LAST, Money.of("20.00", "USD")),
    ]
    assert metrics.currencies[2].aov_with_upsells == Money.of("1500", "JPY")


def test_rates_say_nothing_when_there_is_nothing_to_divide():
    metrics = _period({LAST: Figures()})

    assert metrics.is_empty
    assert metrics.main is None
    assert metrics.take_rate.percent is None
    assert metrics.eligibility.percent is None
    assert metrics.series == ()


def test_eligibility_counts_every_order_the_funnels_considered():
    metrics = _period(
        {
            LAST: Figures(
                offered_orders=6,
                took_orders=2,
                ineligible={"no_match": 3, "currency": 1},
                offers={"4:a": OfferFigures(6, 2, {"USD": Decimal("19.98")})},
            )
        }
    )

    assert metrics.eligibility == Rate(6, 10)
    assert metrics.take_rate.percent == Decimal("33.3")
    assert metrics.ineligible == (("no_match", 3), ("currency", 1))
    [offer] = metrics.offers
    assert (offer.views, offer.taken, offer.revenue) == (6, 2, (Money.of("19.98", "USD"),))


def test_a_period_spans_its_days_today_included():
    days = {LAST - timedelta(days=n): Figures() for n in range(3)}
    metrics = _period(days)

    assert (metrics.first, metrics.last, metrics.days) == (FIRST, LAST, 3)
