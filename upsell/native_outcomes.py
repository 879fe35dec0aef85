"""What became of a post-purchase offer, as our extension tells it: declined, or, once
signed, what Shopify answered for its changeset.

applyChangeset's answer (`processed`, `partially_processed`, `unprocessed`; Shopify/ui-extensions
post-purchase.ts ApplyChangesetResult) reaches only the extension, which reports it here
(POST /post-purchase/changeset-result, retried when the answer is lost). The report moves an
ACCEPTED offer once: to PAID, or to FAILED. `partially_processed` means Shopify added the
line (and the offer's flat shipping, if any) but could not charge for it, so the outbox
removes that line and that shipping from the order (remove_unpaid_line), which a lost
response or a dead worker can neither skip nor repeat.
A false report cannot take off a paid line: the job touches only an order with money
outstanding. A result that never came (the page closed first) is looked for once the
hold is over (settle_unreported): a partially paid order holding the line means it failed.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from analytics.models import EventKind
from core.alerts import raise_alert
from core.db import utcnow
from core.jobs import RetryPolicy, job
from core.money import Money
from core.outbox import defer
from core.services import Services, services
from platforms.shopify.post_purchase import PurchaseToken
from platforms.shopify.unpaid_lines import (
    AddedShipping,
    Removal,
    UnpaidLine,
    find_unpaid_order,
    remove_unpaid_line,
)
from upsell.models import OfferStatus, ShownOffer
from upsell.native import OfferRefused, event_values, offer_of, shop_for
from upsell.offers import record_event

log = logging.getLogger(__name__)

OUTCOMES = {
    "processed": OfferStatus.PAID,
    "partially_processed": OfferStatus.FAILED,
    "unprocessed": OfferStatus.FAILED,
}
UNPAID_LINE_RETRY = RetryPolicy(max_attempts=8, backoff=(5, 10, 30, 60, 300, 600, 1800))
ALERT_KIND = "post_purchase_unpaid_line"
# How often offers accepted without a reported result are looked for (settle_unreported).
UNREPORTED_CHECK_INTERVAL = 600.0


def _reason(status: str, errors: Any) -> str:
    """The first ChangesetError code Shopify gave, else the status itself."""
    first = errors[0] if isinstance(errors, list) and errors else None
    code = first.get("code") if isinstance(first, dict) else None
    return (code if isinstance(code, str) and code else status)[:60]


def _move_once(
    session: Session, shown: ShownOffer, before: OfferStatus, after: OfferStatus
) -> bool:
    """Move the offer from `before` to `after` in one UPDATE. False: already `after` (a
    repeated report, recorded once).

    :raises OfferRefused: 409 when the offer is in another state.
    """
    moved = session.execute(
        update(ShownOffer)
        .where(ShownOffer.id == shown.id, ShownOffer.status == before)
        .values(status=after, decided_at=shown.decided_at or utcnow())
    ).rowcount
    if moved == 1:
        return True
    now = session.scalar(select(ShownOffer.status).where(ShownOffer.id == shown.id))
    session.rollback()
    if now is after:
        return False
    if now is OfferStatus.SHOWN:
        raise OfferRefused(409, "This offer was never accepted.")
    raise OfferRefused(409, f"This offer was already answered ({now.value}).")


def record_result(purchase: PurchaseToken, offer_id: str, status: Any, errors: Any) -> str:
    """Record Shopify's answer for an accepted offer once; a repeated report is answered
    the same. Returns the offer's status.

    :raises OfferRefused: an unknown status (400), another purchase's offer (404), an offer
        never accepted, or one whose recorded outcome differs (409).
    """
    if status not in OUTCOMES:
        raise OfferRefused(400, "status must be processed, partially_processed or unprocessed.")
    outcome = OUTCOMES[status]
    with services().database.session() as session:
        shop = shop_for(session, purchase)
        shown = offer_of(session, shop, purchase, offer_id)
        if not _move_once(session, shown, OfferStatus.ACCEPTED, outcome):
            return outcome.value
        event = event_values(shown)
        reference = purchase.reference_id
        if outcome is OfferStatus.PAID:
            record_event(session, shop.id, EventKind.OFFER_PAID, reference, **event)
        else:
            event["reason"] = _reason(status, errors)
            record_event(session, shop.id, EventKind.OFFER_FAILED, reference, **event)
        if status == "partially_processed":
            _defer_removal(session, shown)
        session.commit()
    return outcome.value


def record_decline(purchase: PurchaseToken, offer_id: str) -> str:
    """The shopper declined a shown offer (our extension says so as it moves on).

    :raises OfferRefused: another purchase's offer (404), one already accepted (409).
    """
    with services().database.session() as session:
        shop = shop_for(session, purchase)
        shown = offer_of(session, shop, purchase, offer_id)
        if _move_once(session, shown, OfferStatus.SHOWN, OfferStatus.DECLINED):
            kind = EventKind.OFFER_DECLINED
            record_event(session, shop.id, kind, purchase.reference_id, **event_values(shown))
            session.commit()
    return OfferStatus.DECLINED.value


def unpaid_marker(shown_offer_id: int) -> str:
    """Tagged on the Shopify order (tags hold 40 characters)."""
    return f"cpunpaid-{shown_offer_id}"


def _give_up(shown_offer_id: int, message: str) -> None:
    _alert(
        shown_offer_id,
        f", and its line could not be taken off the order: {message}. "
        "Remove the unpaid line by hand.",
    )


def _alert(shown_offer_id: int, what_followed: str) -> None:
    """Tell staff an offer Shopify could not charge needs a hand: `what_followed` says what
    Cartpath did since and what is left to do."""
    with services().database.session() as session:
        shown = session.get(ShownOffer, shown_offer_id)
        raise_alert(
            session,
            shop_id=shown.shop_id,
            kind=ALERT_KIND,
            subject=f"offer:{shown.id}",
            message=f"Shopify could not charge the post-purchase offer {shown.offer_key} of "
            f"purchase {shown.order_reference}{what_followed}",
        )
        session.commit()


def _alert_still_owed(shown_offer_id: int, removal: Removal) -> None:
    """The item came off but the order still shows money due: the offer's shipping was not
    found to take off (staff changed it, or Shopify titled it otherwise)."""
    _alert(
        shown_offer_id,
        f". Its item was taken off the order, but the order still shows {removal.still_owed} "
        f"due ({removal}). Remove the unpaid shipping by hand so the shopper is not asked "
        "to pay it.",
    )


def _defer_removal(session: Session, shown: ShownOffer) -> None:
    defer(
        session,
        take_off_unpaid_line,
        shown.id,
        dedupe_key=f"unpaid-line:{shown.id}",
        shop_id=shown.shop_id,
    )


def _added_shipping(shown: ShownOffer) -> tuple[AddedShipping, ...]:
    """The shipping lines the offer's signed changeset adds (add_shipping_line, titled by
    upsell.native._changes), at the price the order shows: rounded to the currency's unit."""
    return tuple(
        AddedShipping(
            str(change["title"]), Money.of(str(change["price"]), shown.currency).rounded().amount
        )
        for change in shown.quote.get("changes") or ()
        if change.get("type") == "add_shipping_line"
    )


