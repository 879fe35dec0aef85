"""When the upsell charge does not simply succeed: a declined card is replaced by another
(or the shopper skips), and a charge whose answer was lost is re-sent with the same key
until it is settled, or staff are alerted. Nothing is ever added unpaid, nothing is
charged twice. Over HTTP against the sandbox platforms and its Stripe."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import requests
import stripe
from sqlalchemy import select, update

from checkout.models import Order, Payment, PaymentKind, PaymentStatus
from core.db import utcnow
from core.models import Alert, Platform
from core.services import services_of
from platforms.errors import RetriableError
from platforms.order_writers import writer_for
from platforms.orders import GatewayCharge, LineToAdd
from platforms.shopify.admin import graphql
from platforms.shopify.client import call
from sandbox.demo_credentials import STRIPE_SECRET_KEY
from tests.payments import cards
from tests.payments.cards import intents, succeeded, tokenize
from tests.support.cartpath import SHOP, LiveCartpath
from tests.upsell.test_hosted import (
    ORDER_MONEY,
    _ledger_matches_stripe,
    _nothing_more_charged,
    _platform_quantity,
    _post_offer,
    _shopify_items,
    _shown,
    _single_offer,
)
from upsell.models import OfferStatus
from upsell.unanswered import ALERT_KIND, queue_unanswered

PAYMENT_INTENTS = r"/stripe/v1/payment_intents$"


def _saved_card_now_declines(live: LiveCartpath) -> None:
    """Given: the bank now refuses the card the shopper saved at checkout. The sandbox's
    cards decline from the start or never, so the saved card is swapped in the ledger for
    one attached to the same Stripe customer that declines every charge (4000…0341)."""
    client = stripe.StripeClient(
        STRIPE_SECRET_KEY, base_addresses={"api": f"{live.sandbox.url}/stripe"}
    )
    with services_of(live.app).database.session() as session:
        saved = session.scalar(select(Payment).where(Payment.kind == PaymentKind.CHECKOUT))
        refused = tokenize(live.sandbox, "4000000000000341")
        client.v1.payment_methods.attach(refused, params={"customer": saved.customer_id})
        saved.payment_method_id = refused
        session.commit()


def _another_card(browser: requests.Session, url: str, offer: str, card: str):
    return _post_offer(browser, url, offer, "card", payment_method=card)


def test_a_declined_offer_is_paid_with_another_card_once(shop):
    browser, url, offer = _single_offer(shop)
    _saved_card_now_declines(shop)

    declined = _post_offer(browser, url, offer, "accept")

    assert declined.status_code == 402
    assert "Use another card" in declined.text
    assert 'id="card-element"' in declined.text, "the gateway's card fields again"
    assert 'data-testid="continue"' in declined.text, "or skip"
    assert _shown(shop, offer).status is OfferStatus.FAILED
    card = tokenize(shop.sandbox, cards.GOOD)

    paid = _another_card(browser, url, offer, card)
    replayed = _another_card(browser, url, offer, card)

    assert paid.status_code == replayed.status_code == 303
    assert paid.headers["Location"].endswith("/thank-you")
    assert _shown(shop, offer).status is OfferStatus.PAID
    assert len(succeeded(shop.sandbox)) == 2, "the checkout and the offer, once"
    payments = _ledger_matches_stripe(shop)
    assert payments[1].payment_method_id == card
    shop.wait_for_jobs(timeout=60)
    assert _platform_quantity(shop, Platform.SHOPIFY, _shopify_items(shop)[0]) == 1


def test_another_declined_card_adds_nothing_and_skip_goes_on(shop):
    browser, url, offer = _single_offer(shop)
    _saved_card_now_declines(shop)
    assert _post_offer(browser, url, offer, "accept").status_code == 402
    refused = tokenize(shop.sandbox, cards.INSUFFICIENT_FUNDS)
    tried = len(intents(shop.sandbox))

    again = _another_card(browser, url, offer, refused)
    replayed = _another_card(browser, url, offer, refused)
    empty = _another_card(browser, url, offer, "")

    assert again.status_code == replayed.status_code == 402
    assert "insufficient funds" in again.text
    assert "insufficient funds" in replayed.text, "the replay is the same charge, not a new one"
    assert len(intents(shop.sandbox)) == tried + 1, "one charge of the other card"
    assert empty.status_code == 400
    assert "enter your card" in empty.text
    skipped = browser.get(f"{url}/thank-you", timeout=15)
    assert skipped.status_code == 200
    assert 'data-testid="added-line"' not in skipped.text
    assert len(succeeded(shop.sandbox)) == 1, "only the checkout was charged"
    shop.wait_for_jobs(timeout=60)
    assert _platform_quantity(shop, Platform.SHOPIFY, _shopify_items(shop)[0]) == 0


def test_another_card_is_refused_unless_the_offer_was_declined(shop):
    browser, url, offer = _single_offer(shop)

    refused = _another_card(browser, url, offer, tokenize(shop.sandbox, cards.GOOD))

    assert refused.status_code == 409
    assert "already answered" in refused.text
    _nothing_more_charged(shop)
    assert _shown(shop, offer).status is OfferStatus.SHOWN


def _age_pending_upsells(live: LiveCartpath) -> None:
    """Move the clock past the grace period, as if the shopper's request died long ago."""
    grace = timedelta(seconds=live.config.sweep_grace + 1)
    with services_of(live.app).database.session() as session:
        session.execute(
            update(Payment)
            .where(Payment.kind == PaymentKind.UPSELL)
            .values(created_at=utcnow() - grace)
        )
        session.commit()


