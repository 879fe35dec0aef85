"""#11 "Done means", the Funnels part, in Chromium on both platforms: a merchant creates
a funnel in Cartpath embedded in the platform's admin (Shopify's admin frame,
BigCommerce's control panel), activates it, and a shopper who pays a hosted test
checkout sees its offer; a support user's attempt to edit a funnel is refused."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import FrameLocator, Page, expect
from sqlalchemy import select

from admin.funnel_form import picked
from auth.models import Role
from core.models import AuditLog
from core.services import services_of
from tests.checkout.test_paying import (  # open_shop, shop: fixtures
    bigcommerce_checkout,
    open_shop,  # noqa: F401
    ready_checkout,
    shop,  # noqa: F401
)
from tests.support.admin import staff_member
from tests.support.cartpath import BC_APP_ID, SHOP, SHOPIFY_KEY, STORE, LiveCartpath
from tests.upsell.test_hosted import _paid_to_offer
from upsell.models import Funnel, FunnelStatus

HEADLINE = "Stay hydrated: a bottle at 25% off"
SUPPORT_USER = {"shopify": "2", "bigcommerce": "9002"}


def _embedded_admin(page: Page, live: LiveCartpath, platform: str, user: str = "") -> FrameLocator:
    """Cartpath inside the platform's admin, as staff member `user` (default: the owner)."""
    who = f"user={user}" if user else ""
    if platform == "shopify":
        page.goto(f"{live.sandbox.url}/shopify/admin/store/demo-shop/apps/{SHOPIFY_KEY}?{who}")
        return page.frame_locator("iframe#app-iframe")
    page.goto(f"{live.sandbox.url}/bigcommerce/manage/app/{BC_APP_ID}?store={STORE}&{who}")
    return page.frame_locator("iframe#app-frame")


def _water_bottle(live: LiveCartpath, platform: str) -> str:
    """The picker's value for the demo catalogue's Water Bottle, first variant."""
    state = live.sandbox.state()
    if platform == "shopify":
        product = next(
            p for p in state["shopify"]["shops"][SHOP]["products"] if "Bottle" in p["title"]
        )
        return picked(str(product["id"]), str(product["variants"][0]["id"]))
    products = state["bigcommerce"]["stores"][STORE]["products"]
    product_id, product = next((i, p) for i, p in products.items() if "Bottle" in p["name"])
    return picked(product_id, next(iter(product["variants"])))


def _create_and_activate(app: FrameLocator, pick: str) -> None:
    app.get_by_role("link", name="Funnels", exact=True).click()
    app.get_by_role("link", name="Create funnel").click()
    app.get_by_label("Name", exact=True).fill("Bottle after checkout")
    offer = app.get_by_test_id("offer-1")
    offer.locator(f'input[value="{pick}"]').check()
    offer.get_by_label("Discount", exact=True).select_option("percent")
    offer.get_by_label("Percent or amount off").fill("25")
    offer.get_by_label("Shipping for the added item").select_option("free")
    offer.get_by_label("Headline").fill(HEADLINE)
    app.get_by_role("button", name="Create funnel").click()
    expect(app.get_by_test_id("notice")).to_contain_text("was created as a draft")
    app.get_by_role("button", name="Activate").click()
    expect(app.get_by_test_id("status")).to_have_text("active")


@pytest.mark.slow
@pytest.mark.parametrize("platform", ["shopify", "bigcommerce"])
def test_a_funnel_made_in_the_embedded_admin_is_offered_after_a_test_checkout(
    shop,  # noqa: F811 (the fixture)
    page: Page,
    platform: str,
):
    _create_and_activate(_embedded_admin(page, shop, platform), _water_bottle(shop, platform))

    if platform == "shopify":
        browser, url = ready_checkout(shop)
    else:
        browser, url, *_ = bigcommerce_checkout(shop)
    offer = _paid_to_offer(shop, browser, url)
    page.goto(f"{url}/offers/{offer}")

    expect(page.get_by_test_id("headline")).to_have_text(HEADLINE)
    expect(page.get_by_role("heading", name=re.compile("Water Bottle"))).to_be_visible()
    expect(page.get_by_test_id("accept")).to_be_enabled()


@pytest.mark.slow
@pytest.mark.parametrize("platform", ["shopify", "bigcommerce"])
def test_a_support_user_s_attempt_to_edit_a_funnel_is_refused(
    shop,  # noqa: F811 (the fixture)
    page: Page,
    platform: str,
):
    _create_and_activate(_embedded_admin(page, shop, platform), _water_bottle(shop, platform))
    domain = SHOP if platform == "shopify" else STORE
    staff_member(shop, shop=domain, user_id=SUPPORT_USER[platform], role=Role.SUPPORT)

    app = _embedded_admin(page, shop, platform, user=SUPPORT_USER[platform])
    expect(app.get_by_test_id("role")).to_have_text("support")
    app.get_by_role("link", name="Funnels", exact=True).click()
    app.get_by_role("link", name="Bottle after checkout").click()
    expect(app.get_by_test_id("read-only")).to_be_visible()
    expect(app.get_by_label("Name", exact=True)).to_be_disabled()
    expect(app.get_by_role("button", name="Save funnel")).to_have_count(0)
    expect(app.get_by_role("button", name="Pause")).to_have_count(0)
    # Even a form forced open in the browser is refused by the server.
    app.locator("form.funnel-form").evaluate(
        """form => {
            form.querySelector("fieldset").disabled = false;
            form.querySelector('[name="name"]').value = "Changed by support";
            form.submit();
        }"""
    )

    expect(app.locator("body")).to_contain_text("Your role (support) may not do this")
    with services_of(shop.app).database.session() as session:
        funnel = session.scalar(select(Funnel))
        assert (funnel.name, funnel.version, funnel.status) == (
            "Bottle after checkout",
            1,
            FunnelStatus.ACTIVE,
        )
        assert session.scalar(select(AuditLog.action).order_by(AuditLog.id.desc())) == (
            "access.denied"
        )
