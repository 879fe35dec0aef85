"""Daily rollups: past days read from one row each, today live, refreshed when a day
changes; the days are the shop's own, from its midnight to the next in its timezone
(stated in each test: Los Angeles, where days are not UTC days, unless said)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from analytics.figures import FORMAT, Figures, OfferFigures, offer_id
from analytics.metrics import period_metrics
from analytics.models import DailyFigures
from analytics.rollups import (
    daily_figures,
    period_figures,
    refresh_day,
    roll_up_all_shops,
    roll_up_shop,
)
from core.services import services_of
from core.shop_calendar import ShopCalendar
from tests.support.ledger import funnel_version, make_shop, offer_for, placed_order
from upsell.models import OfferStatus


@pytest.fixture
def session(app):
    with app.app_context(), services_of(app).database.session() as session:
        yield session


ZONE = "America/Los_Angeles"
LA = ShopCalendar.named(ZONE)
UTC_DAYS = ShopCalendar.named("UTC")


def _at(day: date, hour: int, minute: int = 0, calendar: ShopCalendar = LA) -> datetime:
    """`day` at hour:minute on the shop's clock."""
    return datetime.combine(day, time(hour, minute), calendar.zone)


def _noon(day: date) -> datetime:
    return _at(day, 12)


def _rows(session, shop_id: int) -> int:
    return session.scalar(
        select(func.count()).select_from(DailyFigures).where(DailyFigures.shop_id == shop_id)
    )


def test_past_days_are_rolled_up_once_and_read_back_today_is_live(session):
    today = LA.today()
    shop = make_shop(session, "rollup.myshopify.com", timezone=ZONE)
    placed_order(session, shop.id, "10.00", at=_noon(today - timedelta(days=2)))
    placed_order(session, shop.id, "5.00", at=_noon(today))

    first = daily_figures(session, shop.id, today - timedelta(days=6), today, calendar=LA)
    assert _rows(session, shop.id) == 2  # the days since the first order, today aside
    assert first[today - timedelta(days=2)].money["USD"].checkout == Decimal("10.00")
    assert first[today - timedelta(days=6)] == Figures()

    # A change the rollup was not told of stays out of the past day until it is refreshed;
    # today's figures are always current.
    placed_order(session, shop.id, "7.00", at=_noon(today - timedelta(days=2)))
    placed_order(session, shop.id, "1.00", at=_noon(today))
    second = daily_figures(session, shop.id, today - timedelta(days=6), today, calendar=LA)
    assert second[today - timedelta(days=2)].money["USD"].checkout == Decimal("10.00")
    assert second[today].money["USD"].checkout == Decimal("6.00")

    refresh_day(session, shop.id, today - timedelta(days=2), calendar=LA)
    third = daily_figures(session, shop.id, today - timedelta(days=6), today, calendar=LA)
    assert third[today - timedelta(days=2)].money["USD"].checkout == Decimal("17.00")
    assert _rows(session, shop.id) == 2


def test_refreshing_a_day_twice_leaves_one_row_with_the_same_figures(session):
    shop = make_shop(session, "twice.myshopify.com", timezone=ZONE)
    day = LA.today() - timedelta(days=3)
    placed_order(session, shop.id, "12.34", at=_noon(day))

    once = refresh_day(session, shop.id, day, calendar=LA)
    twice = refresh_day(session, shop.id, day, calendar=LA)

    assert once == twice
    assert _rows(session, shop.id) == 1


def test_the_periodic_rollup_refreshes_each_installed_shops_recent_days(app, session):
    shop_id = make_shop(session, "periodic.myshopify.com", timezone=ZONE).id
    yesterday = LA.today() - timedelta(days=1)
    placed_order(session, shop_id, "3.00", at=_noon(yesterday))
    session.commit()

    assert roll_up_all_shops(services_of(app)) == 1
    assert services_of(app).jobs.wait_idle(timeout=15)

    session.expire_all()
    row = session.scalar(select(DailyFigures).where(DailyFigures.day == yesterday))
    assert Figures.from_json(row.figures).money["USD"].checkout == Decimal("3.00")
    assert row.timezone == ZONE
    session.commit()
    # a second run changes nothing
    assert roll_up_shop(shop_id) == f"rolled up 2 days in {ZONE}"
    assert _rows(session, shop_id) == 2


