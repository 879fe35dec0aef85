"""Per-offer results of funnels (shown, accepted, declined, paid, take rate, revenue), by
funnel version, counted from the analytics events the offer pages write.

The Funnels page shows them per funnel; the Home page sums revenue per offer. One
grouped query per call, served by ix_analytics_event_shop_kind_at.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analytics.models import AnalyticsEvent, EventKind
from upsell.models import FunnelVersion

COUNTED = (
    EventKind.OFFER_SHOWN,
    EventKind.OFFER_ACCEPTED,
    EventKind.OFFER_DECLINED,
    EventKind.OFFER_PAID,
)


@dataclass
class OfferResult:
    """One offer of one funnel version. `revenue` is what was paid for it, per currency."""

    funnel_id: int
    version: int
    offer_key: str
    shown: int = 0
    accepted: int = 0
    declined: int = 0
    paid: int = 0
    revenue: dict[str, Decimal] = field(default_factory=dict)

    @property
    def take_rate(self) -> Decimal | None:
        """Paid offers per offer shown (None before any was shown)."""
        return Decimal(self.paid) / Decimal(self.shown) if self.shown else None


def offer_results(
    session: Session,
    shop_id: int,
    *,
    funnel_ids: Iterable[int] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[OfferResult]:
    """The shop's offers with any event in [since, until), newest version first per funnel."""
    query = (
        select(
            FunnelVersion.funnel_id,
            FunnelVersion.number,
            AnalyticsEvent.offer_key,
            AnalyticsEvent.kind,
            AnalyticsEvent.currency,
            func.count(),
            func.sum(AnalyticsEvent.amount),
        )
        .join(FunnelVersion, FunnelVersion.id == AnalyticsEvent.funnel_version_id)
        .where(
            AnalyticsEvent.shop_id == shop_id,
            FunnelVersion.shop_id == shop_id,
            AnalyticsEvent.kind.in_(COUNTED),
        )
        .group_by(
            FunnelVersion.funnel_id,
            FunnelVersion.number,
            AnalyticsEvent.offer_key,
            AnalyticsEvent.kind,
            AnalyticsEvent.currency,
        )
    )
    if funnel_ids is not None:
        query = query.where(FunnelVersion.funnel_id.in_(list(funnel_ids)))
    if since is not None:
        query = query.where(AnalyticsEvent.created_at >= since)
    if until is not None:
        query = query.where(AnalyticsEvent.created_at < until)
    results: dict[tuple[int, int, str], OfferResult] = {}
    for funnel_id, number, key, kind, currency, count, amount in session.execute(query):
        result = results.setdefault(
            (funnel_id, number, key or ""), OfferResult(funnel_id, number, key or "")
        )
        if kind is EventKind.OFFER_SHOWN:
            result.shown += count
        elif kind is EventKind.OFFER_ACCEPTED:
            result.accepted += count
        elif kind is EventKind.OFFER_DECLINED:
            result.declined += count
        else:
            result.paid += count
            if currency and amount is not None:
                result.revenue[currency] = result.revenue.get(currency, Decimal(0)) + amount
    return sorted(results.values(), key=lambda r: (r.funnel_id, -r.version, r.offer_key))


def funnel_totals(results: Iterable[OfferResult]) -> dict[int, OfferResult]:
    """Each funnel's offers summed over its versions (the Funnels list's one line)."""
    totals: dict[int, OfferResult] = {}
    for r in results:
        total = totals.setdefault(r.funnel_id, OfferResult(r.funnel_id, 0, ""))
        total.shown += r.shown
        total.accepted += r.accepted
        total.declined += r.declined
        total.paid += r.paid
        for currency, amount in r.revenue.items():
            total.revenue[currency] = total.revenue.get(currency, Decimal(0)) + amount
    return totals
