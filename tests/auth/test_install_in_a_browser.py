"""A merchant installs Cartpath from Shopify's consent page and lands in the embedded admin."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.cartpath import SHOP


@pytest.mark.slow
def test_a_merchant_installs_and_lands_in_the_embedded_admin(cartpath, page):
    page.goto(cartpath.shopify_install_link())
    expect(page.get_by_role("heading", name="Install Cartpath (test)")).to_be_visible()

    page.get_by_role("button", name=re.compile("Install")).click()

    expect(page).to_have_url(re.compile(r"/shopify/admin/store/demo-shop/apps/"))
    app = page.frame_locator("iframe#app-iframe")
    expect(app.get_by_role("heading", name="Home")).to_be_visible()
    expect(app.get_by_test_id("shop")).to_have_text(f"Cartpath for {SHOP}")
    expect(app.get_by_test_id("role")).to_have_text("owner")
    expect(app.get_by_test_id("mode")).to_have_text("native")
    cartpath.wait_for_jobs()
    assert len(cartpath.sandbox.state()["shopify"]["shops"][SHOP]["webhooks"]) == 8
