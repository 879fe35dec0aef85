"""Issue 7's end-to-end check, from the storefront: the cart handed over by the script, then
address, delivery and discount on Cartpath's page, with JavaScript and without, and the total
shown is the one the platform's own engine computes for that cart, address and code."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from core.models import Platform
from platforms.bigcommerce.api import request
from platforms.bigcommerce.setup import store_connection
from platforms.shopify import client
from platforms.shopify.admin import graphql
from platforms.shopify.pricing import variant_gid
from tests.checkout.test_accessibility import (
    ADDRESS,
    SUBMIT_TIMEOUT_MS,
    _money,
    _submit,
    _submit_address,
)
from tests.storefront.conftest import CHECKOUT_BUTTON, DOMAINS, fill_cart, latest_checkout

CODES = {Platform.SHOPIFY: "WELCOME10", Platform.BIGCOMMERCE: "SAVE10"}
TOTAL = """
mutation Total($input: DraftOrderInput!) {
  draftOrderCalculate(input: $input) {
    calculatedDraftOrder { totalPriceSet { shopMoney { amount } } }
    userErrors { message }
  }
}"""


def _platform_total(live, platform: Platform) -> Decimal:
    """Ask the platform itself: Shopify's draft order calculation for the same lines, address,
    rate and code; BigCommerce's server-to-server checkout of the cart."""
    checkout = latest_checkout(live)
    shop_id = live.shop_id(platform, DOMAINS[platform])
    with live.app.app_context():
        if platform is Platform.BIGCOMMERCE:
            conn = store_connection(shop_id)
            found = request(lambda: conn.get(f"checkouts/{checkout.platform_ref}"))["data"]
            return Decimal(str(found["grand_total"]))
        draft = {
            "lineItems": [
                {"variantId": variant_gid(i["variant_id"]), "quantity": i["quantity"]}
                for i in checkout.items
            ],
            "shippingAddress": {
                "firstName": ADDRESS["#first_name"],
                "lastName": ADDRESS["#last_name"],
                "address1": ADDRESS["#address1"],
                "city": ADDRESS["#city"],
                "zip": ADDRESS["#postal_code"],
                "countryCode": "US",
                "provinceCode": "CA",
            },
            "shippingLine": {"shippingRateHandle": checkout.shipping_option},
            "discountCodes": [CODES[platform]],
        }
        answer = client.call(shop_id, lambda: graphql(TOTAL, {"input": draft}))
    calculated = answer["draftOrderCalculate"]["calculatedDraftOrder"]
    return Decimal(calculated["totalPriceSet"]["shopMoney"]["amount"])


def _choose_delivery(shopper: Page, *, javascript: bool) -> None:
    """With JavaScript a delivery choice re-quotes at once (checkout/static/checkout/enhance.js):
    pick one not chosen yet and wait for the page it sends; without, choose and press the button."""
    if not javascript:
        shopper.locator('input[name="shipping_option"]').first.check()
        _submit(shopper, "Use this delivery option")
        return
    other = shopper.locator('input[name="shipping_option"]:not(:checked)')
    if other.count():
        with shopper.expect_navigation(timeout=SUBMIT_TIMEOUT_MS):
            other.first.check()


@pytest.mark.slow
@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
@pytest.mark.parametrize("platform", [Platform.SHOPIFY, Platform.BIGCOMMERCE], ids=str)
def test_a_storefront_cart_ends_in_the_platform_s_total(
    page, browser, storefronts, platform, javascript
):
    fill_cart(page, storefronts, platform)
    page.click(CHECKOUT_BUTTON[platform])
    page.wait_for_url(f"{storefronts.url}/checkout/*")
    context = browser.new_context(java_script_enabled=javascript)
    try:
        shopper = context.new_page()
        shopper.goto(page.url)
        _submit_address(shopper, postal_code=ADDRESS["#postal_code"])
        _choose_delivery(shopper, javascript=javascript)
        shopper.fill("#discount_code", CODES[platform])
        _submit(shopper, "Apply")

        expect(shopper.get_by_test_id("discount")).to_be_visible()
        shown = _money(shopper, "total")
    finally:
        context.close()
    assert shown == _platform_total(storefronts, platform)
    page.reload()
    assert _money(page, "total") == shown, "the storefront's own tab shows the same total"
