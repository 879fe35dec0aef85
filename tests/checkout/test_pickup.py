"""Local pickup on the hosted checkout, over HTTP with plain forms: each platform offers its
pickup locations beside its rates, the total is the platform's own for a pickup, and the
order written back is one to collect (BigCommerce: a pickup consignment; Shopify: no
shipping address, the pickup as its shipping line and a note attribute)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
import requests
from playwright.sync_api import Page, expect

from checkout.models import OrderStatus
from tests.checkout.test_accessibility import (
    _blocking_violations,
    _submit,
    browser_context_args,  # noqa: F401 - axe-core is injected past the page's CSP
)
from tests.checkout.test_checkout_flow import US_ADDRESS, _money, _post, _start_shopify
from tests.checkout.test_paying import (
    _order_of,
    bigcommerce_with_address,
    checkout_of,
    open_shop,  # noqa: F401 - the fixture
    paid,
    pay,
    shop,  # noqa: F401 - the fixture
)
from tests.payments import cards
from tests.payments.cards import intents, tokenize
from tests.support.cartpath import SHOP, STORE
from tests.support.workers import wait_until

PICKUP = "Pick up at our Mission St store"
SHOPIFY_PICKUP = "Mission St store"


def _options(page: str) -> dict[str, str]:
    """Delivery option label -> the value its radio button posts."""
    found = re.findall(r'name="shipping_option" value="([^"]+)"[^>]*>\s*<label[^>]*>([^<]+)', page)
    return {label.split(" — ")[0].strip(): value for value, label in found}


def test_pickup_is_listed_beside_the_rates_and_shipping_can_come_back(shop):  # noqa: F811
    browser, url, page, *_ = bigcommerce_with_address(shop)
    offered = _options(page.text)
    assert f"Pickup: {PICKUP}" in offered
    assert "Flat rate" in offered
    assert "Ready in 2 hours. Bring your order number to the counter." in page.text

    picked = _post(browser, url, action="delivery", shipping_option=offered[f"Pickup: {PICKUP}"])

    assert _money(picked.text, "shipping") == 0
    assert _money(picked.text, "total") == _money(picked.text, "subtotal") + _money(
        picked.text, "tax"
    )
    assert list(_options(picked.text)) == [f"Pickup: {PICKUP}"]
    assert re.search(r'value="pickup-\d+"\s+checked', picked.text)
    assert "Ship to my address instead" in picked.text
    assert "Contact and billing address" in picked.text, "nothing is shipped to it"

    shipping = _post(browser, url, action="ship_instead")
    assert "Flat rate" in _options(shipping.text)
    assert not re.search(r'value="pickup-\d+"\s+checked', shipping.text)
    assert "Ship to my address instead" not in shipping.text
    assert 'id="pay-button" disabled' in shipping.text, "a delivery option is needed again"


def _shopify_with_address(live) -> tuple[requests.Session, str, str]:
    browser, url = _start_shopify(live)
    return browser, url, _post(browser, url, action="contact", **US_ADDRESS).text


def test_a_shopify_checkout_lists_its_pickup_locations_beside_the_rates(shop):  # noqa: F811
    browser, url, page = _shopify_with_address(shop)
    offered = _options(page)
    assert f"Pickup: {SHOPIFY_PICKUP}" in offered
    assert "Standard" in offered
    assert "Usually ready in 2 hours. Bring your order number to the counter." in page

    picked = _post(
        browser, url, action="delivery", shipping_option=offered[f"Pickup: {SHOPIFY_PICKUP}"]
    )

    assert _money(picked.text, "shipping") == 0
    assert _money(picked.text, "total") == _money(picked.text, "subtotal") + _money(
        picked.text, "tax"
    )
    assert "Standard" in _options(picked.text), "Shopify keeps its rates beside the pickup"
    assert "Contact and billing address" in picked.text, "nothing is shipped to it"
    standard = _post(browser, url, action="delivery", shipping_option=offered["Standard"])
    assert _money(standard.text, "shipping") == Decimal("5.00")
    assert "Contact and shipping address" in standard.text


def _paid_for_pickup(live, sandbox, browser: requests.Session, url: str, pickup: str):
    """Choose `pickup`, pay the total shown, and return the ledger order once written back."""
    total = _money(_post(browser, url, action="delivery", shipping_option=pickup).text, "total")

    paid(live, pay(browser, url, tokenize(sandbox, cards.GOOD)), url)

    (intent,) = intents(sandbox)
    assert intent["amount_received"] == int(total * 100), "charged the pickup total shown"
    wait_until(lambda: _order_of(live, url).status is OrderStatus.WRITTEN, 60, "it is written")
    order = _order_of(live, url)
    assert order.shipping_option["pickup"] is True
    assert order.shipping_total == Decimal(0)
    assert order.total == total
    return order


def _thanks_say_where_to_collect(browser: requests.Session, url: str, title: str) -> None:
    thanks = browser.get(f"{url}/thank-you", timeout=15).text
    assert "Collecting your order" in thanks
    assert title in thanks


def test_choosing_pickup_on_shopify_and_paying_writes_back_an_order_to_collect(open_shop, sandbox):  # noqa: F811
    live = open_shop(writeback_backoff_scale=0.01)
    browser, url, page = _shopify_with_address(live)
    pickup = _options(page)[f"Pickup: {SHOPIFY_PICKUP}"]

    order = _paid_for_pickup(live, sandbox, browser, url, pickup)

    (written,) = sandbox.state()["shopify"]["shops"][SHOP]["orders"]
    assert Decimal(written["total_price"]) == order.total
    assert written["shipping_address"] is None, "an order to collect ships nowhere"
    assert written["billing_address"]["zip"] == US_ADDRESS["postal_code"]
    assert [(ln["title"], ln["code"], ln["price"]) for ln in written["shipping_lines"]] == [
        (SHOPIFY_PICKUP, pickup, "0.00")
    ]
    assert written["note_attributes"] == [
        {
            "name": "Local pickup",
            "value": f"{SHOPIFY_PICKUP} Usually ready in 2 hours. "
            "Bring your order number to the counter.",
        }
    ]
    _thanks_say_where_to_collect(browser, url, SHOPIFY_PICKUP)


def test_choosing_pickup_and_paying_writes_back_an_order_to_collect(open_shop, sandbox):  # noqa: F811
    live = open_shop(writeback_backoff_scale=0.01)
    browser, url, page, *_ = bigcommerce_with_address(live)
    pickup = _options(page.text)[f"Pickup: {PICKUP}"]

    order = _paid_for_pickup(live, sandbox, browser, url, pickup)

    written = sandbox.state()["bigcommerce"]["stores"][STORE]["orders"][order.platform_order_id]
    assert written["cart_id"] == checkout_of(live, url).platform_ref
    assert written["pickups"] == [11], "the order carries the store's pickup consignment"
    assert written["shipping_addresses"] == 0
    _thanks_say_where_to_collect(browser, url, PICKUP)


@pytest.mark.slow
@pytest.mark.parametrize("platform", ["shopify", "bigcommerce"])
def test_pickup_in_the_browser_is_accessible_and_shipping_comes_back(shop, page: Page, platform):  # noqa: F811
    if platform == "shopify":
        url, title, rate = _shopify_with_address(shop)[1], SHOPIFY_PICKUP, "Standard"
    else:
        url, title, rate = bigcommerce_with_address(shop)[1], PICKUP, "Flat rate"
    page.goto(url)
    pickup = page.get_by_role("radio", name=re.compile(title))
    expect(pickup).to_be_visible()

    with page.expect_navigation():  # enhance.js re-quotes as soon as the option is chosen
        pickup.check()

    expect(page.get_by_role("radio", name=re.compile(title))).to_be_checked()
    expect(page.get_by_test_id("shipping")).to_have_text("$0.00")
    assert _blocking_violations(page) == []
    _submit(page, "Ship to my address instead")
    expect(page.get_by_role("radio", name=re.compile(rate))).not_to_be_checked()
    expect(page.get_by_role("button", name="Ship to my address instead")).to_have_count(0)


def test_a_pickup_not_offered_is_refused_and_the_choice_kept(shop):  # noqa: F811
    browser, url, page, *_ = bigcommerce_with_address(shop)
    pickup = _options(page.text)[f"Pickup: {PICKUP}"]
    _post(browser, url, action="delivery", shipping_option=pickup)

    refused = browser.post(
        url, data={"action": "delivery", "shipping_option": "pickup-999"}, timeout=15
    )

    assert refused.status_code == 422
    assert "Choose one of the delivery options shown." in refused.text
    assert checkout_of(shop, url).shipping_option == pickup
