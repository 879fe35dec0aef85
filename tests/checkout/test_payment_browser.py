"""Paying in a real browser (Chromium) on both sandbox platforms: the card typed into the
gateway's iframe, Pay, the thank-you page with the platform's order number; then the same
with a card that needs 3-D Secure. The ledger, the gateway and the quote agree to the cent,
and the platform holds exactly one paid order."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
import requests
from playwright.sync_api import Page, expect
from sqlalchemy import select

from checkout.models import Order, Payment
from core.models import Platform
from core.services import services_of
from tests.checkout.test_accessibility import _submit, _submit_address
from tests.checkout.test_paying import open_shop  # noqa: F401 - the fixture
from tests.checkout.test_writeback import CODES, assert_written_as_in_the_ledger
from tests.payments import cards
from tests.payments.cards import intents
from tests.support import bigcommerce as bc
from tests.support.cartpath import SHOP, STORE, LiveCartpath

WRITE_BACK_TIMEOUT_MS = 30_000
# The page's amounts (data-testid) and the ledger Order's columns that hold them.
AMOUNTS = {
    "subtotal": "subtotal",
    "discount": "discount_total",
    "shipping": "shipping_total",
    "tax": "tax_total",
    "total": "total",
}


def _hand_off(live: LiveCartpath, platform: str) -> str:
    """The checkout URL for a one-line cart handed over by the platform's storefront."""
    if platform == "shopify":
        product = live.sandbox.state()["shopify"]["shops"][SHOP]["products"][0]
        body = {
            "platform": "shopify",
            "shop": SHOP,
            "items": [{"id": product["variants"][0]["id"], "quantity": 2}],
        }
    else:
        connection = bc.connection(live.sandbox, bc.install(live.sandbox)["access_token"])
        product_id = int(
            next(iter(live.sandbox.state()["bigcommerce"]["stores"][STORE]["products"]))
        )
        variant = connection.get(f"catalog/products/{product_id}/variants")["data"][0]
        line = {"product_id": product_id, "variant_id": variant["id"], "quantity": 2}
        cart = connection.post("carts", {"line_items": [line]})["data"]
        body = {"platform": "bigcommerce", "shop": STORE, "cart_id": cart["id"]}
    answer = requests.post(f"{live.url}/checkout/start", json=body, timeout=15)
    assert answer.status_code == 201, answer.text
    return live.url + answer.json()["checkout_url"]


def _shown(page: Page, test_id: str) -> Decimal:
    return Decimal(re.sub(r"[^0-9.]", "", page.get_by_test_id(test_id).inner_text()))


def _checkout_and_pay(
    page: Page, url: str, card: str, code: str | None = None
) -> dict[str, Decimal]:
    """Address, delivery, a discount code if given, the card in the iframe, Pay; the
    amounts the page showed (subtotal, discount, shipping, tax, total)."""
    page.goto(url)
    _submit_address(page, postal_code="94105")
    page.locator('input[name="shipping_option"]').first.check()
    _submit(page, "Use this delivery option")
    if code is not None:
        page.fill("#discount_code", code)
        _submit(page, "Apply")
    shown = {name: _shown(page, name) for name in AMOUNTS if page.get_by_test_id(name).count()}
    fields = page.frame_locator("#card-element iframe")
    fields.locator("#number").fill(card)
    fields.locator("#expiry").fill("12 / 34")
    fields.locator("#cvc").fill("123")
    page.get_by_label("Save my card for one-click offers").check()
    with page.expect_navigation(timeout=30_000):
        page.get_by_role("button", name=re.compile(r"^Pay ")).click()
    return shown


def _assert_paid_orders(live: LiveCartpath, platform: str, number: str, count: int) -> None:
    """The platform holds `count` orders (one per payment), the newest numbered `number`
    and paid."""
    state = live.sandbox.state()
    if platform == "shopify":
        orders = state["shopify"]["shops"][SHOP]["orders"]
        assert len(orders) == count
        newest = max(orders, key=lambda o: o["id"])
        assert number in (newest["name"], str(newest["order_number"]))
        assert newest["financial_status"] == "paid"
    else:
        orders = state["bigcommerce"]["stores"][STORE]["orders"]
        assert len(orders) == count
        assert number in orders
        assert orders[number]["status_id"] in (10, 11), "completed or awaiting fulfillment: paid"


def _wait_for_thank_you(page: Page) -> str:
    """The thank-you page, refreshed (no JavaScript) until the platform's number shows."""
    expect(page.get_by_role("heading", name="Thank you for your order")).to_be_visible()
    expect(page.get_by_test_id("order-number")).to_be_visible(timeout=WRITE_BACK_TIMEOUT_MS)
    return page.get_by_test_id("order-number").inner_text()


@pytest.mark.slow
@pytest.mark.parametrize("platform", ["shopify", "bigcommerce"])
def test_checkout_to_thank_you_with_a_card_and_with_3d_secure(open_shop, page, platform):  # noqa: F811
    live = open_shop()
    code = CODES[Platform(platform)]

    # a plain card
    shown = _checkout_and_pay(page, _hand_off(live, platform), cards.GOOD, code)
    _assert_paid_orders(live, platform, _wait_for_thank_you(page), count=1)

    # a card whose bank asks for 3-D Secure
    shown_3ds = _checkout_and_pay(page, _hand_off(live, platform), cards.THREE_D_SECURE, code)
    expect(page.get_by_role("heading", name="Sandbox bank: confirm this payment")).to_be_visible()
    with page.expect_navigation(timeout=30_000):
        page.get_by_role("button", name="Complete authentication").click()
    _assert_paid_orders(live, platform, _wait_for_thank_you(page), count=2)

    with services_of(live.app).database.session() as session:
        payments = session.scalars(select(Payment).order_by(Payment.id)).all()
        orders = session.scalars(select(Order).order_by(Order.id)).all()
    gateway = [Decimal(i["amount_received"]) / 100 for i in intents(live.sandbox)]
    totals = [shown["total"], shown_3ds["total"]]
    assert [p.amount for p in payments] == totals, "the ledger charged the quote"
    assert gateway == totals, "ledger and gateway agree to the cent"
    for order, page_showed in zip(orders, (shown, shown_3ds), strict=True):
        assert {name: getattr(order, column) for name, column in AMOUNTS.items()} == page_showed
        assert min(page_showed.values()) > 0, "a discount, shipping and tax on every order"
        assert order.discount_codes == [code]
        # the platform's order: exactly one, paid, its lines and amounts the ledger's
        assert_written_as_in_the_ledger(live, order.id)
