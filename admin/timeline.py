"""Everything that happened to one checkout and its order, in time order, for support.

Read from the records each part already keeps (the checkout, payments, analytics events,
write-back attempts of the order and of its upsell items, webhook events, alerts, the
audit log); nothing is stored twice.
Checkout edits are not recorded one by one, so the checkout shows as it was last saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from analytics.models import AnalyticsEvent, EventKind
from auth.models import StaffMember
from checkout.models import (
    AttemptOutcome,
    Checkout,
    CheckoutStatus,
    Order,
    Payment,
    PaymentKind,
    PaymentStatus,
    WritebackAttempt,
)
from checkout.writeback import alert_subject
from core.models import Alert, AuditLog, Shop, WebhookEvent, WebhookStatus
from core.money import Money
from platforms.admin_links import plain_order_id
from upsell.models import ShownOffer


@dataclass(frozen=True)
class Entry:
    at: datetime
    kind: str  # checkout, charge, upsell, write-back, webhook, alert, staff
    title: str
    detail: str = ""
    tone: str = ""  # a badge tone: success, critical, warning, info


def money(amount: Decimal | None, currency: str | None, shop: Shop) -> str:
    if amount is None or not currency:
        return ""
    return Money.of(amount, currency).format(shop.locale)


def staff_names(session: Session, shop_id: int) -> dict[str, str]:
    """Audit actors ("staff:7") as people read them: the member's email, else their user id."""
    members = session.scalars(select(StaffMember).where(StaffMember.shop_id == shop_id))
    return {
        f"staff:{member.id}": member.email or f"user {member.platform_user_id}"
        for member in members
    }


def order_target(order: Order) -> str:
    """How audit rows name an order, so its timeline finds the staff actions on it."""
    return f"order:{order.id}"


def timeline(session: Session, shop: Shop, checkout: Checkout, order: Order | None) -> list[Entry]:
    entries = _checkout_entries(checkout, order, shop)
    payments = session.scalars(
        select(Payment).where(Payment.shop_id == shop.id, Payment.checkout_id == checkout.id)
    ).all()
    entries += [_charge(payment, shop) for payment in payments]
    subjects = [f"payment:{payment.id}" for payment in payments]
    if order is not None:
        entries += _upsells(session, shop, order)
        entries += _attempts(session, shop, order)
        entries += _webhooks(session, shop, order)
        entries += _staff_actions(session, shop, order)
        subjects.append(alert_subject(order.reference))
    entries += _alerts(session, shop, subjects)
    return sorted(entries, key=lambda entry: entry.at)


def _delivery(checkout: Checkout) -> str:
    """The chosen delivery as the shopper saw it (its title in the last quote)."""
    options = (checkout.quote or {}).get("shipping_options", [])
    chosen = next((o for o in options if o.get("id") == checkout.shipping_option), None)
    if chosen is None:
        return checkout.shipping_option
    return ("Pickup: " if chosen.get("pickup") else "") + chosen.get("title", chosen["id"])


def _checkout_entries(checkout: Checkout, order: Order | None, shop: Shop) -> list[Entry]:
    entries = [Entry(checkout.created_at, "checkout", "Checkout started", _items(checkout))]
    saved = [
        f"Email {checkout.email}" if checkout.email else "",
        _address(checkout.shipping_address),
        f"Delivery: {_delivery(checkout)}" if checkout.shipping_option else "",
        f"Discount code {checkout.discount_code}" if checkout.discount_code else "",
    ]
    if any(saved):
        entries.append(
            Entry(
                checkout.updated_at
                if order is None
                else min(checkout.updated_at, order.created_at),
                "checkout",
                "Contact, address, delivery and discount as last saved",
                " · ".join(part for part in saved if part),
            )
        )
    if checkout.quoted_at and checkout.quote:
        total = money(Decimal(str(checkout.quote.get("total", 0))), checkout.currency, shop)
        entries.append(Entry(checkout.quoted_at, "checkout", "Priced by the platform", total))
    if order is not None:
        entries.append(
            Entry(
                order.created_at,
                "checkout",
                f"Order {order.reference} placed",
                money(order.total, order.currency, shop),
                "success",
            )
        )
    elif checkout.status is not CheckoutStatus.COMPLETED:
        entries.append(
            Entry(checkout.updated_at, "checkout", f"Checkout {checkout.status.value}", "", "info")
        )
    return entries


def _items(checkout: Checkout) -> str:
    lines = checkout.lines or checkout.items or []
    parts = [f"{line.get('quantity', 1)} × {line.get('title') or line.get('id')}" for line in lines]
    return ", ".join(parts)


def _address(address: dict[str, str] | None) -> str:
    if not address:
        return ""
    where = [address.get(key, "") for key in ("city", "province_code", "country_code")]
    return "Ships to " + ", ".join(part for part in where if part)


_CHARGE_TONES = {
    PaymentStatus.SUCCEEDED: "success",
    PaymentStatus.FAILED: "critical",
    PaymentStatus.REQUIRES_ACTION: "warning",
    PaymentStatus.PENDING: "info",
}


