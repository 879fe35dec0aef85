"""Daily rollups: each past day's figures computed once and kept, so Home adds up at
most 90 rows however many orders a shop has; today is always computed live.

Days are the shop's own calendar days (core/shop_calendar.py): a day's row holds what
happened between two of the shop's midnights, and says in which timezone. A day's row
is recomputed whole from the ledger (never incremented), so it is right however often
or in whatever order it runs. It is refreshed when something changes a past day (a
refund or cancellation arriving by webhook, webhooks/handlers/ledger.py), by a periodic
job for the last days (upsells paid just after midnight) and for rows of another
timezone than the shop's (rows from before shops had one, or after a merchant changed
it), and filled on first read for days nobody rolled up yet; a stale row is never read.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from analytics.figures import FORMAT, Figures, gather
from analytics.models import DailyFigures
from checkout.models import Checkout, Order
from core.db import utcnow
from core.jobs import RetryPolicy, job, spec_of
from core.models import Shop
from core.services import Services, services
from core.shop_calendar import ShopCalendar
from upsell.models import ShownOffer

# How often the periodic task refreshes recent days, and how many days back it goes.
ROLLUP_INTERVAL = 900.0
RECENT_DAYS = 2
# The longest period a page shows (analytics.metrics.PERIODS): how far back the periodic
# task rolls up again the days stored in another timezone than the shop's.
LONGEST_PERIOD = 90


def refresh_day(session: Session, shop_id: int, day: date, *, calendar: ShopCalendar) -> Figures:
    """Recompute one past day of the shop's `calendar` from the ledger (not committed)."""
    figures = gather(session, shop_id, *calendar.bounds(day))
    _store(session, shop_id, day, figures, calendar.name)
    return figures


def _store(session: Session, shop_id: int, day: date, figures: Figures, timezone: str) -> None:
    values = {"figures": figures.to_json(), "timezone": timezone, "computed_at": utcnow()}
    row = _row(session, shop_id, day)
    if row is None:
        try:
            with session.begin_nested():  # another process may be storing the same day
                session.add(DailyFigures(shop_id=shop_id, day=day, **values))
            return
        except IntegrityError:
            row = _row(session, shop_id, day)
    for name, value in values.items():
        setattr(row, name, value)


def _row(session: Session, shop_id: int, day: date) -> DailyFigures | None:
    return session.scalar(
        select(DailyFigures).where(DailyFigures.shop_id == shop_id, DailyFigures.day == day)
    )


def daily_figures(
    session: Session, shop_id: int, first: date, today: date, *, calendar: ShopCalendar
) -> dict[date, Figures]:
    """Each day of the shop's `calendar` from `first` to `today` inclusive: stored rollups
    for past days (rolled up now where missing, stale or stored in an older FORMAT, not
    before the shop's first activity), live figures for today. Rollups made here are
    flushed, not committed: the caller commits."""
    stored = {
        row.day: Figures.from_json(row.figures)
        for row in session.scalars(
            select(DailyFigures).where(
                DailyFigures.shop_id == shop_id,
                DailyFigures.day >= first,
                DailyFigures.day < today,
                DailyFigures.timezone == calendar.name,
            )
        )
        if row.figures.get("format") == FORMAT
    }
    missing = [
        first + timedelta(days=n)
        for n in range((today - first).days)
        if first + timedelta(days=n) not in stored
    ]
    since = _first_activity(session, shop_id, calendar) if missing else None
    days: dict[date, Figures] = dict(stored)
    for day in missing:
        past_first = since is not None and day >= since
        days[day] = (
            refresh_day(session, shop_id, day, calendar=calendar) if past_first else Figures()
        )
    days[today] = gather(session, shop_id, *calendar.bounds(today))
    return days


def period_start(days: int, today: date) -> date:
    """The first of the `days` days up to and including `today`."""
    return today - timedelta(days=days - 1)


def period_figures(
    session: Session, shop_id: int, days: int, today: date, *, calendar: ShopCalendar
) -> dict[date, Figures]:
    """The `days` days of the shop's `calendar` up to and including `today`, as
    daily_figures gives them: the period both Home and the Funnels pages show."""
    return daily_figures(session, shop_id, period_start(days, today), today, calendar=calendar)


def _first_activity(session: Session, shop_id: int, calendar: ShopCalendar) -> date | None:
    """The shop's first day with a checkout, an order or an offer: the days before it
    stay empty. Three indexed queries, asked only while some day of the period has no row."""
    firsts = [
        session.scalar(select(func.min(model.created_at)).where(model.shop_id == shop_id))
        for model in (Checkout, Order, ShownOffer)
    ]
    found = [moment for moment in firsts if moment is not None]
    return calendar.day_of(min(found)) if found else None


def _stale_days(session: Session, shop_id: int, calendar: ShopCalendar, today: date) -> list[date]:
    """The days of the last LONGEST_PERIOD whose row was rolled up in another timezone."""
    return list(
        session.scalars(
            select(DailyFigures.day).where(
                DailyFigures.shop_id == shop_id,
                DailyFigures.day >= period_start(LONGEST_PERIOD, today),
                DailyFigures.day < today,
                DailyFigures.timezone != calendar.name,
            )
        )
    )


@job(retry=RetryPolicy(max_attempts=3, backoff=(60.0, 300.0)), timeout=300)
def roll_up_shop(shop_id: int) -> str:
    """Refresh the shop's last RECENT_DAYS days before its today, and the days of the
    last LONGEST_PERIOD rolled up in another timezone than the shop's."""
    with services().database.session() as session:
        shop = session.get(Shop, shop_id)
        if shop is None:
            return "no such shop"
        calendar = shop.calendar
        today = calendar.today()
        recent = {today - timedelta(days=back) for back in range(1, RECENT_DAYS + 1)}
        stale = set(_stale_days(session, shop_id, calendar, today))
        for day in sorted(recent | stale):
            refresh_day(session, shop_id, day, calendar=calendar)
        session.commit()
    return f"rolled up {len(recent | stale)} days in {calendar.name}"


def roll_up_all_shops(svc: Services) -> int:
    """The periodic task: queue a rollup for every installed shop; returns how many."""
    with svc.database.session() as session:
        shop_ids = session.scalars(
            select(Shop.id).where(Shop.installed_at.is_not(None), Shop.uninstalled_at.is_(None))
        ).all()
    hour = utcnow().strftime("%Y%m%d%H%M")
    for shop_id in shop_ids:
        svc.jobs.enqueue(spec_of(roll_up_shop), (shop_id,), job_id=f"rollup-{shop_id}-{hour}")
    return len(shop_ids)