def test_a_period_adds_rolled_up_days_and_today(session):
    today = LA.today()
    shop = make_shop(session, "period.myshopify.com", timezone=ZONE)
    placed_order(session, shop.id, "10.00", at=_noon(today - timedelta(days=6)))
    placed_order(session, shop.id, "20.00", at=_noon(today - timedelta(days=7)))  # outside
    placed_order(session, shop.id, "2.50", at=_noon(today))

    metrics = period_metrics(session, shop.id, 7, today, calendar=LA)

    assert metrics.orders == 2
    assert str(metrics.main.revenue.amount) == "12.50"
    assert len(metrics.series) == 7


def test_a_day_rolled_up_in_the_older_format_is_recomputed_on_read(session):
    """Format 1 had no accepted or declined counts: such a row is rolled up again rather
    than read as zeros."""
    today = LA.today()
    day = today - timedelta(days=3)
    shop = make_shop(session, "format.myshopify.com", timezone=ZONE)
    version = funnel_version(session, shop.id)
    order = placed_order(session, shop.id, "30.00", at=_noon(day))
    offer_for(session, order, version, "9.00", status=OfferStatus.DECLINED)
    refresh_day(session, shop.id, day, calendar=LA)
    row = session.scalar(select(DailyFigures).where(DailyFigures.shop_id == shop.id))
    old = row.figures | {
        "offers": {offer_id(version.id, "a"): {"views": 5, "taken": 0, "revenue": {}}}
    }
    del old["format"]
    row.figures = old
    session.flush()
    assert Figures.from_json(old).offers[offer_id(version.id, "a")] == OfferFigures(views=5)

    figures = daily_figures(session, shop.id, day, today, calendar=LA)[day]

    assert figures.offers[offer_id(version.id, "a")] == OfferFigures(views=1, declined=1)
    session.refresh(row)
    assert row.figures["format"] == FORMAT


def _row(session, shop_id: int, day: date) -> DailyFigures:
    return session.scalar(
        select(DailyFigures).where(DailyFigures.shop_id == shop_id, DailyFigures.day == day)
    )


def test_an_order_at_half_past_eleven_at_night_counts_on_the_shops_day(session):
    shop = make_shop(session, "late.myshopify.com", timezone=ZONE)
    today = LA.today()
    day = today - timedelta(days=3)
    placed_order(session, shop.id, "23.30", at=_at(day, 23, 30))  # the next day in UTC

    days = daily_figures(session, shop.id, day, today, calendar=LA)

    assert days[day].money["USD"].orders == 1
    assert days[day + timedelta(days=1)] == Figures()
    assert _row(session, shop.id, day).timezone == ZONE
    # Counted in UTC days, the same order is the next day's: that row is stale for the shop.
    utc_days = daily_figures(session, shop.id, day, today, calendar=UTC_DAYS)
    assert utc_days[day] == Figures()
    assert utc_days[day + timedelta(days=1)].money["USD"].orders == 1


def test_today_is_the_shops_today_from_its_midnight_and_always_live(session):
    shop = make_shop(session, "today.myshopify.com", timezone=ZONE)
    today = LA.today()
    placed_order(session, shop.id, "1.00", at=_at(today, 0))
    placed_order(session, shop.id, "2.00", at=_at(today, 0) - timedelta(seconds=1))
    placed_order(session, shop.id, "4.00", at=_at(today, 23, 59))

    days = daily_figures(session, shop.id, today - timedelta(days=1), today, calendar=LA)

    assert days[today].money["USD"].checkout == Decimal("5.00")
    assert days[today - timedelta(days=1)].money["USD"].checkout == Decimal("2.00")
    assert _row(session, shop.id, today) is None


