"""#11 "Done means": complete the setup checklist, in Chromium, inside each platform's admin
(Shopify's admin frame, BigCommerce's control panel), the way a new merchant does: from
Home, follow each unfinished item's own link, do the step on that page, come back to Home
through the navigation and see the item ticked, until every item is done."""

from __future__ import annotations

import pytest
from playwright.sync_api import FrameLocator, Page, expect

from core.models import Platform
from tests.support.admin_browser import (
    create_and_activate_funnel,
    navigate,
    open_admin,
    publish_design,
    save_design_draft,
    turn_handoff_on,
    water_bottle,
)
from tests.support.cartpath import LiveCartpath

STEPS = ("mode", "gateway", "design", "funnel", "handoff")  # as Home lists them


def _checklist_shows(app: FrameLocator, done: set[str]) -> None:
    """Home's checklist has exactly the `done` items ticked, and links only the others."""
    for key in STEPS:
        step = app.get_by_test_id(f"step-{key}")
        expect(step).to_have_attribute("data-done", "yes" if key in done else "no")
        expect(step.get_by_role("link")).to_have_count(0 if key in done else 1)
    progress = "All done" if len(done) == len(STEPS) else f"{len(done)} of {len(STEPS)} done"
    expect(app.get_by_test_id("setup-progress")).to_have_text(progress)


def _follow(app: FrameLocator, key: str, lands_on: str) -> None:
    """Home's own link for the item `key`, which opens the page that does it."""
    app.get_by_test_id(f"step-{key}").get_by_role("link").click()
    expect(app.get_by_role("heading", name=lands_on, level=1)).to_be_visible()


@pytest.mark.slow
@pytest.mark.parametrize("platform", [Platform.SHOPIFY, Platform.BIGCOMMERCE], ids=str)
def test_a_new_merchant_completes_the_setup_checklist_from_home(
    page: Page, fresh_shop: LiveCartpath, platform: Platform
):
    # given: a shop just installed: hosted, the gateway set by the app; nothing else done
    app = open_admin(page, fresh_shop, platform)
    expect(app.get_by_role("heading", name="Home", level=1)).to_be_visible()
    expect(app.get_by_test_id("mode")).to_have_text("hosted")
    done = {"mode", "gateway"}
    _checklist_shows(app, done)

    # when/then: each item from its own link, ticked on Home afterwards
    _follow(app, "design", lands_on="Checkout design")
    save_design_draft(app, accent="#7c2d12", header="Free returns on every order")
    publish_design(app)
    navigate(app, "Home")
    done.add("design")
    _checklist_shows(app, done)

    _follow(app, "funnel", lands_on="Funnels")
    create_and_activate_funnel(app, water_bottle(fresh_shop, platform))
    navigate(app, "Home")
    done.add("funnel")
    _checklist_shows(app, done)

    _follow(app, "handoff", lands_on="Settings")
    turn_handoff_on(app)
    navigate(app, "Home")
    done.add("handoff")
    _checklist_shows(app, done)
