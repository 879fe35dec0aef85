"""Refunds and cancellations made on the platform reach Cartpath's own orders through the
sandbox's real webhooks, once each whatever the duplicates, and the day they belong to
(the shop's own: the sandbox's shops are in New York and Chicago) is rolled up again."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import requests
from sqlalchemy import select, update

from analytics.figures import Figures
from analytics.models import DailyFigures
from analytics.rollups import refresh_day
from checkout.models import Order
from core.models import Platform, Shop
from core.services import services_of
from tests.checkout.test_writeback import (  # noqa: F401 (the `hosted` fixture)
    hosted,
    ledger_order,
    pay_and_place,
    priced_checkout,
    shopify_orders,
)
from tests.support import bigcommerce as bc
from tests.support.cartpath import SHOP, STORE, LiveCartpath


def _written(live: LiveCartpath, platform: Platform) -> Order:
    order = pay_and_place(live, priced_checkout(live, platform))
    live.wait_for_jobs()
    return ledger_order(live, order.id)


def _settle(live: LiveCartpath) -> None:
    live.sandbox.wait_for_deliveries(timeout=30)
    live.wait_for_jobs(timeout=30)


def _shopify_event(live: LiveCartpath, order: Order, topic: str, **data: object) -> None:
    [platform_order] = shopify_orders(live, order.reference)
    live.sandbox.call(
        "POST",
        "/shopify/events",
        {"shop": SHOP, "topic": topic, "order_id": platform_order["id"], **data},
    )


def _placed_yesterday_and_rolled_up(live: LiveCartpath, order: Order) -> None:
    with services_of(live.app).database.session() as session:
        calendar = session.get(Shop, order.shop_id).calendar
        assert calendar.name != "UTC"  # the platform's timezone was read on install
        yesterday = calendar.today() - timedelta(days=1)
        noon = calendar.bounds(yesterday)[0] + timedelta(hours=12)
        session.execute(update(Order).where(Order.id == order.id).values(created_at=noon))
        refresh_day(session, order.shop_id, yesterday, calendar=calendar)
        session.commit()


def _rolled_up(live: LiveCartpath, order: Order) -> Figures:
    with services_of(live.app).database.session() as session:
        calendar = session.get(Shop, order.shop_id).calendar
        row = session.scalar(
            select(DailyFigures).where(
                DailyFigures.shop_id == order.shop_id,
                DailyFigures.day == calendar.today() - timedelta(days=1),
                DailyFigures.timezone == calendar.name,
            )
        )
        return Figures.from_json(row.figures)


def test_shopify_refunds_count_once_each_and_roll_up_the_orders_day(hosted):  # noqa: F811
    order = _written(hosted, Platform.SHOPIFY)
    _placed_yesterday_and_rolled_up(hosted, order)
    assert _rolled_up(hosted, order).money["USD"].refunded == Decimal("0")
    hosted.sandbox.chaos(duplicate_probability=0.7, reorder_window=0.3)

    _shopify_event(hosted, order, "refunds/create", amount="10.00")
    _shopify_event(hosted, order, "refunds/create", amount="2.50")
    _settle(hosted)

    assert ledger_order(hosted, order.id).refunded_total == Decimal("12.50")
    assert ledger_order(hosted, order.id).cancelled_at is None
    assert _rolled_up(hosted, order).money["USD"].refunded == Decimal("12.50")


def test_a_shopify_cancellation_takes_the_order_out_of_the_numbers(hosted):  # noqa: F811
    order = _written(hosted, Platform.SHOPIFY)
    _placed_yesterday_and_rolled_up(hosted, order)
    assert _rolled_up(hosted, order).money["USD"].orders == 1

    _shopify_event(hosted, order, "orders/cancelled", reason="customer")
    _settle(hosted)

    assert ledger_order(hosted, order.id).cancelled_at is not None
    usd = _rolled_up(hosted, order).money["USD"]
    assert (usd.orders, usd.cancelled, usd.checkout) == (0, 1, Decimal("0"))


def test_a_bigcommerce_cancellation_arrives_through_the_status_webhook(hosted):  # noqa: F811
    order = _written(hosted, Platform.BIGCOMMERCE)
    merchant = bc.v2_api(hosted.sandbox, bc.install(hosted.sandbox)["access_token"])

    merchant.Orders.get(int(order.platform_order_id)).update(status_id=5)  # Cancelled
    _settle(hosted)

    assert ledger_order(hosted, order.id).cancelled_at is not None


def test_a_bigcommerce_refund_is_read_from_the_order_once(hosted):  # noqa: F811
    order = _written(hosted, Platform.BIGCOMMERCE)
    refunds = f"/bigcommerce/stores/{STORE}/orders/{order.platform_order_id}/refunds"
    hosted.sandbox.chaos(duplicate_probability=0.7, reorder_window=0.3)

    hosted.sandbox.call("POST", refunds, {"amount": "5.00"})
    hosted.sandbox.call("POST", refunds, {"amount": "1.25"})
    with pytest.raises(requests.HTTPError, match="400"):  # more than was paid: refused
        hosted.sandbox.call("POST", refunds, {"amount": str(order.total)})
    _settle(hosted)

    assert ledger_order(hosted, order.id).refunded_total == Decimal("6.25")
    assert ledger_order(hosted, order.id).cancelled_at is None