def _upsell_payment(live: LiveCartpath) -> Payment:
    with services_of(live.app).database.session() as session:
        return session.scalar(select(Payment).where(Payment.kind == PaymentKind.UPSELL))


def test_a_lost_answer_is_resent_with_the_same_key_and_the_item_added_once(open_shop):
    shop = open_shop(sweep_grace=30.0)
    browser, url, offer = _single_offer(shop)
    # given: Stripe charges the card but every answer (and the library's retries) is lost
    shop.sandbox.fault(kind="drop", path=PAYMENT_INTENTS, method="POST", count=None)

    lost = _post_offer(browser, url, offer, "accept")

    assert lost.status_code == 503
    assert "will not be charged twice" in lost.text
    assert _shown(shop, offer).status is OfferStatus.ACCEPTED
    assert _upsell_payment(shop).status is PaymentStatus.PENDING
    with shop.app.app_context():
        assert queue_unanswered(services_of(shop.app)) == 0, "still within the grace period"
    shop.sandbox.clear_faults()
    _age_pending_upsells(shop)

    with shop.app.app_context():
        assert queue_unanswered(services_of(shop.app)) == 1
    shop.wait_for_jobs(timeout=60)

    assert _shown(shop, offer).status is OfferStatus.PAID
    assert _upsell_payment(shop).status is PaymentStatus.SUCCEEDED
    assert len(succeeded(shop.sandbox)) == 2, "the dropped charge was replayed, not repeated"
    _ledger_matches_stripe(shop)
    assert _platform_quantity(shop, Platform.SHOPIFY, _shopify_items(shop)[0]) == 1
    with services_of(shop.app).database.session() as session:
        assert session.scalars(select(Alert).where(Alert.kind == ALERT_KIND)).all() == []


def test_a_charge_the_gateway_never_answers_raises_a_staff_alert(open_shop):
    shop = open_shop(writeback_backoff_scale=0.001)
    browser, url, offer = _single_offer(shop)
    shop.sandbox.fault(kind="drop", path=PAYMENT_INTENTS, method="POST", count=None)
    assert _post_offer(browser, url, offer, "accept").status_code == 503
    _age_pending_upsells(shop)

    with shop.app.app_context():
        queue_unanswered(services_of(shop.app))
    shop.wait_for_jobs(timeout=90)

    payment = _upsell_payment(shop)
    with services_of(shop.app).database.session() as session:
        (alert,) = session.scalars(select(Alert).where(Alert.kind == ALERT_KIND)).all()
    assert alert.subject == f"order:{_shown(shop, offer).order_reference}"
    assert payment.idempotency_key in alert.message
    assert payment.status is PaymentStatus.PENDING, "never marked paid without an answer"
    assert _shown(shop, offer).status is OfferStatus.ACCEPTED
    assert _platform_quantity(shop, Platform.SHOPIFY, _shopify_items(shop)[0]) == 0


GRAPHQL = r"/graphql\.json$"
# add_line's Shopify requests, in order, for an item with a discount and no shipping:
# read the order, tag it, begin, add the variant, discount it, commit, record the payment.
ADD_LINE_CALLS = ("read", "tag", "begin", "add", "discount", "commit", "payment")


def _lose_answer_to(live: LiveCartpath, step: str) -> None:
    """The next add_line's `step` request is done by Shopify, but its answer is lost."""
    before = ADD_LINE_CALLS.index(step)
    if before:
        live.sandbox.fault(kind="slow", path=GRAPHQL, seconds=0.0, count=before)
    live.sandbox.fault(kind="drop", path=GRAPHQL, count=1)


