"""The offer pages in a real browser (Chromium), on both sandbox platforms: the card typed
into the gateway's iframe at checkout and saved, the offer accepted with one click, the
next offer declined, the thank-you page; the platform order holds the item once, paid,
and the ledger and the sandbox's Stripe agree to the cent. Then the same pages with
JavaScript off, and 3-D Secure on the offer's charge handled in place, failing once and
paid with another card."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from core.models import Platform
from core.services import services_of
from tests.checkout.test_paying import ready_checkout
from tests.checkout.test_payment_browser import _checkout_and_pay, _hand_off
from tests.payments import cards
from tests.payments.cards import succeeded
from tests.support.cartpath import SHOP, STORE, LiveCartpath
from tests.upsell.test_hosted import (
    _bigcommerce_items,
    _funnel,
    _ledger_matches_stripe,
    _offer,
    _paid_to_offer,
    _platform_order_is_paid_in_full,
    _platform_quantity,
    _shopify_items,
)
from upsell.models import OfferStatus, ShownOffer

NAVIGATION_MS = 30_000


def _money(page: Page, test_id: str) -> Decimal:
    return Decimal(re.sub(r"[^0-9.]", "", page.get_by_test_id(test_id).inner_text()))


def _click(page: Page, test_id: str) -> None:
    with page.expect_navigation(timeout=NAVIGATION_MS):
        page.get_by_test_id(test_id).click()


def _offers(live: LiveCartpath) -> dict[str, ShownOffer]:
    with services_of(live.app).database.session() as session:
        return {row.offer_key: row for row in session.scalars(select(ShownOffer))}


def _accept_then_more(live: LiveCartpath, platform: Platform) -> list[tuple[str, str]]:
    """A funnel whose first offer (half price, flat shipping) leads on accept to a second."""
    if platform is Platform.SHOPIFY:
        items, domain = _shopify_items(live), SHOP
    else:
        items, domain = _bigcommerce_items(live), STORE
    offers = {
        "main": _offer(*items[0], on_accept="more", shipping={"kind": "flat", "amount": "4.00"}),
        "more": _offer(*items[1], headline="One more?"),
    }
    _funnel(live, platform, domain, offers, "main")
    return items


def _thank_you_lists_one_added_line(page: Page) -> None:
    expect(page.get_by_role("heading", name="Thank you for your order")).to_be_visible()
    expect(page.get_by_test_id("added-line")).to_have_count(1)


@pytest.mark.slow
@pytest.mark.parametrize("platform", [Platform.SHOPIFY, Platform.BIGCOMMERCE], ids=str)
def test_pay_accept_decline_thank_you_and_the_platform_order_is_paid(open_shop, page, platform):
    live = open_shop()
    items = _accept_then_more(live, platform)

    checkout_total = _checkout_and_pay(page, _hand_off(live, platform), cards.GOOD)["total"]
    expect(page.get_by_test_id("headline")).to_have_text("Add a second one")
    offer_total = _money(page, "offer-total")
    assert _money(page, "shipping") == Decimal("4.00")
    _click(page, "accept")
    expect(page.get_by_test_id("headline")).to_have_text("One more?")
    _click(page, "decline")
    _thank_you_lists_one_added_line(page)

    shown = _offers(live)
    assert shown["main"].status is OfferStatus.PAID
    assert shown["more"].status is OfferStatus.DECLINED
    assert shown["main"].total == offer_total
    payments = _ledger_matches_stripe(live)
    assert [p.amount for p in payments] == [checkout_total, offer_total]
    live.wait_for_jobs(timeout=60)
    assert _platform_quantity(live, platform, items[0]) == 1
    assert _platform_quantity(live, platform, items[1]) == 0
    _platform_order_is_paid_in_full(live, platform, payments, shown["main"])


@pytest.mark.slow
def test_the_offer_pages_work_with_javascript_off(shop, browser):
    items = _accept_then_more(shop, Platform.SHOPIFY)
    http, url = ready_checkout(shop)
    first = _paid_to_offer(shop, http, url)  # the card fields need JavaScript; offers do not
    no_script = browser.new_context(java_script_enabled=False)
    try:
        page = no_script.new_page()
        page.goto(f"{url}/offers/{first}")
        expect(page.get_by_test_id("headline")).to_have_text("Add a second one")
        _click(page, "accept")
        expect(page.get_by_test_id("headline")).to_have_text("One more?")
        _click(page, "decline")
        _thank_you_lists_one_added_line(page)
    finally:
        no_script.close()
    assert len(succeeded(shop.sandbox)) == 2
    _ledger_matches_stripe(shop)
    shop.wait_for_jobs(timeout=60)
    assert _platform_quantity(shop, Platform.SHOPIFY, items[0]) == 1


def _authenticate(page: Page, button: str) -> None:
    expect(page.get_by_role("heading", name="Sandbox bank: confirm this payment")).to_be_visible()
    with page.expect_navigation(timeout=NAVIGATION_MS):
        page.get_by_role("button", name=button).click()


@pytest.mark.slow
def test_3d_secure_on_offers_is_handled_in_place_and_another_card_pays(open_shop, page):
    """The bank asks to authenticate every charge of this card: the checkout's, then each
    offer's. The first offer is authenticated; the second fails, and the shopper pays it
    with another card typed into the gateway's fields on the page that says so."""
    live = open_shop()
    items = _accept_then_more(live, Platform.SHOPIFY)
    _checkout_and_pay(page, _hand_off(live, "shopify"), cards.THREE_D_SECURE)
    _authenticate(page, "Complete authentication")

    expect(page.get_by_test_id("headline")).to_have_text("Add a second one")
    _click(page, "accept")
    _authenticate(page, "Complete authentication")
    expect(page.get_by_test_id("headline")).to_have_text("One more?")
    _click(page, "accept")
    _authenticate(page, "Fail authentication")

    expect(page.get_by_test_id("offer-problem")).to_contain_text("could not confirm")
    expect(page.get_by_role("heading", name="Use another card")).to_be_visible()
    fields = page.frame_locator("#card-element iframe")
    fields.locator("#number").fill(cards.GOOD)
    fields.locator("#expiry").fill("12 / 34")
    fields.locator("#cvc").fill("123")
    _click(page, "pay-another-card")

    expect(page.get_by_role("heading", name="Thank you for your order")).to_be_visible()
    expect(page.get_by_test_id("added-line")).to_have_count(2)
    shown = _offers(live)
    assert [shown[k].status for k in ("main", "more")] == [OfferStatus.PAID, OfferStatus.PAID]
    assert len(succeeded(live.sandbox)) == 3, "the checkout and each offer, once"
    _ledger_matches_stripe(live)
    live.wait_for_jobs(timeout=60)
    assert _platform_quantity(live, Platform.SHOPIFY, items[0]) == 1
    assert _platform_quantity(live, Platform.SHOPIFY, items[1]) == 1
