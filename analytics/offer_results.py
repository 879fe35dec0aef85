"""Per-offer results of funnels, named by funnel and version: the offer figures of a
period's daily rollups (analytics.figures.OfferFigures, net of cancellations), the same
ones Home shows per offer, so both pages give one offer the same numbers.

The Funnels list shows each funnel's offers summed; the editor shows them by version.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from analytics.figures import Figures, OfferFigures, parse_offer_id
from analytics.rollups import period_figures
from core.shop_calendar import ShopCalendar
from upsell.models import FunnelVersion


@dataclass(frozen=True)
class OfferResult:
    """One offer of one funnel version over the period."""

    funnel_id: int
    version: int
    offer_key: str
    figures: OfferFigures


def offer_results(
    session: Session,
    shop_id: int,
    *,
    days: int,
    today: date,
    calendar: ShopCalendar,
    funnel_ids: Iterable[int] | None = None,
) -> list[OfferResult]:
    """The offers of the shop's funnels (or only `funnel_ids`) seen or answered in the
    `days` days of the shop's `calendar` up to `today` (Home's days), newest version first
    per funnel. Rollups made on the way are flushed, not committed: the caller commits."""
    per_day = period_figures(session, shop_id, days, today, calendar=calendar)
    offers = sum(per_day.values(), Figures()).offers
    parsed = {name: parse_offer_id(name) for name in offers}
    versions = {version for version, _ in parsed.values() if version is not None}
    if not versions:
        return []
    query = select(FunnelVersion.id, FunnelVersion.funnel_id, FunnelVersion.number).where(
        FunnelVersion.shop_id == shop_id, FunnelVersion.id.in_(versions)
    )
    if funnel_ids is not None:
        query = query.where(FunnelVersion.funnel_id.in_(list(funnel_ids)))
    known = {
        version_id: (funnel_id, number) for version_id, funnel_id, number in session.execute(query)
    }
    results = [
        OfferResult(*known[version], key, offers[name])
        for name, (version, key) in parsed.items()
        if version in known
    ]
    return sorted(results, key=lambda r: (r.funnel_id, -r.version, r.offer_key))


def funnel_totals(results: Iterable[OfferResult]) -> dict[int, OfferFigures]:
    """Each funnel's offers summed over its versions (the Funnels list's one line)."""
    totals: dict[int, OfferFigures] = {}
    for r in results:
        totals[r.funnel_id] = totals.get(r.funnel_id, OfferFigures()) + r.figures
    return totals
