"""Per-offer results straight from the database: a period's window, currencies kept
apart, and only the asked shop's and funnels' events counted (the Home page's use)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from analytics.models import AnalyticsEvent, EventKind
from analytics.offer_results import funnel_totals, offer_results
from core.models import Platform, Shop
from core.services import services_of
from upsell.service import create_funnel, current_version

DEFINITION = {
    "trigger": {"kind": "always"},
    "entry": "main",
    "offers": {
        "main": {"product_id": "1", "variant_ids": ["11"], "headline": "One more?"},
    },
}
START = datetime(2026, 11, 1, tzinfo=UTC)


def _shop_with_funnel(session, domain: str) -> tuple[int, int, int]:
    shop = Shop(platform=Platform.SHOPIFY, domain=domain)
    session.add(shop)
    session.flush()
    funnel = create_funnel(
        session, shop_id=shop.id, actor="test", name=domain, definition=DEFINITION
    )
    session.flush()
    return shop.id, funnel.id, current_version(session, funnel).id


def _event(session, shop_id, version_id, kind, day, amount=None, currency="USD") -> None:
    session.add(
        AnalyticsEvent(
            shop_id=shop_id,
            kind=kind,
            order_reference=f"o-{day}-{kind}",
            funnel_version_id=version_id,
            offer_key="main",
            amount=Decimal(amount) if amount else None,
            currency=currency,
            created_at=START + timedelta(days=day),
        )
    )


def test_a_window_counts_only_its_own_days_and_keeps_currencies_apart(app):
    with services_of(app).database.session() as session:
        shop_id, funnel_id, version_id = _shop_with_funnel(session, "a.myshopify.com")
        other_shop, other_funnel, other_version = _shop_with_funnel(session, "b.myshopify.com")
        for day in (0, 1, 2, 10):
            _event(session, shop_id, version_id, EventKind.OFFER_SHOWN, day)
        _event(session, shop_id, version_id, EventKind.OFFER_PAID, 1, "10.00")
        _event(session, shop_id, version_id, EventKind.OFFER_PAID, 2, "9.00", currency="EUR")
        _event(session, shop_id, version_id, EventKind.OFFER_PAID, 10, "500.00")
        _event(session, shop_id, version_id, EventKind.OFFER_FAILED, 1, "10.00")
        _event(session, other_shop, other_version, EventKind.OFFER_PAID, 1, "70.00")
        session.commit()

        in_window = offer_results(session, shop_id, since=START, until=START + timedelta(days=3))
        theirs_asked_as_mine = offer_results(session, shop_id, funnel_ids=[other_funnel])

    [result] = in_window
    assert (result.funnel_id, result.version, result.offer_key) == (funnel_id, 1, "main")
    assert (result.shown, result.accepted, result.declined, result.paid) == (3, 0, 0, 2)
    assert result.revenue == {"USD": Decimal("10.00"), "EUR": Decimal("9.00")}
    assert result.take_rate == Decimal(2) / Decimal(3)
    assert funnel_totals(in_window)[funnel_id].paid == 2
    assert theirs_asked_as_mine == []


def test_an_offer_never_shown_has_no_take_rate(app):
    with services_of(app).database.session() as session:
        shop_id, _, version_id = _shop_with_funnel(session, "c.myshopify.com")
        _event(session, shop_id, version_id, EventKind.OFFER_DECLINED, 0)
        session.commit()

        [result] = offer_results(session, shop_id)

    assert (result.declined, result.take_rate) == (1, None)
