"""Per-offer results of funnels from the daily rollups: named by funnel and version,
newest version first, only the period's days, currencies kept apart, cancelled orders
aside, and only the asked shop's and funnels' offers; days are the shop's own (its
timezone stated, Los Angeles, where days are not UTC days)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

import pytest

from analytics.figures import OfferFigures
from analytics.offer_results import OfferResult, funnel_totals, offer_results
from core.services import services_of
from core.shop_calendar import ShopCalendar
from tests.support.ledger import funnel_version, make_shop, offer_for, placed_order
from upsell.models import FunnelVersion, OfferStatus


@pytest.fixture
def session(app):
    with app.app_context(), services_of(app).database.session() as session:
        yield session


ZONE = "America/Los_Angeles"
CALENDAR = ShopCalendar.named(ZONE)


def _days_ago(days: int) -> datetime:
    """Noon, the shop's time, `days` of its days ago."""
    return datetime.combine(CALENDAR.today() - timedelta(days=days), time(12), CALENDAR.zone)


def _offer(session, version, days_ago: int, total: str, **options) -> None:
    currency = options.pop("currency", "USD")
    cancelled = options.pop("cancelled", False)
    at = _days_ago(days_ago)
    order = placed_order(
        session, version.shop_id, "30.00", at=at, currency=currency, cancelled=cancelled
    )
    offer_for(session, order, version, total, **options)


def test_a_period_s_offers_by_version_net_of_cancellations_and_per_currency(session):
    shop = make_shop(session, "results.myshopify.com", timezone=ZONE)
    first = funnel_version(session, shop.id)
    second = FunnelVersion(
        funnel_id=first.funnel_id, shop_id=shop.id, number=2, definition=first.definition
    )
    session.add(second)
    session.flush()
    _offer(session, first, 20, "10.00")  # rolled up
    _offer(session, first, 3, "9.00", currency="EUR")
    _offer(session, first, 3, "8.00", status=OfferStatus.DECLINED)
    _offer(session, first, 3, "7.00", cancelled=True)
    _offer(session, first, 40, "500.00")  # before the period
    _offer(session, second, 0, "4.00", key="b", status=OfferStatus.FAILED)  # today, live
    other = funnel_version(session, make_shop(session, "theirs.myshopify.com", timezone=ZONE).id)
    _offer(session, other, 3, "70.00")

    period = {"days": 30, "today": CALENDAR.today(), "calendar": CALENDAR}
    results = offer_results(session, shop.id, **period)
    theirs_asked_as_mine = offer_results(session, shop.id, **period, funnel_ids=[other.funnel_id])

    funnel = first.funnel_id
    assert results == [
        OfferResult(funnel, 2, "b", OfferFigures(views=1, accepted=1)),
        OfferResult(
            funnel,
            1,
            "a",
            OfferFigures(
                views=3,
                taken=2,
                revenue={"USD": Decimal("10.00"), "EUR": Decimal("9.00")},
                accepted=2,
                declined=1,
            ),
        ),
    ]
    assert results[1].figures.take_rate == Decimal(2) / Decimal(3)
    assert funnel_totals(results) == {
        funnel: OfferFigures(
            views=4,
            taken=2,
            revenue={"USD": Decimal("10.00"), "EUR": Decimal("9.00")},
            accepted=3,
            declined=1,
        )
    }
    assert theirs_asked_as_mine == []


def test_a_shorter_period_leaves_the_older_days_out(session):
    shop = make_shop(session, "short.myshopify.com", timezone=ZONE)
    version = funnel_version(session, shop.id)
    _offer(session, version, 20, "10.00")
    _offer(session, version, 6, "6.00", status=OfferStatus.DECLINED)

    today = CALENDAR.today()
    [result] = offer_results(session, shop.id, days=7, today=today, calendar=CALENDAR)

    assert result.figures == OfferFigures(views=1, declined=1)
    assert result.figures.take_rate == Decimal(0)
    week_before = today - timedelta(days=7)
    assert offer_results(session, shop.id, days=7, today=week_before, calendar=CALENDAR) == []
