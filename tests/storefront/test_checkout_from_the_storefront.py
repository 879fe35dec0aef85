"""Issue 7's end-to-end check, from the storefront: the cart handed over by the script, then
address, delivery and discount on Cartpath's page with JavaScript off, and the total shown is
the one the platform's own engine computes for that cart, address and code."""

from __future__ import annotations

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from core.models import Platform
from platforms.bigcommerce.api import request
from platforms.bigcommerce.setup import store_connection
from platforms.shopify import client
from platforms.shopify.admin import graphql
from platforms.shopify.pricing import variant_gid
from tests.checkout.test_accessibility import ADDRESS, _money, _submit, _submit_address
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


@pytest.mark.slow
@pytest.mark.parametrize("platform", [Platform.SHOPIFY, Platform.BIGCOMMERCE], ids=str)
def test_a_storefront_cart_ends_in_the_platform_s_total_with_javascript_off(
    page, browser, storefronts, platform
):
    fill_cart(page, storefronts, platform)
    page.click(CHECKOUT_BUTTON[platform])
    page.wait_for_url(f"{storefronts.url}/checkout/*")
    no_script = browser.new_context(java_script_enabled=False)
    try:
        shopper = no_script.new_page()
        shopper.goto(page.url)
        _submit_address(shopper, postal_code=ADDRESS["#postal_code"])
        shopper.locator('input[name="shipping_option"]').first.check()
        _submit(shopper, "Use this delivery option")
        shopper.fill("#discount_code", CODES[platform])
        _submit(shopper, "Apply")

        expect(shopper.get_by_test_id("discount")).to_be_visible()
        shown = _money(shopper, "total")
    finally:
        no_script.close()
    assert shown == _platform_total(storefronts, platform)
    page.reload()
    assert _money(page, "total") == shown, "the page with JavaScript shows the same total"
