"""#11's "design the checkout and see the change on the shopper page", in Chromium, inside
each platform's admin frame: the owner turns the storefront hand-off on in Settings, changes
the button colour and header text, sees them in the preview (desktop and mobile), publishes,
and a shopper whose cart is handed off from the storefront sees the new design."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from core.models import Platform
from sandbox.demo_credentials import STRIPE_PUBLISHABLE_KEY, STRIPE_SECRET_KEY
from tests.storefront.conftest import CHECKOUT_BUTTON, fill_cart
from tests.support.admin_browser import (
    navigate,
    open_admin,
    publish_design,
    save_design_draft,
    turn_handoff_on,
)
from tests.support.cartpath import LiveCartpath, live_cartpath

ACCENT = "#7c2d12"
ACCENT_RGB = "rgb(124, 45, 18)"
HEADER = "Spring sale: free returns on every order"
PRIMARY_BUTTON = "button:not(.cp-secondary)"


@pytest.fixture
def hosted(make_config, sandbox) -> Iterator[LiveCartpath]:
    config = make_config(
        stripe_secret_key=STRIPE_SECRET_KEY, stripe_publishable_key=STRIPE_PUBLISHABLE_KEY
    )
    with live_cartpath(config, sandbox, shopify_distribution="custom") as live:
        live.install_shopify()
        live.install_bigcommerce()
        yield live


@pytest.mark.slow
@pytest.mark.parametrize("platform", [Platform.SHOPIFY, Platform.BIGCOMMERCE], ids=str)
def test_the_owner_designs_the_checkout_and_a_handed_off_shopper_sees_it(
    page: Page, hosted, platform
):
    # given: the owner in the platform's admin finds the shop hosted, payments connected,
    # and turns the storefront hand-off on
    app = open_admin(page, hosted, platform)
    navigate(app, "Settings")
    expect(app.get_by_test_id("settings-mode")).to_have_text("hosted")
    expect(app.get_by_test_id("gateway-status")).to_have_text("connected")
    turn_handoff_on(app)

    # when: the checkout gets a new button colour and header text, saved as a draft
    navigate(app, "Checkout design")
    save_design_draft(app, accent=ACCENT, header=HEADER)

    # then: the preview beside the form shows it, at desktop and at mobile width; the page
    # saved in place (JavaScript) and only the preview reloaded
    designer = next(frame for frame in page.frames if "/admin/design" in frame.url)
    assert "notice=" not in designer.url
    preview = app.frame_locator("iframe#preview")
    expect(preview.get_by_text(HEADER)).to_be_visible()
    expect(preview.locator(PRIMARY_BUTTON).first).to_have_css("background-color", ACCENT_RGB)
    app.get_by_role("link", name="Mobile").click()
    expect(app.get_by_test_id("preview-pane")).to_have_class("card designer-preview preview-mobile")
    expect(app.locator("iframe#preview")).to_have_js_property("offsetWidth", 375)

    # when: published
    publish_design(app)
    hosted.wait_for_jobs()

    # then: a shopper whose cart the storefront hands off sees the new design
    fill_cart(page, hosted, platform)
    page.click(CHECKOUT_BUTTON[platform])
    page.wait_for_url(f"{hosted.url}/checkout/*")
    expect(page.get_by_text(HEADER)).to_be_visible()
    expect(page.locator(PRIMARY_BUTTON).first).to_have_css("background-color", ACCENT_RGB)
