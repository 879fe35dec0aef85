"""#11 "Done means", the Funnels part, in Chromium on both platforms: a merchant creates
a funnel in Cartpath embedded in the platform's admin (Shopify's admin frame,
BigCommerce's control panel), activates it, and a shopper who pays a hosted test
checkout sees its offer; a support user's attempt to edit a funnel is refused."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from core.models import AuditLog
from core.services import services_of
from tests.checkout.test_paying import (  # open_shop, shop: fixtures
    bigcommerce_checkout,
    open_shop,  # noqa: F401
    ready_checkout,
    shop,  # noqa: F401
)
from tests.support.admin_browser import (
    FUNNEL_HEADLINE,
    FUNNEL_NAME,
    create_and_activate_funnel,
    navigate,
    open_admin,
    open_admin_as_support,
    water_bottle,
)
from tests.support.cartpath import LiveCartpath
from tests.upsell.test_hosted import _paid_to_offer
from upsell.models import Funnel, FunnelStatus


def _owner_creates_the_funnel(page: Page, live: LiveCartpath, platform: str) -> None:
    app = open_admin(page, live, platform)
    navigate(app, "Funnels")
    create_and_activate_funnel(app, water_bottle(live, platform))


@pytest.mark.slow
@pytest.mark.parametrize("platform", ["shopify", "bigcommerce"])
def test_a_funnel_made_in_the_embedded_admin_is_offered_after_a_test_checkout(
    shop,  # noqa: F811 (the fixture)
    page: Page,
    platform: str,
):
    _owner_creates_the_funnel(page, shop, platform)

    if platform == "shopify":
        browser, url = ready_checkout(shop)
    else:
        browser, url, *_ = bigcommerce_checkout(shop)
    offer = _paid_to_offer(shop, browser, url)
    page.goto(f"{url}/offers/{offer}")

    expect(page.get_by_test_id("headline")).to_have_text(FUNNEL_HEADLINE)
    expect(page.get_by_role("heading", name=re.compile("Water Bottle"))).to_be_visible()
    expect(page.get_by_test_id("accept")).to_be_enabled()


@pytest.mark.slow
@pytest.mark.parametrize("platform", ["shopify", "bigcommerce"])
def test_a_support_user_s_attempt_to_edit_a_funnel_is_refused(
    shop,  # noqa: F811 (the fixture)
    page: Page,
    platform: str,
):
    _owner_creates_the_funnel(page, shop, platform)

    app = open_admin_as_support(page, shop, platform)
    expect(app.get_by_test_id("role")).to_have_text("support")
    navigate(app, "Funnels")
    app.get_by_role("link", name=FUNNEL_NAME).click()
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
            FUNNEL_NAME,
            1,
            FunnelStatus.ACTIVE,
        )
        assert session.scalar(select(AuditLog.action).order_by(AuditLog.id.desc())) == (
            "access.denied"
        )