def unpaid_line_of(shown: ShownOffer, hold_seconds: float) -> UnpaidLine:
    """What the offer's changeset put on the order, to be found and taken off again."""
    # A safe lower bound: Shopify makes the order around the time the offer is shown.
    since = shown.created_at - timedelta(seconds=hold_seconds)
    return UnpaidLine(
        unpaid_marker(shown.id),
        str(shown.variant_id),
        shown.quantity,
        since,
        shipping=_added_shipping(shown),
    )


@job(retry=UNPAID_LINE_RETRY, timeout=60, on_give_up=_give_up)
def take_off_unpaid_line(shown_offer_id: int) -> str:
    """Remove the line of an offer Shopify could not charge from the order, once.

    :raises RetriableError: the order is not visible yet, or Shopify did not answer.
    """
    svc = services()
    with svc.database.session() as session:
        shown = session.get(ShownOffer, shown_offer_id)
        if shown is None or shown.status is not OfferStatus.FAILED:
            return "not failed"
        line, shop_id = unpaid_line_of(shown, svc.config.post_purchase_hold), shown.shop_id
        session.commit()
    removal = remove_unpaid_line(shop_id, line)
    log.info("unpaid line of offer %s: %s", shown_offer_id, removal)
    if removal.still_owed > 0:
        _alert_still_owed(shown_offer_id, removal)
    return str(removal)


def settle_unreported(svc: Services) -> int:
    """The periodic task: an offer accepted longer ago than Shopify's hold whose result
    never came (the shopper closed the page before the extension could report) is
    checked against the order once. Returns how many were queued."""
    cutoff = utcnow() - timedelta(seconds=svc.config.post_purchase_hold)
    with svc.database.session() as session:
        rows = session.execute(
            select(ShownOffer.id, ShownOffer.shop_id).where(
                ShownOffer.status == OfferStatus.ACCEPTED,
                ShownOffer.order_id.is_(None),  # hosted offers are charged by Cartpath
                ShownOffer.decided_at < cutoff,
            )
        ).all()
        for shown_id, shop_id in rows:
            defer(
                session,
                check_unreported,
                shown_id,
                dedupe_key=f"unreported:{shown_id}",
                shop_id=shop_id,
            )
        session.commit()
    return len(rows)


@job(retry=UNPAID_LINE_RETRY, timeout=60)
def check_unreported(shown_offer_id: int) -> str:
    """An accepted offer with no result: a partially paid order holding its line since the
    offer means Shopify could not charge it, so it is failed and its line taken off.
    Otherwise it stays accepted (processed or never applied: the order cannot say which).

    :raises RetriableError: Shopify did not answer.
    """
    svc = services()
    with svc.database.session() as session:
        shown = session.get(ShownOffer, shown_offer_id)
        if shown is None or shown.status is not OfferStatus.ACCEPTED:
            return "reported since"
        line, shop_id = unpaid_line_of(shown, svc.config.post_purchase_hold), shown.shop_id
        session.commit()
    if find_unpaid_order(shop_id, line) is None:
        return "nothing unpaid"
    with svc.database.session() as session:
        shown = session.get(ShownOffer, shown_offer_id)
        if not _move_once(session, shown, OfferStatus.ACCEPTED, OfferStatus.FAILED):
            return "reported since"
        event = {**event_values(shown), "reason": "payment_required"}
        record_event(session, shown.shop_id, EventKind.OFFER_FAILED, shown.order_reference, **event)
        _defer_removal(session, shown)
        session.commit()
    return "failed: line queued for removal"
