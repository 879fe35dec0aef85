"""Home opened the way merchants open it: embedded in the sandbox's Shopify admin and in
BigCommerce's control panel, in Chromium, showing the setup checklist and its numbers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from playwright.sync_api import FrameLocator, expect

from core.db import utcnow
from core.models import Platform
from core.services import services_of
from tests.support.admin_browser import open_admin
from tests.support.cartpath import LiveCartpath, live_cartpath
from tests.support.ledger import placed_order


@pytest.fixture
def hosted(make_config, sandbox) -> Iterator[LiveCartpath]:
    with live_cartpath(make_config(), sandbox, shopify_distribution="custom") as live:
        yield live


def _checklist_is_shown(app: FrameLocator) -> None:
    expect(app.get_by_role("heading", name="Home")).to_be_visible()
    checklist = app.get_by_test_id("checklist")
    expect(checklist.get_by_role("heading", name="Set up Cartpath")).to_be_visible()
    expect(app.get_by_test_id("mode")).to_have_text("hosted")
    for step in ("gateway", "design", "funnel", "handoff"):
        expect(app.get_by_test_id(f"step-{step}")).to_have_attribute("data-done", "no")
    expect(app.get_by_test_id("setup-progress")).to_have_text("1 of 5 done")


@pytest.mark.slow
def test_home_in_the_shopify_admin_shows_the_checklist_and_switches_period(hosted, page):
    shop_id = hosted.install_shopify()
    with services_of(hosted.app).database.session() as session:
        placed_order(session, shop_id, "42.00", at=utcnow() - timedelta(days=10))
        session.commit()

    app = open_admin(page, hosted, Platform.SHOPIFY)

    _checklist_is_shown(app)
    expect(app.get_by_test_id("revenue")).to_have_text("$42.00")
    app.get_by_label("Period").select_option("7")
    app.get_by_role("button", name="Show").click()
    expect(app.get_by_role("heading", name="No orders through Cartpath yet")).to_be_visible()
    expect(app.get_by_label("Period")).to_have_value("7")


@pytest.mark.slow
def test_home_in_the_bigcommerce_control_panel_shows_the_checklist(hosted, page):
    hosted.install_bigcommerce()

    app = open_admin(page, hosted, Platform.BIGCOMMERCE)

    _checklist_is_shown(app)
    expect(app.get_by_role("heading", name="No orders through Cartpath yet")).to_be_visible()
