"""Placing the order: the one transaction that turns a paid checkout into a ledger Order.

The Order, the payment's link to it, the checkout's completion and the outbox row of
its write-back commit together, before any platform call, so a crash after the charge
can neither lose the order nor write it twice. Amounts are copied from the quote the
page showed and the shopper paid, never recomputed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from checkout.models import Checkout, CheckoutStatus, Order, Payment, PaymentStatus
from checkout.writeback import write_back_order
from core.outbox import defer

CENT = Decimal("0.01")
LINE_FIELDS = ("variant_id", "product_id", "title", "variant_title", "sku", "quantity")


class OrderRefusedError(ValueError):
    """The payment does not pay for this checkout's quote: no order is recorded."""


def place_order(session: Session, checkout: Checkout, payment: Payment) -> Order:
    """Record the paid checkout as an Order in the caller's transaction (no commit).

    Calling it again for the same checkout returns the order already placed.
    :raises OrderRefusedError: the payment did not succeed, or does not match the quote's
        total and currency to the cent, or belongs to another checkout.
    """
    # The checkout row's lock makes a second placing of it wait for the first, then find
    # its order (SQLite transactions begin IMMEDIATE and so are serialized already). No
    # savepoint: releasing one would fire the outbox's after-commit dispatch early.
    session.execute(select(Checkout.id).where(Checkout.id == checkout.id).with_for_update())
    existing = _order_of(session, checkout.id)
    if existing is not None:
        _link(payment, existing)
        return existing
    quote = _paid_quote(checkout, payment)
    order = _new_order(checkout, quote)
    session.add(order)
    session.flush()
    _link(payment, order)
    checkout.status = CheckoutStatus.COMPLETED
    defer(
        session,
        write_back_order,
        order.id,
        dedupe_key=f"writeback:{order.id}",
        shop_id=order.shop_id,
    )
    return order


def _order_of(session: Session, checkout_id: int) -> Order | None:
    return session.scalar(select(Order).where(Order.checkout_id == checkout_id))


def _link(payment: Payment, order: Order) -> None:
    if payment.order_id is None and payment.status is PaymentStatus.SUCCEEDED:
        payment.order_id = order.id


def _paid_quote(checkout: Checkout, payment: Payment) -> dict[str, Any]:
    if payment.checkout_id != checkout.id or payment.shop_id != checkout.shop_id:
        raise OrderRefusedError("This payment belongs to another checkout.")
    if payment.status is not PaymentStatus.SUCCEEDED:
        raise OrderRefusedError(
            f"The payment has not succeeded (it is {payment.status.value}); no order is placed."
        )
    quote = checkout.quote
    if not quote or not checkout.lines:
        raise OrderRefusedError("The checkout has no quote to place an order from.")
    total, currency = Decimal(quote["total"]), str(quote["currency"]).upper()
    paid = Decimal(payment.amount).quantize(CENT)
    if payment.currency.upper() != currency or paid != total.quantize(CENT):
        raise OrderRefusedError(
            f"The payment ({paid} {payment.currency.upper()}) does not match the quoted "
            f"total ({total} {currency}); no order is placed."
        )
    return quote


def _new_order(checkout: Checkout, quote: dict[str, Any]) -> Order:
    selected = quote.get("selected_shipping")
    shipping = next((o for o in quote.get("shipping_options", []) if o["id"] == selected), None)
    return Order(
        shop_id=checkout.shop_id,
        checkout_id=checkout.id,
        email=checkout.email,
        marketing_consent=checkout.marketing_consent,
        currency=str(quote["currency"]).upper(),
        lines=[
            {**{name: line[name] for name in LINE_FIELDS}, "unit_price": str(line["unit_price"])}
            for line in checkout.lines
        ],
        shipping_address=dict(checkout.shipping_address) if checkout.shipping_address else None,
        shipping_option=dict(shipping) if shipping else None,
        discount_codes=list(quote.get("discount_codes", [])),
        subtotal=Decimal(quote["subtotal"]),
        discount_total=Decimal(quote["discount_total"]),
        shipping_total=Decimal(quote["shipping_total"]),
        tax_total=Decimal(quote["tax_total"]),
        total=Decimal(quote["total"]),
        attribution=dict(checkout.attribution or {}),
    )
