"""Daily rollups: each past day's figures computed once and kept, so Home adds up at
most 90 rows however many orders a shop has; today is always computed live.

A day's row is recomputed whole from the ledger (never incremented), so it is right
however often or in whatever order it runs. It is refreshed when something changes a
past day (a refund or cancellation arriving by webhook, webhooks/handlers/ledger.py),
by a periodic job for the last days (upsells paid just after midnight), and filled on
first read for days nobody rolled up yet.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from analytics.figures import Figures, gather
from analytics.models import DailyFigures
from checkout.models import Checkout, Order
from core.db import utcnow
from core.jobs import RetryPolicy, job, spec_of
from core.models import Shop
from core.services import Services, services
from upsell.models import ShownOffer

# How often the periodic task refreshes recent days, and how many days back it goes.
ROLLUP_INTERVAL = 900.0
RECENT_DAYS = 2


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """[midnight, next midnight) of `day` in UTC: the figures' days are UTC days."""
    start = datetime.combine(day, time.min, tzinfo=UTC)
    return start, start + timedelta(days=1)


def refresh_day(session: Session, shop_id: int, day: date) -> Figures:
    """Recompute one past day's row from the ledger (not committed)."""
    figures = gather(session, shop_id, *day_bounds(day))
    _store(session, shop_id, day, figures)
    return figures


def _store(session: Session, shop_id: int, day: date, figures: Figures) -> None:
    values = {"figures": figures.to_json(), "computed_at": utcnow()}
    row = session.scalar(
        select(DailyFigures).where(DailyFigures.shop_id == shop_id, DailyFigures.day == day)
    )
    if row is not None:
        row.figures, row.computed_at = values["figures"], values["computed_at"]
        return
    try:
        with session.begin_nested():  # another process may be storing the same day
            session.add(DailyFigures(shop_id=shop_id, day=day, **values))
    except IntegrityError:
        row = session.scalar(
            select(DailyFigures).where(DailyFigures.shop_id == shop_id, DailyFigures.day == day)
        )
        row.figures, row.computed_at = values["figures"], values["computed_at"]


def daily_figures(session: Session, shop_id: int, first: date, today: date) -> dict[date, Figures]:
    """Each day from `first` to `today` inclusive: stored rollups for past days (rolled
    up now where missing, not before the shop's first activity), live figures for today.
    Rollups made here are flushed, not committed: the caller commits."""
    stored = {
        row.day: Figures.from_json(row.figures)
        for row in session.scalars(
            select(DailyFigures).where(
                DailyFigures.shop_id == shop_id,
                DailyFigures.day >= first,
                DailyFigures.day < today,
            )
        )
    }
    missing = [
        first + timedelta(days=n)
        for n in range((today - first).days)
        if first + timedelta(days=n) not in stored
    ]
    since = _first_activity(session, shop_id) if missing else None
    days: dict[date, Figures] = dict(stored)
    for day in missing:
        past_first = since is not None and day >= since
        days[day] = refresh_day(session, shop_id, day) if past_first else Figures()
    days[today] = gather(session, shop_id, *day_bounds(today))
    return days


def _first_activity(session: Session, shop_id: int) -> date | None:
    """The first day with a checkout, an order or an offer: the days before it stay
    empty. Three indexed queries, asked only while some day of the period has no row."""
    firsts = [
        session.scalar(select(func.min(model.created_at)).where(model.shop_id == shop_id))
        for model in (Checkout, Order, ShownOffer)
    ]
    found = [moment for moment in firsts if moment is not None]
    return min(found).astimezone(UTC).date() if found else None


@job(retry=RetryPolicy(max_attempts=3, backoff=(60.0, 300.0)), timeout=300)
def roll_up_shop(shop_id: int) -> str:
    """Refresh the shop's last RECENT_DAYS days before today."""
    today = utcnow().date()
    with services().database.session() as session:
        for back in range(1, RECENT_DAYS + 1):
            refresh_day(session, shop_id, today - timedelta(days=back))
        session.commit()
    return "rolled up"


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