@pytest.mark.parametrize("step", ["commit", "payment"])
def test_a_lost_answer_while_adding_to_the_shopify_order_adds_and_records_once(shop, step):
    browser, url, offer = _single_offer(shop)
    assert _post_offer(browser, url, offer, "accept").status_code == 303
    shop.wait_for_jobs(timeout=60)
    shown = _shown(shop, offer)
    with services_of(shop.app).database.session() as session:
        placed = session.get(Order, shown.order_id).platform_order_id
    # given: a second paid item for the same order (another offer's marker)
    line = LineToAdd(
        marker=f"cpupsell-{shown.id}0",
        variant_id=str(shown.variant_id),
        product_id=str(shown.quote["product_id"]),
        quantity=1,
        currency=shown.currency,
        unit_price=Decimal(shown.quote["unit_price"]),
        list_unit_price=Decimal(shown.quote["list_unit_price"]),
        shipping=Decimal(0),
        charge=GatewayCharge("stripe", "pi_second", Decimal(shown.quote["total"])),
    )
    writer, shop_id = writer_for(Platform.SHOPIFY), shown.shop_id
    _lose_answer_to(shop, step)

    with shop.app.app_context():
        with pytest.raises(RetriableError):
            writer.add_line(shop_id, placed, line)
        shop.sandbox.clear_faults()
        retried = writer.add_line(shop_id, placed, line)
        again = writer.add_line(shop_id, placed, line)

    assert retried is False, "the retry finds the committed edit and adds nothing more"
    assert again is False, "a third call finds both the line and the payment"
    assert _platform_quantity(shop, Platform.SHOPIFY, _shopify_items(shop)[0]) == 2
    with shop.app.app_context():
        query = {"query": f"tag:cartpath-{shown.order_reference}"}
        (paid,) = call(shop_id, lambda: graphql(ORDER_MONEY, query))["orders"]["nodes"]
    gateways = [t["gateway"] for t in paid["transactions"]]
    assert sum(line.marker in g for g in gateways) == 1, "the second item's payment, once"
    assert len(gateways) == 3, "the order's, the first offer's and this one's"


def _second_line(shown, marker: str, charged: Decimal) -> LineToAdd:
    return LineToAdd(
        marker=marker,
        variant_id=str(shown.variant_id),
        product_id=str(shown.quote["product_id"]),
        quantity=1,
        currency=shown.currency,
        unit_price=Decimal(shown.quote["unit_price"]),
        list_unit_price=Decimal(shown.quote["list_unit_price"]),
        shipping=Decimal(0),
        charge=GatewayCharge("stripe", "pi_second", charged),
    )


def test_shopify_tax_rounding_a_cent_above_the_charge_leaves_nothing_due(shop):
    """Shopify taxes the edited order as a whole; when that comes to a cent more than the
    item's own quoted tax, the cent comes off the item instead of staying due."""
    browser, url, offer = _single_offer(shop)
    assert _post_offer(browser, url, offer, "accept").status_code == 303
    shop.wait_for_jobs(timeout=60)
    shown = _shown(shop, offer)
    with services_of(shop.app).database.session() as session:
        placed = session.get(Order, shown.order_id).platform_order_id
    writer, shop_id = writer_for(Platform.SHOPIFY), shown.shop_id
    with shop.app.app_context():
        # what Shopify asks for the same item once more, staged and left uncommitted
        _edit_id, wanted = writer._stage(
            shop_id, placed, _second_line(shown, "probe", Decimal(0)), Decimal(0)
        )
        line = _second_line(shown, f"cpupsell-{shown.id}0", wanted - Decimal("0.01"))

        assert writer.add_line(shop_id, placed, line) is True

        query = {"query": f"tag:cartpath-{shown.order_reference}"}
        (paid,) = call(shop_id, lambda: graphql(ORDER_MONEY, query))["orders"]["nodes"]
    assert paid["displayFinancialStatus"] == "PAID"
    assert Decimal(paid["totalOutstandingSet"]["shopMoney"]["amount"]) == 0
    (order,) = shop.sandbox.state()["shopify"]["shops"][SHOP]["orders"]
    discounts = [Decimal(li["total_discount"]) for li in order["line_items"]]
    offered = Decimal(shown.quote["list_unit_price"]) - Decimal(shown.quote["unit_price"])
    assert discounts[-1] == offered + Decimal("0.01"), "the cent came off the item"