@pytest.mark.parametrize("days", [7, 30, 90])
def test_a_period_of_n_days_ends_with_the_shops_today(session, days):
    shop = make_shop(session, f"window{days}.myshopify.com", timezone=ZONE)
    today = LA.today()
    first = today - timedelta(days=days - 1)
    placed_order(session, shop.id, "10.00", at=_at(first, 0))  # the period's first moment
    placed_order(session, shop.id, "500.00", at=_at(first, 0) - timedelta(seconds=1))
    placed_order(session, shop.id, "2.00", at=_at(today, 23, 59))  # its last minute

    per_day = period_figures(session, shop.id, days, today, calendar=LA)
    metrics = period_metrics(session, shop.id, days, today, calendar=LA)

    assert sorted(per_day) == [first + timedelta(days=n) for n in range(days)]
    assert (metrics.first, metrics.last) == (first, today)
    assert str(metrics.main.revenue.amount) == "12.00"
    assert metrics.orders == 2


def test_the_days_the_clocks_change_are_23_and_25_hours_long(session):
    """Los Angeles went to daylight saving time at 2 am on 8 March 2026."""
    shop = make_shop(session, "dst.myshopify.com", timezone=ZONE)
    spring = date(2026, 3, 8)
    placed_order(session, shop.id, "1.00", at=_at(spring, 0, 30))  # 08:30 UTC (PST)
    placed_order(session, shop.id, "2.00", at=_at(spring, 23, 30))  # 06:30 UTC the 9th (PDT)
    placed_order(session, shop.id, "4.00", at=_at(spring + timedelta(days=1), 0))

    days = daily_figures(session, shop.id, spring, date(2026, 3, 10), calendar=LA)

    assert days[spring].money["USD"].checkout == Decimal("3.00")
    assert days[spring + timedelta(days=1)].money["USD"].checkout == Decimal("4.00")


def test_a_day_rolled_up_in_another_timezone_is_never_read_as_the_shops_day(session):
    """Rows from before shops had a timezone are UTC days: read as the shop's, an order
    placed late in the evening would be the next day's."""
    shop = make_shop(session, "stale.myshopify.com", timezone=ZONE)
    today = LA.today()
    day = today - timedelta(days=4)
    placed_order(session, shop.id, "23.30", at=_at(day, 23, 30))
    for stale in (day, day + timedelta(days=1)):
        refresh_day(session, shop.id, stale, calendar=UTC_DAYS)

    days = daily_figures(session, shop.id, day, today, calendar=LA)

    assert days[day].money["USD"].orders == 1
    assert days[day + timedelta(days=1)] == Figures()
    assert {_row(session, shop.id, d).timezone for d in (day, day + timedelta(days=1))} == {ZONE}


def test_the_periodic_job_rolls_up_again_the_days_of_another_timezone(session):
    shop = make_shop(session, "rebuilt.myshopify.com", timezone=ZONE)
    today = LA.today()
    day = today - timedelta(days=10)
    long_ago = today - timedelta(days=120)  # before the longest period any page shows
    placed_order(session, shop.id, "23.30", at=_at(day, 23, 30))
    placed_order(session, shop.id, "1.00", at=_noon(long_ago))
    for stale in (day, day + timedelta(days=1), long_ago):
        refresh_day(session, shop.id, stale, calendar=UTC_DAYS)
    session.commit()

    # yesterday and the day before, and the two stale days of the last 90
    assert roll_up_shop(shop.id) == f"rolled up 4 days in {ZONE}"

    session.expire_all()
    rebuilt, after = _row(session, shop.id, day), _row(session, shop.id, day + timedelta(days=1))
    assert (rebuilt.timezone, after.timezone) == (ZONE, ZONE)
    assert Figures.from_json(rebuilt.figures).money["USD"].orders == 1
    assert Figures.from_json(after.figures) == Figures()
    assert _row(session, shop.id, long_ago).timezone == "UTC"  # rolled up again if ever read
