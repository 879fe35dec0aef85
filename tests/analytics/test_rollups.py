"""Daily rollups: past days read from one row each, today live, refreshed when a day changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from analytics.figures import Figures
from analytics.metrics import period_metrics
from analytics.models import DailyFigures
from analytics.rollups import daily_figures, refresh_day, roll_up_all_shops, roll_up_shop
from core.db import utcnow
from core.services import services_of
from tests.support.ledger import make_shop, placed_order


@pytest.fixture
def session(app):
    with app.app_context(), services_of(app).database.session() as session:
        yield session


def _noon(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=12)


def _rows(session, shop_id: int) -> int:
    return session.scalar(
        select(func.count()).select_from(DailyFigures).where(DailyFigures.shop_id == shop_id)
    )


def test_past_days_are_rolled_up_once_and_read_back_today_is_live(session):
    today = utcnow().date()
    shop = make_shop(session, "rollup.myshopify.com")
    placed_order(session, shop.id, "10.00", at=_noon(today - timedelta(days=2)))
    placed_order(session, shop.id, "5.00", at=_noon(today))

    first = daily_figures(session, shop.id, today - timedelta(days=6), today)
    assert _rows(session, shop.id) == 2  # the days since the first order, today aside
    assert first[today - timedelta(days=2)].money["USD"].checkout == Decimal("10.00")
    assert first[today - timedelta(days=6)] == Figures()

    # A change the rollup was not told of stays out of the past day until it is refreshed;
    # today's figures are always current.
    placed_order(session, shop.id, "7.00", at=_noon(today - timedelta(days=2)))
    placed_order(session, shop.id, "1.00", at=_noon(today))
    second = daily_figures(session, shop.id, today - timedelta(days=6), today)
    assert second[today - timedelta(days=2)].money["USD"].checkout == Decimal("10.00")
    assert second[today].money["USD"].checkout == Decimal("6.00")

    refresh_day(session, shop.id, today - timedelta(days=2))
    third = daily_figures(session, shop.id, today - timedelta(days=6), today)
    assert third[today - timedelta(days=2)].money["USD"].checkout == Decimal("17.00")
    assert _rows(session, shop.id) == 2


def test_refreshing_a_day_twice_leaves_one_row_with_the_same_figures(session):
    shop = make_shop(session, "twice.myshopify.com")
    day = utcnow().date() - timedelta(days=3)
    placed_order(session, shop.id, "12.34", at=_noon(day))

    once = refresh_day(session, shop.id, day)
    twice = refresh_day(session, shop.id, day)

    assert once == twice
    assert _rows(session, shop.id) == 1


def test_the_periodic_rollup_refreshes_each_installed_shops_recent_days(app, session):
    shop_id = make_shop(session, "periodic.myshopify.com").id
    yesterday = utcnow().date() - timedelta(days=1)
    placed_order(session, shop_id, "3.00", at=_noon(yesterday))
    session.commit()

    assert roll_up_all_shops(services_of(app)) == 1
    assert services_of(app).jobs.wait_idle(timeout=15)

    session.expire_all()
    row = session.scalar(select(DailyFigures).where(DailyFigures.day == yesterday))
    assert Figures.from_json(row.figures).money["USD"].checkout == Decimal("3.00")
    session.commit()
    assert roll_up_shop(shop_id) == "rolled up"  # a second run changes nothing
    assert _rows(session, shop_id) == 2


def test_a_period_adds_rolled_up_days_and_today(session):
    today = utcnow().date()
    shop = make_shop(session, "period.myshopify.com")
    placed_order(session, shop.id, "10.00", at=_noon(today - timedelta(days=6)))
    placed_order(session, shop.id, "20.00", at=_noon(today - timedelta(days=7)))  # outside
    placed_order(session, shop.id, "2.50", at=_noon(today))

    metrics = period_metrics(session, shop.id, 7, today)

    assert metrics.orders == 2
    assert str(metrics.main.revenue.amount) == "12.50"
    assert len(metrics.series) == 7
