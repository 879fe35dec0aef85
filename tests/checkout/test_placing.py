"""place_order: one Order per paid checkout, copied from the quote the shopper paid, with
its write-back queued in the same transaction; refused when the payment does not pay it.

The quote below has the shape checkout/pricing.quote_json stores (the platform's answer);
the platform itself is exercised in test_writeback.py.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from checkout.models import Checkout, CheckoutStatus, Order, OrderStatus, Payment, PaymentStatus
from checkout.placing import OrderRefusedError, place_order
from core.db import utcnow
from core.models import Outbox, Platform, Shop
from core.services import services_of

QUOTE = {
    "currency": "USD",
    "subtotal": "118.00",
    "discount_total": "11.80",
    "shipping_total": "5.00",
    "tax_total": "7.70",
    "total": "118.90",
    "shipping_options": [
        {"id": "standard", "title": "Standard", "price": "5.00"},
        {"id": "express", "title": "Express", "price": "15.00"},
    ],
    "selected_shipping": "standard",
    "discount_codes": ["WELCOME10"],
    "discount_errors": [],
}
LINES = [
    {
        "variant_id": "42",
        "product_id": "7",
        "title": "Trail shoe",
        "variant_title": "42",
        "sku": "TRS-42",
        "quantity": 2,
        "unit_price": "59.00",
        "image_url": None,
        "available": True,
        "inventory": 10,
    }
]
ADDRESS = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "address1": "1 Market St",
    "city": "San Francisco",
    "country_code": "US",
    "postal_code": "94105",
    "province_code": "CA",
    "address2": "",
    "company": "",
    "phone": "",
}


@pytest.fixture
def session(app):
    with app.app_context(), services_of(app).database.session() as session:
        yield session


def _paid_checkout(session, **payment_fields) -> tuple[Checkout, Payment]:
    shop = Shop(platform=Platform.SHOPIFY, domain="demo-shop.myshopify.com")
    session.add(shop)
    session.flush()
    checkout = Checkout(
        shop_id=shop.id,
        items=[{"variant_id": "42", "quantity": 2}],
        currency="USD",
        lines=LINES,
        email="ada@example.com",
        marketing_consent=True,
        shipping_address=ADDRESS,
        shipping_option="standard",
        discount_code="WELCOME10",
        quote=QUOTE,
        quoted_at=utcnow(),
        attribution={"utm_source": "spring-mail"},
        expires_at=utcnow() + timedelta(days=30),
    )
    session.add(checkout)
    session.flush()
    fields = {
        "status": PaymentStatus.SUCCEEDED,
        "amount": Decimal("118.90"),
        "currency": "USD",
        **payment_fields,
    }
    payment = Payment(
        shop_id=shop.id,
        checkout_id=checkout.id,
        gateway="stripe",
        idempotency_key=f"checkout-{checkout.id}-1",
        intent_id="pi_1",
        **fields,
    )
    session.add(payment)
    session.flush()
    return checkout, payment


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_the_order_is_the_quote_the_shopper_paid(session):
    checkout, payment = _paid_checkout(session)

    order = place_order(session, checkout, payment)

    assert order.status is OrderStatus.PLACED
    assert (order.total, order.subtotal, order.tax_total) == (
        Decimal("118.90"),
        Decimal("118.00"),
        Decimal("7.70"),
    )
    assert (order.discount_total, order.shipping_total) == (Decimal("11.80"), Decimal("5.00"))
    assert order.shipping_option == {"id": "standard", "title": "Standard", "price": "5.00"}
    assert order.discount_codes == ["WELCOME10"]
    assert order.lines == [
        {
            "variant_id": "42",
            "product_id": "7",
            "title": "Trail shoe",
            "variant_title": "42",
            "sku": "TRS-42",
            "quantity": 2,
            "unit_price": "59.00",
        }
    ]
    assert (order.email, order.marketing_consent, order.currency) == (
        "ada@example.com",
        True,
        "USD",
    )
    assert order.shipping_address == ADDRESS
    assert order.attribution == {"utm_source": "spring-mail"}
    assert payment.order_id == order.id
    assert checkout.status is CheckoutStatus.COMPLETED
    outbox = session.scalar(select(Outbox).where(Outbox.dedupe_key == f"writeback:{order.id}"))
    assert (outbox.job, outbox.args) == ("checkout.writeback:write_back_order", [order.id])
    session.rollback()


def test_placing_twice_returns_the_first_order(app, session):
    checkout, payment = _paid_checkout(session)
    first = place_order(session, checkout, payment)
    session.commit()

    with services_of(app).database.session() as other:
        again = place_order(other, other.get(Checkout, checkout.id), other.get(Payment, payment.id))
        other.commit()

    assert again.id == first.id
    assert _count(session, Order) == 1
    assert (
        session.scalar(
            select(func.count()).select_from(Outbox).where(Outbox.dedupe_key.like("writeback:%"))
        )
        == 1
    )


@pytest.mark.parametrize(
    ("payment_fields", "says"),
    [
        ({"amount": Decimal("118.89")}, "does not match the quoted total"),
        ({"amount": Decimal("118.91")}, "does not match the quoted total"),
        ({"currency": "EUR"}, "does not match the quoted total"),
        ({"status": PaymentStatus.PENDING}, "has not succeeded"),
        ({"status": PaymentStatus.REQUIRES_ACTION}, "has not succeeded"),
        ({"status": PaymentStatus.FAILED}, "has not succeeded"),
    ],
)
def test_a_payment_that_does_not_pay_the_quote_is_refused(session, payment_fields, says):
    checkout, payment = _paid_checkout(session, **payment_fields)

    with pytest.raises(OrderRefusedError, match=says):
        place_order(session, checkout, payment)

    assert _count(session, Order) == 0
    assert _count(session, Outbox) == 0
    assert checkout.status is CheckoutStatus.OPEN
    session.rollback()


def test_the_amount_matches_to_the_cent_whatever_its_scale(session):
    checkout, payment = _paid_checkout(session, amount=Decimal("118.9000"))

    assert place_order(session, checkout, payment).total == Decimal("118.90")
    session.rollback()
