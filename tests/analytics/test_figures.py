"""The counts and sums behind Home, gathered from known orders, offers and events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from analytics.figures import CurrencyFigures, Figures, OfferFigures, gather, offer_id
from core.services import services_of
from tests.support.ledger import funnel_version, known_day, make_shop, offer_for, placed_order
from upsell.models import OfferStatus

NOON = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
DAY = (datetime(2026, 11, 20, tzinfo=UTC), datetime(2026, 11, 21, tzinfo=UTC))


@pytest.fixture
def session(app):
    with app.app_context(), services_of(app).database.session() as session:
        yield session


def test_a_day_is_counted_net_of_refunds_and_cancellations_per_currency(session):
    shop = make_shop(session, "figures.myshopify.com")
    version_id = known_day(session, shop.id, NOON)

    figures = gather(session, shop.id, *DAY)

    assert figures.money == {
        "USD": CurrencyFigures(
            orders=3,
            checkout=Decimal("190.00"),
            upsell=Decimal("20.00"),
            refunded=Decimal("30.00"),
            cancelled=1,
        ),
        "EUR": CurrencyFigures(orders=1, checkout=Decimal("70.00")),
    }
    assert figures.money["USD"].net_revenue == Decimal("180.00")
    assert (figures.checkouts, figures.offered_orders, figures.took_orders) == (7, 2, 1)
    assert figures.ineligible == {"no_match": 1, "no_saved_card": 1}
    assert figures.offers == {
        offer_id(version_id, "a"): OfferFigures(views=3, taken=1, revenue={"USD": Decimal("20.00")})
    }


def test_only_the_window_and_the_shop_are_counted(session):
    shop = make_shop(session, "window.myshopify.com")
    other = make_shop(session, "other.myshopify.com")
    known_day(session, other.id, NOON)
    placed_order(session, shop.id, "10.00", at=DAY[0] - timedelta(microseconds=1))
    placed_order(session, shop.id, "11.00", at=DAY[0])
    placed_order(session, shop.id, "12.00", at=DAY[1])

    figures = gather(session, shop.id, *DAY)

    assert figures.money == {"USD": CurrencyFigures(orders=1, checkout=Decimal("11.00"))}
    assert figures.checkouts == 1
    assert (figures.offered_orders, figures.ineligible, figures.offers) == (0, {}, {})


def test_native_offers_accepted_in_shopify_count_as_taken_without_a_cartpath_order(session):
    shop = make_shop(session, "native.myshopify.com")
    version = funnel_version(session, shop.id)
    order = placed_order(session, shop.id, "30.00", at=NOON)
    accepted = offer_for(session, order, version, "9.99", status=OfferStatus.ACCEPTED)
    accepted.order_id = None  # Shopify's post-purchase page: the order is Shopify's
    session.flush()

    figures = gather(session, shop.id, *DAY)

    assert figures.money["USD"].upsell == Decimal("9.99")
    assert figures.took_orders == 1


def test_a_hosted_offer_still_being_charged_is_not_revenue_yet(session):
    shop = make_shop(session, "charging.myshopify.com")
    version = funnel_version(session, shop.id)
    order = placed_order(session, shop.id, "30.00", at=NOON)
    offer_for(session, order, version, "9.99", status=OfferStatus.ACCEPTED)

    figures = gather(session, shop.id, *DAY)

    assert figures.money["USD"].upsell == Decimal("0")
    assert (figures.offered_orders, figures.took_orders) == (1, 0)


def test_figures_add_up_exactly_and_survive_json():
    cents = Figures(
        money={"USD": CurrencyFigures(orders=1, checkout=Decimal("0.10"))},
        ineligible={"currency": 1},
        offers={"1:a": OfferFigures(1, 1, {"USD": Decimal("0.20")})},
    )
    total = sum([cents] * 3, Figures())

    assert total.money["USD"].checkout == Decimal("0.30")  # not 0.30000000000000004
    assert total.offers["1:a"] == OfferFigures(3, 3, {"USD": Decimal("0.60")})
    assert total.ineligible == {"currency": 3}
    assert Figures.from_json(total.to_json()) == total