def _charge(payment: Payment, shop: Shop) -> Entry:
    what = "Upsell charge" if payment.kind is PaymentKind.UPSELL else "Charge"
    detail = [money(payment.amount, payment.currency, shop), payment.gateway]
    if payment.status is PaymentStatus.FAILED:
        detail.append(payment.message or "")
        detail.append(f"({payment.decline_code})" if payment.decline_code else "")
    return Entry(
        payment.created_at,
        "charge",
        f"{what} {payment.status.value.replace('_', ' ')}",
        " · ".join(part for part in detail if part),
        _CHARGE_TONES[payment.status],
    )


_OFFER_WORDS = {
    EventKind.OFFER_SHOWN: ("Offer {key} shown", "info"),
    EventKind.OFFER_ACCEPTED: ("Offer {key} accepted", "info"),
    EventKind.OFFER_DECLINED: ("Offer {key} declined", ""),
    EventKind.OFFER_PAID: ("Offer {key} paid", "success"),
    EventKind.OFFER_FAILED: ("Offer {key} failed", "critical"),
    EventKind.OFFER_INELIGIBLE: ("No offer could be shown", ""),
}


def _upsells(session: Session, shop: Shop, order: Order) -> list[Entry]:
    events = session.scalars(
        select(AnalyticsEvent).where(
            AnalyticsEvent.shop_id == shop.id,
            AnalyticsEvent.order_reference == order.reference,
            AnalyticsEvent.kind.in_(list(_OFFER_WORDS)),
        )
    ).all()
    entries = []
    for event in events:
        title, tone = _OFFER_WORDS[event.kind]
        detail = [money(event.amount, event.currency, shop), event.reason or ""]
        entries.append(
            Entry(
                event.created_at,
                "upsell",
                title.format(key=event.offer_key or ""),
                " · ".join(part for part in detail if part),
                tone,
            )
        )
    return entries


_ATTEMPT_TONES = {
    AttemptOutcome.WRITTEN: "success",
    AttemptOutcome.ALREADY_THERE: "success",
    AttemptOutcome.RETRYING: "warning",
    AttemptOutcome.FAILED: "critical",
    AttemptOutcome.RUNNING: "info",
    AttemptOutcome.LOST: "warning",
}
# An upsell item is added to the platform order, not written; the rest read the same.
_ITEM_OUTCOMES = {AttemptOutcome.WRITTEN: "added", AttemptOutcome.ALREADY_THERE: "already there"}


def _attempts(session: Session, shop: Shop, order: Order) -> list[Entry]:
    """The order's write-back tries and its paid upsell items' tries, each named by what
    it was writing so support can tell them apart."""
    rows = session.execute(
        select(WritebackAttempt, ShownOffer)
        .outerjoin(ShownOffer, ShownOffer.id == WritebackAttempt.shown_offer_id)
        .where(WritebackAttempt.shop_id == shop.id, WritebackAttempt.order_id == order.id)
    ).all()
    return [
        Entry(
            attempt.started_at,
            "write-back",
            _attempt_title(attempt, offer),
            " · ".join(
                part
                for part in (
                    f"HTTP {attempt.platform_status}" if attempt.platform_status else "",
                    attempt.error or "",
                )
                if part
            ),
            _ATTEMPT_TONES[attempt.outcome],
        )
        for attempt, offer in rows
    ]


def _attempt_title(attempt: WritebackAttempt, offer: ShownOffer | None) -> str:
    if offer is None:
        return f"Write-back attempt {attempt.number}: {attempt.outcome.value}"
    item = offer.quote.get("title") or f"of offer {offer.offer_key}"
    outcome = _ITEM_OUTCOMES.get(attempt.outcome, attempt.outcome.value)
    return f"Upsell item {item} attempt {attempt.number}: {outcome}"


def _webhooks(session: Session, shop: Shop, order: Order) -> list[Entry]:
    if not order.platform_order_id:
        return []
    events = session.scalars(
        select(WebhookEvent).where(
            WebhookEvent.shop_id == shop.id,
            WebhookEvent.resource_id == plain_order_id(order.platform_order_id),
        )
    ).all()
    return [
        Entry(
            event.received_at,
            "webhook",
            f"Webhook {event.topic} {event.status.value}",
            event.error or "",
            "critical" if event.status is WebhookStatus.FAILED else "",
        )
        for event in events
    ]


def _staff_actions(session: Session, shop: Shop, order: Order) -> list[Entry]:
    rows = session.scalars(
        select(AuditLog).where(AuditLog.shop_id == shop.id, AuditLog.target == order_target(order))
    ).all()
    names = staff_names(session, shop.id) if rows else {}
    return [
        Entry(row.created_at, "staff", row.action, f"by {names.get(row.actor, row.actor)}", "info")
        for row in rows
    ]


def _alerts(session: Session, shop: Shop, subjects: list[str]) -> list[Entry]:
    alerts = session.scalars(
        select(Alert).where(Alert.shop_id == shop.id, Alert.subject.in_(subjects))
    ).all()
    entries = []
    for alert in alerts:
        entries.append(Entry(alert.created_at, "alert", "Alert raised", alert.message, "critical"))
        if alert.resolved_at:
            entries.append(
                Entry(alert.resolved_at, "alert", "Alert resolved", alert.kind, "success")
            )
    return entries
