"""The Orders page over HTTP: the shop's orders newest first, filtered and paged, each
order's timeline with its write-back attempts, the retry of a failed write-back (support
may press it), and no way to reach another shop's orders."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import requests
from sqlalchemy import select

from analytics.models import AnalyticsEvent, EventKind
from auth.models import Role
from checkout.models import (
    AttemptOutcome,
    Checkout,
    Order,
    OrderStatus,
    Payment,
    PaymentKind,
    PaymentStatus,
    WritebackAttempt,
)
from core.db import utcnow
from core.models import Alert, AuditLog, Platform
from core.services import services_of
from tests.checkout.test_writeback import (  # noqa: F401 - the fixture
    hosted,
    ledger_order,
    pay_and_place,
    priced_checkout,
)
from tests.support.admin import admin_client
from tests.support.cartpath import SHOP, STORE, LiveCartpath
from webhooks.models import PlatformOrder


def ledger(live: LiveCartpath, shop_id: int, count: int, **order: object) -> list[int]:
    """`count` paid orders of the shop straight in the ledger (no platform involved), a
    minute apart, oldest first; their ids."""
    ids = []
    start = utcnow() - timedelta(days=1)
    with services_of(live.app).database.session() as session:
        for n in range(count):
            at = start + timedelta(minutes=n)
            checkout = Checkout(
                shop_id=shop_id, items=[], expires_at=at, created_at=at, email="ann@example.com"
            )
            session.add(checkout)
            session.flush()
            values = {"email": "ann@example.com", "status": OrderStatus.WRITTEN, **order}
            row = Order(
                shop_id=shop_id,
                checkout_id=checkout.id,
                currency="USD",
                lines=[],
                subtotal=Decimal("10"),
                discount_total=Decimal("0"),
                shipping_total=Decimal("0"),
                tax_total=Decimal("0"),
                total=Decimal("10"),
                created_at=at,
                **values,
            )
            session.add(row)
            session.flush()
            ids.append(row.id)
        session.commit()
    return ids


def references(page: requests.Response) -> list[str]:
    return re.findall(r'data-testid="order-row">\s*<td><a href="[^"]+">(CP\w+)</a>', page.text)


@pytest.fixture
def shops(cartpath) -> tuple[int, int]:
    return cartpath.install_shopify(), cartpath.install_bigcommerce()


def test_a_new_shop_is_told_how_its_first_order_arrives(cartpath, shops):
    page = admin_client(cartpath).get("/admin/orders")

    assert page.status_code == 200
    assert "No orders yet" in page.text
    assert "storefront hand-off" in page.text


def test_orders_come_newest_first_fifty_a_page(cartpath, shops):
    shopify, _ = shops
    ids = ledger(cartpath, shopify, 52)
    owner = admin_client(cartpath)

    first, second = owner.get("/admin/orders"), owner.get("/admin/orders", page=2)

    with services_of(cartpath.app).database.session() as session:
        newest_first = [session.get(Order, i).reference for i in reversed(ids)]
    assert references(first) == newest_first[:50]
    assert references(second) == newest_first[50:]
    assert 'rel="next"' in first.text
    assert 'rel="next"' not in second.text


def test_filters_by_write_back_and_payment_status(cartpath, shops):
    shopify, _ = shops
    [failed] = ledger(cartpath, shopify, 1, status=OrderStatus.FAILED)
    [partly_refunded, _] = ledger(cartpath, shopify, 2)
    with services_of(cartpath.app).database.session() as session:
        failed_ref = session.get(Order, failed).reference
        refunded_ref = session.get(Order, partly_refunded).reference
        # the platform's mirror of the order, with a refund its webhooks reported
        session.add(
            PlatformOrder(
                shop_id=shopify,
                platform_id="77",
                cartpath_reference=refunded_ref,
                refunded_total=Decimal("4"),
            )
        )
        session.commit()
    owner = admin_client(cartpath)

    only_failed = owner.get("/admin/orders", writeback="failed")
    refunded = owner.get("/admin/orders", payment="refunded")
    paid = owner.get("/admin/orders", payment="paid")
    none = owner.get("/admin/orders", writeback="placed")

    assert references(only_failed) == [failed_ref]
    assert "Write-back failed" in only_failed.text
    assert references(refunded) == [refunded_ref]
    assert "Partially refunded" in refunded.text
    assert refunded_ref not in references(paid)
    assert len(references(paid)) == 2
    assert "No orders match these filters." in none.text


@pytest.mark.parametrize(
    ("params", "status", "says"),
    [
        ({"page": "abc"}, 400, "Page must be a whole number from 1"),
        ({"page": "0"}, 400, "Page must be a whole number from 1"),
        ({"page": "7"}, 404, "There is no page 7"),
        ({"writeback": "lost"}, 400, "Filter writeback must be one of"),
        ({"payment": "free"}, 400, "Filter payment must be one of"),
    ],
)
def test_bad_list_requests_get_a_clear_message(cartpath, shops, params, status, says):
    ledger(cartpath, shops[0], 3)

    answer = admin_client(cartpath).get("/admin/orders", **params)

    assert answer.status_code == status
    assert says in answer.text


def test_another_shops_orders_and_checkouts_are_not_found(cartpath, shops):
    shopify, bigcommerce = shops
    [theirs] = ledger(cartpath, bigcommerce, 1, status=OrderStatus.FAILED)
    with services_of(cartpath.app).database.session() as session:
        their_checkout = session.get(Order, theirs).checkout_id
    support = admin_client(cartpath, user_id="3", role=Role.SUPPORT)

    answers = [
        support.get(f"/admin/orders/{theirs}"),
        support.get(f"/admin/checkouts/{their_checkout}"),
        support.post(f"/admin/orders/{theirs}/retry"),
        support.get("/admin/orders/999999"),
    ]

    assert [a.status_code for a in answers] == [404, 404, 404, 404]
    assert f"This shop has no order {theirs}." in answers[0].text
    assert ledger_order(cartpath, theirs).status is OrderStatus.FAILED, "nothing changed"
    their_page = admin_client(cartpath, shop=STORE, user_id="1").get(f"/admin/orders/{theirs}")
    assert their_page.status_code == 200


def test_a_checkout_without_an_order_has_its_own_timeline(cartpath, shops):
    shopify, _ = shops
    with services_of(cartpath.app).database.session() as session:
        abandoned = Checkout(
            shop_id=shopify,
            items=[{"id": "1", "quantity": 2}],
            email="walked@example.com",
            shipping_address={"city": "Portland", "province_code": "OR", "country_code": "US"},
            shipping_option="pickup-11",
            quote={"shipping_options": [{"id": "pickup-11", "title": "Main St", "pickup": True}]},
            expires_at=utcnow(),
        )
        session.add(abandoned)
        session.commit()
        checkout_id = abandoned.id

    page = admin_client(cartpath).get(f"/admin/checkouts/{checkout_id}")

    assert page.status_code == 200
    assert "Checkout started" in page.text
    assert "Email walked@example.com · Ships to Portland, OR, US" in page.text
    assert "Delivery: Pickup: Main St" in page.text, "the option's title, not its id"
    assert "Checkout open" in page.text
    assert "no order exists" in page.text


def test_an_orders_timeline_has_its_charges_declines_upsells_and_alerts_in_order(cartpath, shops):
    shopify, _ = shops
    [order_id] = ledger(cartpath, shopify, 1)
    with services_of(cartpath.app).database.session() as session:
        order = session.get(Order, order_id)
        at = order.created_at

        def charge(n: int, status: PaymentStatus, kind: PaymentKind, **extra) -> Payment:
            return Payment(
                shop_id=shopify,
                checkout_id=order.checkout_id,
                order_id=order.id,
                kind=kind,
                status=status,
                gateway="stripe",
                idempotency_key=f"key-{n}",
                amount=Decimal("10"),
                currency="USD",
                created_at=at + timedelta(seconds=n),
                **extra,
            )

        declined = charge(
            -2,
            PaymentStatus.FAILED,
            PaymentKind.CHECKOUT,
            message="Your card was declined.",
            decline_code="card_declined",
        )
        session.add_all(
            [
                declined,
                charge(-1, PaymentStatus.SUCCEEDED, PaymentKind.CHECKOUT),
                charge(3, PaymentStatus.SUCCEEDED, PaymentKind.UPSELL),
            ]
        )
        session.flush()
        for n, kind in (
            (1, EventKind.OFFER_SHOWN),
            (2, EventKind.OFFER_ACCEPTED),
            (4, EventKind.OFFER_PAID),
        ):
            session.add(
                AnalyticsEvent(
                    shop_id=shopify,
                    kind=kind,
                    order_reference=order.reference,
                    offer_key="a",
                    amount=Decimal("10"),
                    currency="USD",
                    created_at=at + timedelta(seconds=n),
                )
            )
        session.add(
            Alert(
                shop_id=shopify,
                kind="payment_locked",
                subject=f"payment:{declined.id}",
                message="Checkout locked after 5 declines",
                created_at=at - timedelta(seconds=1.5),
            )
        )
        session.commit()

    page = admin_client(cartpath).get(f"/admin/orders/{order_id}")

    titles = re.findall(r"<strong>([^<]+)</strong>", page.text)
    assert titles == [
        "Charge failed",
        "Alert raised",
        "Charge succeeded",
        "Checkout started",
        "Contact, address, delivery and discount as last saved",
        f"Order {order.reference} placed",
        "Offer a shown",
        "Offer a accepted",
        "Upsell charge succeeded",
        "Offer a paid",
    ]
    assert "$10.00 · stripe · Your card was declined. · (card_declined)" in page.text


def test_a_failed_write_back_shows_each_attempt_and_support_retries_it(hosted):  # noqa: F811
    token = priced_checkout(hosted, Platform.BIGCOMMERCE)
    hosted.sandbox.fault(kind="status", status=503, path=r"/v3/checkouts/.+/orders$", count=None)
    order = pay_and_place(hosted, token)
    hosted.wait_for_jobs(timeout=60)
    hosted.sandbox.clear_faults()
    support = admin_client(hosted, shop=STORE, user_id="3", role=Role.SUPPORT)

    listed = support.get("/admin/orders", writeback="failed")
    page = support.get(f"/admin/orders/{order.id}")

    assert references(listed) == [order.reference]
    assert page.text.count("Write-back attempt") == 8
    assert "Write-back attempt 8: failed" in page.text
    assert "HTTP 503 · RetriableError: BigCommerce answered 503" in page.text
    assert "Retry write-back" in page.text
    with services_of(hosted.app).database.session() as session:
        attempts = session.scalars(
            select(WritebackAttempt).where(WritebackAttempt.order_id == order.id)
        ).all()
    assert [a.outcome for a in attempts] == [AttemptOutcome.RETRYING] * 7 + [AttemptOutcome.FAILED]
    assert all(a.platform_status == 503 and a.finished_at for a in attempts)
    with services_of(hosted.app).database.session() as session:
        # given: one more attempt whose worker was killed mid-call (it never finished)
        session.get(Order, order.id).writeback_attempts = 9
        session.add(WritebackAttempt(shop_id=order.shop_id, order_id=order.id, number=9))
        session.commit()

    retried = support.post(f"/admin/orders/{order.id}/retry")
    hosted.wait_for_jobs()

    assert retried.status_code == 303
    landing = requests.get(hosted.url + retried.headers["Location"], timeout=10)
    assert f"Write-back of order {order.reference} queued again." in landing.text
    written = ledger_order(hosted, order.id)
    assert written.status is OrderStatus.WRITTEN
    page = support.get(f"/admin/orders/{order.id}")
    assert "Write-back attempt 9: lost" in page.text
    assert "the last attempt never finished (worker lost)" in page.text
    assert "Write-back attempt 10: written" in page.text
    assert f'data-testid="platform-order">{written.platform_order_number}<' in page.text
    assert f"store-{STORE}.mybigcommerce.com/manage/orders/{written.platform_order_id}" in page.text
    assert "order.writeback_retried" in page.text, "the staff action is on the timeline"
    assert "by user 3" in page.text, "with the person who took it"
    with services_of(hosted.app).database.session() as session:
        audited = session.scalar(
            select(AuditLog).where(AuditLog.action == "order.writeback_retried")
        )
    assert (audited.actor, audited.target) == (support.identity.actor, f"order:{order.id}")

    again = support.post(f"/admin/orders/{order.id}/retry")
    assert again.status_code == 409
    assert "is written, not failed. Only a failed write-back can be retried." in again.text


def test_support_may_retry_but_not_change_roles(cartpath, shops):
    shopify, _ = shops
    [order] = ledger(cartpath, shopify, 1, status=OrderStatus.FAILED)
    support = admin_client(cartpath, shop=SHOP, user_id="3", role=Role.SUPPORT)

    retried = support.post(f"/admin/orders/{order}/retry")
    refused = support.post(f"/admin/staff/{support.identity.staff_id}/role", {"role": "owner"})

    assert retried.status_code == 303
    assert refused.status_code == 403
    with services_of(cartpath.app).database.session() as session:
        actions = session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()
    assert "order.writeback_retried" in actions
    assert "access.denied" in actions
