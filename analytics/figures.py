"""The raw counts and sums behind Home, for one shop and one stretch of time.

`gather` reads them from the ledger (orders, shown offers, checkouts, events) in a few
grouped queries; `Figures` adds up across days so a period is the sum of its daily
rollups plus today's live figures. Money is kept per currency and never added across
currencies: a shop whose orders come in several currencies gets one set of amounts per
currency. Amounts are Decimals; on SQLite (the demo) the database sums in floating
point, which is exact to the 4 places the columns keep for any shop-sized total.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, distinct, func, or_, select
from sqlalchemy.orm import Session

from analytics.models import AnalyticsEvent, EventKind
from checkout.models import Checkout, Order
from upsell.models import OfferStatus, ShownOffer

ZERO = Decimal("0")


@dataclass(frozen=True)
class CurrencyFigures:
    """Orders in one currency. Cancelled orders are only counted in `cancelled`; the
    others' checkout totals, paid upsells and refunds are summed separately."""

    orders: int = 0
    checkout: Decimal = ZERO
    upsell: Decimal = ZERO
    refunded: Decimal = ZERO
    cancelled: int = 0

    def __add__(self, other: CurrencyFigures) -> CurrencyFigures:
        return CurrencyFigures(
            self.orders + other.orders,
            self.checkout + other.checkout,
            self.upsell + other.upsell,
            self.refunded + other.refunded,
            self.cancelled + other.cancelled,
        )

    @property
    def net_revenue(self) -> Decimal:
        """What the shop kept: checkout totals plus paid upsells, less refunds."""
        return self.checkout + self.upsell - self.refunded


@dataclass(frozen=True)
class OfferFigures:
    """One offer of one funnel version: how often its page was seen, how often it was
    taken, and what it brought in (per currency)."""

    views: int = 0
    taken: int = 0
    revenue: Mapping[str, Decimal] = field(default_factory=dict)

    def __add__(self, other: OfferFigures) -> OfferFigures:
        return OfferFigures(
            self.views + other.views,
            self.taken + other.taken,
            _add_maps(self.revenue, other.revenue, ZERO),
        )


@dataclass(frozen=True)
class Figures:
    money: Mapping[str, CurrencyFigures] = field(default_factory=dict)
    checkouts: int = 0  # checkouts started
    offered_orders: int = 0  # orders whose shopper could see an offer (not cancelled)
    took_orders: int = 0  # of those, orders that took at least one offer
    ineligible: Mapping[str, int] = field(default_factory=dict)  # reason -> orders
    offers: Mapping[str, OfferFigures] = field(default_factory=dict)  # offer_id(...) -> figures

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            _add_maps(self.money, other.money, CurrencyFigures()),
            self.checkouts + other.checkouts,
            self.offered_orders + other.offered_orders,
            self.took_orders + other.took_orders,
            _add_maps(self.ineligible, other.ineligible, 0),
            _add_maps(self.offers, other.offers, OfferFigures()),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "money": {
                currency: {
                    "orders": m.orders,
                    "checkout": str(m.checkout),
                    "upsell": str(m.upsell),
                    "refunded": str(m.refunded),
                    "cancelled": m.cancelled,
                }
                for currency, m in self.money.items()
            },
            "checkouts": self.checkouts,
            "offered_orders": self.offered_orders,
            "took_orders": self.took_orders,
            "ineligible": dict(self.ineligible),
            "offers": {
                key: {
                    "views": o.views,
                    "taken": o.taken,
                    "revenue": {c: str(a) for c, a in o.revenue.items()},
                }
                for key, o in self.offers.items()
            },
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Figures:
        return cls(
            money={
                currency: CurrencyFigures(
                    int(m["orders"]),
                    Decimal(m["checkout"]),
                    Decimal(m["upsell"]),
                    Decimal(m["refunded"]),
                    int(m["cancelled"]),
                )
                for currency, m in data.get("money", {}).items()
            },
            checkouts=int(data.get("checkouts", 0)),
            offered_orders=int(data.get("offered_orders", 0)),
            took_orders=int(data.get("took_orders", 0)),
            ineligible={k: int(v) for k, v in data.get("ineligible", {}).items()},
            offers={
                key: OfferFigures(
                    int(o["views"]),
                    int(o["taken"]),
                    {c: Decimal(a) for c, a in o["revenue"].items()},
                )
                for key, o in data.get("offers", {}).items()
            },
        )


def _add_maps(first: Mapping[str, Any], second: Mapping[str, Any], zero: Any) -> dict[str, Any]:
    merged = dict(first)
    for key, value in second.items():
        merged[key] = merged.get(key, zero) + value
    return merged


def offer_id(funnel_version_id: int | None, offer_key: str | None) -> str:
    """How an offer is named in Figures.offers (JSON keys are strings)."""
    return f"{funnel_version_id}:{offer_key}"


def _taken() -> Any:
    """A shown offer the shopper took: paid on the saved card (hosted), or accepted in
    Shopify's post-purchase page (native: Shopify charges, there is no Cartpath order)."""
    return or_(
        ShownOffer.status == OfferStatus.PAID,
        and_(ShownOffer.status == OfferStatus.ACCEPTED, ShownOffer.order_id.is_(None)),
    )


