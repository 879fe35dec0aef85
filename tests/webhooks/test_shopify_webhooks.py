"""Shopify webhooks: verified intake, one effect per event, in any order."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import select

from analytics.models import AnalyticsEvent, EventKind
from app import create_app
from auth.models import DataExport, Role, StaffMember
from checkout.models import Checkout, Order, Payment, WritebackAttempt
from core.db import utcnow
from core.models import Alert, AuditLog, Platform, Shop, WebhookEvent, WebhookStatus
from core.services import services_of
from tests.support.database import empty_all_tables
from tests.support.webhooks import shopify_delivery
from upsell.models import Funnel, FunnelVersion, ShownOffer
from webhooks.models import PlatformOrder, PlatformProduct
from webhooks.process import process_event

SECRET = "webhook-test-secret-" + "w" * 32
SHOP = "demo-shop.myshopify.com"


@pytest.fixture
def shopify_app(make_config) -> Iterator[Flask]:
    application = create_app(make_config(shopify_api_key="key", shopify_api_secret=SECRET))
    with services_of(application).database.session() as session:
        session.add(
            Shop(
                platform=Platform.SHOPIFY,
                domain=SHOP,
                installed_at=utcnow(),
                access_token_encrypted=services_of(application).cipher.encrypt("t"),
            )
        )
        session.commit()
    yield application
    svc = services_of(application)
    svc.jobs.close()
    empty_all_tables(svc.database.engine)
    svc.database.dispose()


def _send(app: Flask, topic: str, payload, **options):
    extra_headers = options.pop("headers", {})
    headers, body = shopify_delivery(
        topic,
        payload,
        shop=options.pop("shop", SHOP),
        secret=options.pop("secret", SECRET),
        **options,
    )
    headers.update(extra_headers)
    return app.test_client().post("/webhooks/shopify", data=body, headers=headers)


def _drain(app: Flask) -> None:
    assert services_of(app).jobs.wait_idle(timeout=15)


def _events(app: Flask) -> list[WebhookEvent]:
    with services_of(app).database.session() as session:
        return list(session.scalars(select(WebhookEvent).order_by(WebhookEvent.id)))


def _order(app: Flask, platform_id: str = "1001") -> PlatformOrder | None:
    with services_of(app).database.session() as session:
        return session.scalar(select(PlatformOrder).where(PlatformOrder.platform_id == platform_id))


def _order_payload(updated_at: str, status: str = "paid", **extra) -> dict:
    return {
        "id": 1001,
        "name": "#1001",
        "email": "jon@example.com",
        "currency": "USD",
        "total_price": "42.50",
        "financial_status": status,
        "cancelled_at": None,
        "updated_at": updated_at,
        "tags": "vip, cartpath-ref123",
        "refunds": [],
        **extra,
    }


def test_a_signed_delivery_is_recorded_acknowledged_and_processed(shopify_app):
    answer = _send(shopify_app, "orders/create", _order_payload("2026-11-20T10:00:00Z"))

    assert answer.status_code == 200
    assert answer.json == {"status": "recorded"}
    _drain(shopify_app)
    [event] = _events(shopify_app)
    assert event.status is WebhookStatus.PROCESSED
    assert "X-Shopify-Hmac-Sha256" in event.headers
    order = _order(shopify_app)
    assert (order.name, str(order.total), order.cartpath_reference) == (
        "#1001",
        "42.5000",
        "ref123",
    )


def test_a_duplicate_delivery_answers_200_and_does_nothing_more(shopify_app):
    payload = _order_payload("2026-11-20T10:00:00Z")
    first = _send(shopify_app, "orders/create", payload, event_id="evt-1")
    again = _send(shopify_app, "orders/create", payload, event_id="evt-1")

    assert (first.json["status"], again.json["status"]) == ("recorded", "duplicate")
    _drain(shopify_app)
    assert len(_events(shopify_app)) == 1


def test_an_older_update_arriving_late_changes_nothing(shopify_app):
    _send(
        shopify_app,
        "orders/updated",
        _order_payload("2026-11-20T12:00:00Z", "refunded"),
        triggered_at="2026-11-20T12:00:00.250Z",
    )
    _drain(shopify_app)
    _send(
        shopify_app,
        "orders/paid",
        _order_payload("2026-11-20T10:00:00Z", "paid"),
        triggered_at="2026-11-20T10:00:00.250Z",
    )
    _drain(shopify_app)

    assert _order(shopify_app).financial_status == "refunded"
    assert all(e.status is WebhookStatus.PROCESSED for e in _events(shopify_app))


def test_a_refund_counts_once_whatever_the_order_of_events(shopify_app):
    refund = {
        "id": 77,
        "order_id": 1001,
        "created_at": "2026-11-21T09:00:00Z",
        "transactions": [{"kind": "refund", "status": "success", "amount": "10.00"}],
    }
    _send(shopify_app, "refunds/create", refund)
    _send(shopify_app, "refunds/create", refund)  # a second event id for the same refund
    _drain(shopify_app)
    _send(
        shopify_app,
        "orders/updated",
        _order_payload(
            "2026-11-21T09:00:01Z",
            "partially_refunded",
            refunds=[
                {
                    "id": 77,
                    "created_at": "2026-11-21T09:00:00Z",
                    "transactions": [{"kind": "refund", "status": "success", "amount": "10.00"}],
                }
            ],
        ),
    )
    _drain(shopify_app)

    order = _order(shopify_app)
    assert str(order.refunded_total) == "10.0000"
    assert order.financial_status == "partially_refunded"


def _recorded(app: Flask, topic: str, payload: dict, key: str) -> int:
    """A verified delivery as intake records it (without sending its job), so a test can
    process several at the same moment."""
    with services_of(app).database.session() as session:
        shop_id = session.scalar(select(Shop.id).where(Shop.domain == SHOP))
        event = WebhookEvent(
            shop_id=shop_id,
            platform=Platform.SHOPIFY,
            topic=topic,
            event_key=key,
            headers={},
            body=json.dumps(payload),
        )
        session.add(event)
        session.commit()
        return event.id


def _refund(refund_id: int, amount: str, order_id: int) -> dict:
    return {
        "id": refund_id,
        "order_id": order_id,
        "created_at": "2026-11-20T10:05:00Z",
        "transactions": [{"kind": "refund", "status": "success", "amount": amount}],
    }


def _process_together(app: Flask, event_ids: list[int]) -> list[BaseException]:
    """Process the events on one thread each, released at the same moment; their errors."""
    start = threading.Barrier(len(event_ids))
    errors: list[BaseException] = []

    def process(event_id: int) -> None:
        with app.app_context():
            start.wait()
            try:
                process_event(event_id)
            except BaseException as error:  # noqa: BLE001 - the test reports any of them
                errors.append(error)

    threads = [threading.Thread(target=process, args=(e,)) for e in event_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return errors


def test_events_of_a_new_order_processed_at_once_make_one_row_and_lose_nothing(shopify_app):
    # orders/create, orders/paid and refunds of an order Cartpath has not seen yet, run by
    # as many workers at the same moment: each creates the row if missing (one INSERT wins,
    # none fails) and their read-modify-writes of it take turns (no refund is lost).
    for order_id in (2001, 2002, 2003):
        deliveries = [
            ("orders/create", _order_payload("2026-11-20T10:00:00Z", "pending", id=order_id)),
            ("orders/paid", _order_payload("2026-11-20T10:01:00Z", "paid", id=order_id)),
            ("orders/updated", _order_payload("2026-11-20T10:02:00Z", "paid", id=order_id)),
            ("refunds/create", _refund(71, "10.00", order_id)),
            ("refunds/create", _refund(72, "2.50", order_id)),
            ("refunds/create", _refund(73, "0.25", order_id)),
        ]
        event_ids = [
            _recorded(shopify_app, topic, payload, f"race-{order_id}-{n}")
            for n, (topic, payload) in enumerate(deliveries)
        ]
        assert _process_together(shopify_app, event_ids) == []
        assert {e.status for e in _events(shopify_app) if e.id in event_ids} == {
            WebhookStatus.PROCESSED
        }
        with services_of(shopify_app).database.session() as session:
            [row] = session.scalars(
                select(PlatformOrder).where(PlatformOrder.platform_id == str(order_id))
            )
        assert (row.financial_status, row.cartpath_reference) == ("paid", "ref123")
        assert row.refunded_total == Decimal("12.75")


def test_a_deleted_product_is_not_brought_back_by_a_late_update(shopify_app):
    product = {
        "id": 55,
        "title": "Mug",
        "status": "active",
        "updated_at": "2026-11-20T10:00:00Z",
        "variants": [
            {
                "id": 551,
                "sku": "MUG",
                "price": "12.00",
                "inventory_quantity": 3,
                "inventory_policy": "deny",
            }
        ],
    }
    _send(shopify_app, "products/update", product, triggered_at="2026-11-20T10:00:00.1Z")
    _drain(shopify_app)
    _send(shopify_app, "products/delete", {"id": 55}, triggered_at="2026-11-20T11:00:00Z")
    _drain(shopify_app)
    _send(shopify_app, "products/update", product, triggered_at="2026-11-20T10:00:00.1Z")
    _drain(shopify_app)

    with services_of(shopify_app).database.session() as session:
        row = session.scalar(select(PlatformProduct))
    assert row.deleted
    assert row.variants[0]["sku"] == "MUG"


def test_app_uninstalled_stops_the_shop_at_once(shopify_app):
    _send(shopify_app, "app/uninstalled", {"id": 1, "domain": SHOP})
    _drain(shopify_app)
    with services_of(shopify_app).database.session() as session:
        shop = session.scalar(select(Shop))
        assert not shop.is_installed
        assert shop.access_token_encrypted is None


def test_an_unhandled_topic_is_recorded_as_ignored(shopify_app):
    answer = _send(shopify_app, "collections/update", {"id": 3})
    assert answer.status_code == 200
    [event] = _events(shopify_app)
    assert event.status is WebhookStatus.IGNORED


def test_a_delivery_for_an_unknown_shop_is_acknowledged_and_not_kept(shopify_app):
    answer = _send(
        shopify_app,
        "orders/create",
        _order_payload("2026-11-20T10:00:00Z"),
        shop="stranger.myshopify.com",
    )
    assert answer.status_code == 200
    assert _events(shopify_app) == []


@pytest.mark.parametrize(
    "topic", ["orders/create", "customers/redact", "shop/redact", "customers/data_request"]
)
@pytest.mark.parametrize(
    "tamper",
    [
        lambda h, b: ({**h, "X-Shopify-Hmac-Sha256": "AAAA"}, b),
        lambda h, b: ({k: v for k, v in h.items() if k != "X-Shopify-Hmac-Sha256"}, b),
        lambda h, b: (h, b[:-1] + bytes([b[-1] ^ 1])),
        lambda h, b: (h, b + b" "),
    ],
    ids=["wrong-hmac", "no-hmac", "one-byte", "appended"],
)
def test_unverified_deliveries_get_401_and_record_nothing(shopify_app, topic, tamper):
    headers, body = shopify_delivery(
        topic, {"id": 1, "shop_domain": SHOP}, shop=SHOP, secret=SECRET
    )
    headers, body = tamper(headers, body)

    answer = shopify_app.test_client().post("/webhooks/shopify", data=body, headers=headers)

    assert answer.status_code == 401
    assert _events(shopify_app) == []


@pytest.mark.parametrize(
    ("options", "status"),
    [
        ({"headers": {"Content-Type": "text/plain"}}, 415),
        ({"body": b"{not json"}, 400),
        ({"headers": {"X-Shopify-Topic": ""}}, 400),
        ({"body": b"[" + b"1," * 600_000 + b"1]"}, 413),
    ],
    ids=["content-type", "malformed-json", "no-topic", "huge"],
)
def test_malformed_deliveries_get_a_clear_4xx_and_record_nothing(shopify_app, options, status):
    answer = _send(shopify_app, "orders/create", {"id": 1}, **options)
    assert answer.status_code == status
    assert _events(shopify_app) == []


def test_a_signed_delivery_with_an_unreadable_payload_fails_visibly(shopify_app):
    _send(shopify_app, "orders/create", {"name": "no id"})
    _drain(shopify_app)
    [event] = _events(shopify_app)
    assert event.status is WebhookStatus.FAILED
    assert "incomplete" in event.error


def _seed_customer_order(app: Flask) -> None:
    """The platform's order (from its webhook) and Cartpath's own ledger of it: checkout,
    order, payment, a write-back attempt, an offer shown from a funnel, an event and an alert."""
    _send(app, "orders/create", _order_payload("2026-11-20T10:00:00Z"))
    _drain(app)
    with services_of(app).database.session() as session:
        shop = session.scalar(select(Shop))
        checkout = Checkout(
            shop_id=shop.id,
            items=[],
            email="jon@example.com",
            shipping_address={"first_name": "Jon", "city": "Oslo"},
            expires_at=utcnow(),
        )
        session.add(checkout)
        session.flush()
        amounts = dict.fromkeys(
            ("subtotal", "discount_total", "shipping_total", "tax_total", "total"), Decimal(10)
        )
        order = Order(
            shop_id=shop.id,
            checkout_id=checkout.id,
            email="jon@example.com",
            currency="USD",
            lines=[],
            shipping_address={"first_name": "Jon", "city": "Oslo"},
            platform_order_id="1001",
            **amounts,
        )
        funnel = Funnel(shop_id=shop.id, name="Socks")
        session.add_all([order, funnel])
        session.flush()
        version = FunnelVersion(funnel_id=funnel.id, shop_id=shop.id, number=1, definition={})
        payment = Payment(
            shop_id=shop.id,
            checkout_id=checkout.id,
            order_id=order.id,
            gateway="stripe",
            idempotency_key="k1",
            amount=Decimal(10),
            currency="USD",
        )
        session.add_all([version, payment])
        session.flush()
        offer = ShownOffer(
            shop_id=shop.id,
            order_id=order.id,
            order_reference=order.reference,
            funnel_version_id=version.id,
            offer_key="a",
            currency="USD",
            payment_id=payment.id,
        )
        session.add(offer)
        session.flush()
        session.add_all(
            [
                AnalyticsEvent(
                    shop_id=shop.id, kind=EventKind.ORDER_PLACED, funnel_version_id=version.id
                ),
                Alert(shop_id=shop.id, kind="writeback_failed", subject="order:x", message="m"),
                WritebackAttempt(shop_id=shop.id, order_id=order.id, number=1),
                # the try at adding the paid offer's item to the platform order
                WritebackAttempt(
                    shop_id=shop.id, order_id=order.id, shown_offer_id=offer.id, number=1
                ),
            ]
        )
        session.commit()


def test_data_request_gathers_the_customer_s_orders_for_the_merchant(shopify_app):
    _seed_customer_order(shopify_app)
    _send(
        shopify_app,
        "customers/data_request",
        {
            "shop_id": 1,
            "shop_domain": SHOP,
            "orders_requested": [1001],
            "customer": {"id": 9, "email": "jon@example.com"},
            "data_request": {"id": 4242},
        },
    )
    _drain(shopify_app)

    with services_of(shopify_app).database.session() as session:
        export = session.scalar(select(DataExport))
    assert export.request_id == "4242"
    assert [o["platform_id"] for o in export.content["orders"]] == ["1001"]
    [ledger] = export.content["cartpath_orders"]
    assert (ledger["email"], ledger["shipping_address"]["city"]) == ("jon@example.com", "Oslo")


def test_customer_redact_erases_their_personal_data(shopify_app):
    _seed_customer_order(shopify_app)
    _send(
        shopify_app,
        "customers/redact",
        {
            "shop_id": 1,
            "shop_domain": SHOP,
            "customer": {"id": 9, "email": "jon@example.com"},
            "orders_to_redact": [1001],
        },
    )
    _drain(shopify_app)

    assert _order(shopify_app).email == ""
    assert not any("jon@example.com" in e.body for e in _events(shopify_app))
    with services_of(shopify_app).database.session() as session:
        ledger = session.scalars(select(Order)).one()
        assert (ledger.email, ledger.shipping_address) == ("", None)
        assert ledger.total == Decimal(10), "the merchant's books keep their amounts"
        assert session.scalars(select(Checkout)).one().email == ""


def test_shop_redact_erases_the_shop_after_uninstall(shopify_app):
    _seed_customer_order(shopify_app)
    with services_of(shopify_app).database.session() as session:
        shop = session.scalar(select(Shop))
        session.add(
            StaffMember(shop_id=shop.id, platform_user_id="1", email="o@x.com", role=Role.OWNER)
        )
        session.commit()
    _send(shopify_app, "app/uninstalled", {"id": 1})
    _drain(shopify_app)

    _send(shopify_app, "shop/redact", {"shop_id": 1, "shop_domain": SHOP})
    _drain(shopify_app)

    with services_of(shopify_app).database.session() as session:
        assert session.scalars(select(PlatformOrder)).all() == []
        assert session.scalars(select(StaffMember)).all() == []
        for model in (
            Order,
            Payment,
            Checkout,
            ShownOffer,
            Funnel,
            AnalyticsEvent,
            Alert,
            WritebackAttempt,
        ):
            assert session.scalars(select(model)).all() == [], model.__name__
        assert [e.action for e in session.scalars(select(AuditLog))] == ["privacy.shop_erased"]
        [event] = session.scalars(select(WebhookEvent)).all()
        assert json.loads(event.body) == {"redacted": True}
