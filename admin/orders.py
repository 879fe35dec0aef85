"""Orders: every order Cartpath took for the shop, each with its whole timeline, and the
retry of a write-back that gave up (support may press it too)."""

from __future__ import annotations

from flask import Blueprint, abort, request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from admin.paging import paginate
from admin.shell import current_shop, record_action, redirect_to, render_page, shop_record
from admin.timeline import money, order_target, timeline
from auth.identity import require_admin
from checkout.models import Checkout, Order, OrderStatus
from checkout.writeback import retry_write_back
from core.models import Shop
from core.web import db_session
from platforms.admin_links import order_admin_url
from upsell.models import ShownOffer
from webhooks.models import PlatformOrder

blueprint = Blueprint("admin_orders", __name__, template_folder="templates")

PAYMENT_FILTERS = {"paid": "Paid", "refunded": "Refunded"}
WRITEBACK_TONES = {
    OrderStatus.PLACED: "info",
    OrderStatus.WRITTEN: "success",
    OrderStatus.FAILED: "critical",
}
WRITEBACK_WORDS = {
    OrderStatus.PLACED: "Writing",
    OrderStatus.WRITTEN: "Written",
    OrderStatus.FAILED: "Write-back failed",
}


def payment_badge(order: Order, refunded: object) -> tuple[str, str]:
    if not refunded:
        return "Paid", "success"
    if refunded >= order.total:
        return "Refunded", "warning"
    return "Partially refunded", "warning"


def platform_link(shop: Shop, order: Order) -> str | None:
    if not order.platform_order_id:
        return None
    return order_admin_url(shop.platform, shop.domain, order.platform_order_id)


@blueprint.get("/admin/orders")
@require_admin()
def orders():
    session, shop = db_session(), current_shop()
    writeback = _choice("writeback", {status.value for status in OrderStatus})
    payment = _choice("payment", set(PAYMENT_FILTERS))
    # A scalar subquery, not a join: a reference the platform holds twice (reconciliation's
    # business) must not list the order twice.
    refunded = func.coalesce(
        select(func.max(PlatformOrder.refunded_total))
        .where(
            PlatformOrder.shop_id == Order.shop_id,
            PlatformOrder.cartpath_reference == Order.reference,
        )
        .scalar_subquery(),
        0,
    )
    query = (
        select(Order, refunded)
        .where(Order.shop_id == shop.id)
        .order_by(Order.created_at.desc(), Order.id.desc())
    )
    if writeback:
        query = query.where(Order.status == OrderStatus(writeback))
    if payment == "paid":
        query = query.where(refunded == 0)
    elif payment == "refunded":
        query = query.where(refunded > 0)
    page = paginate(session, query)
    return render_page(
        "admin/orders.html",
        title="Orders",
        page=page,
        rows=[
            (order, payment_badge(order, refund), platform_link(shop, order))
            for order, refund in page.rows
        ],
        filters={"writeback": writeback, "payment": payment},
        statuses=list(OrderStatus),
        writeback_words=WRITEBACK_WORDS,
        writeback_tones=WRITEBACK_TONES,
        payment_filters=PAYMENT_FILTERS,
        money=lambda amount, currency: money(amount, currency, shop),
        has_any=bool(writeback or payment) or _has_orders(session, shop),
    )


def _choice(name: str, allowed: set[str]) -> str:
    value = request.args.get(name, "").strip()
    if value and value not in allowed:
        abort(400, f"Filter {name} must be one of: {', '.join(sorted(allowed))}.")
    return value


def _has_orders(session: Session, shop: Shop) -> bool:
    return bool(session.scalar(select(func.count(Order.id)).where(Order.shop_id == shop.id)))


@blueprint.get("/admin/orders/<int:order_id>")
@require_admin()
def order(order_id: int):
    session, shop = db_session(), current_shop()
    found = shop_record(Order, order_id, f"This shop has no order {order_id}.")
    checkout = session.get(Checkout, found.checkout_id)
    refunded = session.scalar(
        select(PlatformOrder.refunded_total).where(
            PlatformOrder.shop_id == shop.id, PlatformOrder.cartpath_reference == found.reference
        )
    )
    offers = session.scalars(
        select(ShownOffer)
        .where(ShownOffer.shop_id == shop.id, ShownOffer.order_id == found.id)
        .order_by(ShownOffer.id)
    ).all()
    return render_page(
        "admin/order.html",
        title=f"Order {found.reference}",
        order=found,
        checkout=checkout,
        offers=offers,
        entries=timeline(session, shop, checkout, found),
        payment=payment_badge(found, refunded),
        platform_url=platform_link(shop, found),
        writeback_words=WRITEBACK_WORDS,
        writeback_tones=WRITEBACK_TONES,
        money=lambda amount, currency: money(amount, currency, shop),
    )


@blueprint.get("/admin/checkouts/<int:checkout_id>")
@require_admin()
def checkout(checkout_id: int):
    """A checkout's timeline; one that became an order is shown as that order."""
    session, shop = db_session(), current_shop()
    found = shop_record(Checkout, checkout_id, f"This shop has no checkout {checkout_id}.")
    placed = session.scalar(select(Order.id).where(Order.checkout_id == found.id))
    if placed is not None:
        return redirect_to("admin_orders.order", order_id=placed)
    return render_page(
        "admin/checkout.html",
        title="Checkout without an order",
        checkout=found,
        entries=timeline(session, shop, found, None),
    )


@blueprint.post("/admin/orders/<int:order_id>/retry")
@require_admin()
def retry(order_id: int):
    """Queue a failed write-back again; every role may, support included."""
    session = db_session()
    found = shop_record(Order, order_id, f"This shop has no order {order_id}.")
    try:
        outbox_id = retry_write_back(session, found)
    except ValueError as error:
        abort(409, f"{error} Only a failed write-back can be retried.")
    record_action(
        session,
        "order.writeback_retried",
        order_target(found),
        {"reference": found.reference, "outbox": outbox_id},
    )
    session.commit()
    return redirect_to(
        "admin_orders.order",
        order_id=found.id,
        notice=f"Write-back of order {found.reference} queued again.",
    )
