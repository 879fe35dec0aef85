"""Settings' payments status and orders export in Chromium, inside each platform's admin:
the owner checks the gateway again while Stripe fails, Home agrees and links back, the
owner checks again once Stripe answers; a running export is followed on its own page,
which refreshes itself (a meta refresh, no script) until the file is ready."""

from __future__ import annotations

import pytest
from playwright.sync_api import FrameLocator, Page, expect
from sqlalchemy import update

from checkout.models import ExportStatus, OrderExport
from core.db import utcnow
from core.models import Platform
from core.services import services_of
from tests.support.admin_browser import navigate, open_admin
from tests.support.cartpath import SHOP, STORE

BALANCE = r"^/stripe/v1/balance$"


def _check_again(app: FrameLocator, status: str) -> None:
    app.get_by_role("button", name="Check again").click()
    expect(app.get_by_test_id("notice")).to_have_text(f"The card gateway was checked: {status}.")
    expect(app.get_by_test_id("gateway-status")).to_have_text(status)


def _gateway_step(app: FrameLocator, done: str) -> None:
    expect(app.get_by_test_id("step-gateway")).to_have_attribute("data-done", done)


@pytest.mark.slow
@pytest.mark.parametrize("platform", [Platform.SHOPIFY, Platform.BIGCOMMERCE], ids=str)
def test_the_owner_checks_the_gateway_and_follows_an_export(page: Page, fresh_shop, platform):
    app = open_admin(page, fresh_shop, platform)
    navigate(app, "Settings")
    expect(app.get_by_test_id("gateway-status")).to_have_text("connected")
    expect(app.get_by_test_id("gateway-checked")).to_contain_text("UTC")

    # when: Stripe fails and the owner checks again, then opens Home
    fresh_shop.sandbox.fault(kind="status", status=500, path=BALANCE, count=None)
    _check_again(app, "unreachable")
    navigate(app, "Home")

    # then: Home says what Settings said, and its link leads back to Settings
    _gateway_step(app, "no")
    expect(app.get_by_test_id("step-gateway")).to_contain_text("did not answer")
    app.get_by_test_id("step-gateway").get_by_role("link", name="Check the gateway").click()
    expect(app.get_by_role("heading", name="Settings", level=1)).to_be_visible()

    # when: Stripe answers again and the owner checks again
    fresh_shop.sandbox.clear_faults()
    _check_again(app, "connected")
    navigate(app, "Home")
    _gateway_step(app, "yes")

    # given: an export running
    database = services_of(fresh_shop.app).database
    with database.session() as session:
        shop_id = fresh_shop.shop_id(platform, SHOP if platform is Platform.SHOPIFY else STORE)
        session.add(OrderExport(shop_id=shop_id, requested_by="owner", total=40, done=10))
        session.commit()

    # when: the owner follows it from Settings, and it finishes while the page is open
    navigate(app, "Settings")
    expect(app.get_by_test_id("export-progress")).to_contain_text("10 of 40")
    app.get_by_test_id("export-follow").click()
    expect(app.get_by_role("heading", name="Orders export", level=1)).to_be_visible()
    expect(app.get_by_test_id("export-progress")).to_contain_text("10 of 40")
    with database.session() as session:
        session.execute(
            update(OrderExport).values(
                status=ExportStatus.DONE, done=40, content="reference\n", finished_at=utcnow()
            )
        )
        session.commit()

    # then: the page refreshed itself to the finished file
    expect(app.get_by_test_id("export-done")).to_contain_text("40 orders", timeout=10_000)
    expect(app.get_by_role("link", name="Download the CSV")).to_be_visible()