def gather(session: Session, shop_id: int, start: datetime, end: datetime) -> Figures:
    """The shop's figures for orders, offers and checkouts created in [start, end):
    five grouped queries, each on an index that starts with (shop_id, ... created_at)."""
    money = _orders(session, shop_id, start, end)
    offers: dict[str, OfferFigures] = {}
    for version_id, key, count in _views(session, shop_id, start, end):
        offers[offer_id(version_id, key)] = OfferFigures(views=count)
    for version_id, key, currency, count, revenue in _taken_offers(session, shop_id, start, end):
        name = offer_id(version_id, key)
        taken = OfferFigures(0, count, {currency: revenue})
        offers[name] = offers.get(name, OfferFigures()) + taken
        figures = money.get(currency, CurrencyFigures())
        money[currency] = replace(figures, upsell=figures.upsell + revenue)
    offered, took = _reach(session, shop_id, start, end)
    return Figures(
        money=money,
        checkouts=_checkouts(session, shop_id, start, end),
        offered_orders=offered,
        took_orders=took,
        ineligible=_ineligible(session, shop_id, start, end),
        offers=offers,
    )


def _orders(session: Session, shop_id: int, start: datetime, end: datetime) -> dict:
    live = Order.cancelled_at.is_(None)
    rows = session.execute(
        select(
            Order.currency,
            live.label("live"),
            func.count(),
            func.coalesce(func.sum(Order.total), ZERO),
            func.coalesce(func.sum(Order.refunded_total), ZERO),
        )
        .where(Order.shop_id == shop_id, Order.created_at >= start, Order.created_at < end)
        .group_by(Order.currency, live)
    ).all()
    money: dict[str, CurrencyFigures] = {}
    for currency, is_live, count, total, refunded in rows:
        figures = money.get(currency, CurrencyFigures())
        if is_live:
            figures = replace(figures, orders=count, checkout=total, refunded=refunded)
        else:
            figures = replace(figures, cancelled=count)
        money[currency] = figures
    return money


def _shown_in(shop_id: int, start: datetime, end: datetime) -> Any:
    """Offers shown in the window, those of cancelled orders aside (the caller joins Order)."""
    return and_(
        ShownOffer.shop_id == shop_id,
        ShownOffer.created_at >= start,
        ShownOffer.created_at < end,
        Order.cancelled_at.is_(None),
    )


def _taken_offers(session: Session, shop_id: int, start: datetime, end: datetime) -> list:
    """(version, offer key, currency, times taken, revenue) of taken offers."""
    return session.execute(
        select(
            ShownOffer.funnel_version_id,
            ShownOffer.offer_key,
            ShownOffer.currency,
            func.count(),
            func.coalesce(func.sum(ShownOffer.total), ZERO),
        )
        .outerjoin(Order, Order.id == ShownOffer.order_id)
        .where(_shown_in(shop_id, start, end), _taken())
        .group_by(ShownOffer.funnel_version_id, ShownOffer.offer_key, ShownOffer.currency)
    ).all()


def _reach(session: Session, shop_id: int, start: datetime, end: datetime) -> tuple[int, int]:
    """Orders that could see an offer, and of those the ones that took one."""
    reference = ShownOffer.order_reference
    offered, took = session.execute(
        select(
            func.count(distinct(reference)),
            func.count(distinct(case((_taken(), reference)))),
        )
        .outerjoin(Order, Order.id == ShownOffer.order_id)
        .where(_shown_in(shop_id, start, end))
    ).one()
    return offered, took


def _checkouts(session: Session, shop_id: int, start: datetime, end: datetime) -> int:
    return session.scalar(
        select(func.count()).where(
            Checkout.shop_id == shop_id, Checkout.created_at >= start, Checkout.created_at < end
        )
    )


def _events(kind: EventKind, shop_id: int, start: datetime, end: datetime) -> Any:
    return and_(
        AnalyticsEvent.shop_id == shop_id,
        AnalyticsEvent.kind == kind,
        AnalyticsEvent.created_at >= start,
        AnalyticsEvent.created_at < end,
    )


def _ineligible(session: Session, shop_id: int, start: datetime, end: datetime) -> dict:
    """Orders that could not see an offer, by reason (an order counted once per reason)."""
    rows = session.execute(
        select(AnalyticsEvent.reason, func.count(distinct(AnalyticsEvent.order_reference)))
        .where(_events(EventKind.OFFER_INELIGIBLE, shop_id, start, end))
        .group_by(AnalyticsEvent.reason)
    ).all()
    return {reason or "unknown": count for reason, count in rows}


def _views(session: Session, shop_id: int, start: datetime, end: datetime) -> list:
    """(version, offer key, times its page was first shown)."""
    return session.execute(
        select(AnalyticsEvent.funnel_version_id, AnalyticsEvent.offer_key, func.count())
        .where(_events(EventKind.OFFER_SHOWN, shop_id, start, end))
        .group_by(AnalyticsEvent.funnel_version_id, AnalyticsEvent.offer_key)
    ).all()
