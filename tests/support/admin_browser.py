"""Cartpath's admin in Chromium, the way a merchant uses it: embedded in the platform's own
admin (Shopify's admin frame, BigCommerce's control panel), and the setup steps done there
(hand-off on, a design published, a funnel created and activated) for the browser tests
that share them.

The step helpers start on the page that does the step and end on the same page, with the
page's own confirmation seen: how the test got there (the navigation, a checklist link) is
the test's business.
"""

from __future__ import annotations

from playwright.sync_api import FrameLocator, Page, expect

from admin.funnel_form import picked
from auth.models import Role
from core.models import Platform
from tests.support.admin import staff_member
from tests.support.cartpath import BC_APP_ID, SHOP, SHOPIFY_KEY, STORE, LiveCartpath

# A second staff member of each demo shop (9002: the demo store's staff user in BigCommerce).
SUPPORT_USERS = {Platform.SHOPIFY: "2", Platform.BIGCOMMERCE: "9002"}
FUNNEL_NAME = "Bottle after checkout"
FUNNEL_HEADLINE = "Stay hydrated: a bottle at 25% off"


def open_admin(page: Page, live: LiveCartpath, platform: str, user: str = "") -> FrameLocator:
    """Cartpath inside the platform's admin, as staff member `user` (default: the owner)."""
    who = f"user={user}" if user else ""
    if Platform(platform) is Platform.SHOPIFY:
        page.goto(f"{live.sandbox.url}/shopify/admin/store/demo-shop/apps/{SHOPIFY_KEY}?{who}")
        return page.frame_locator("iframe#app-iframe")
    page.goto(f"{live.sandbox.url}/bigcommerce/manage/app/{BC_APP_ID}?store={STORE}&{who}")
    return page.frame_locator("iframe#app-frame")


def open_admin_as_support(page: Page, live: LiveCartpath, platform: str) -> FrameLocator:
    """Cartpath inside the platform's admin as the shop's support user (made one first)."""
    user = SUPPORT_USERS[platform]
    domain = SHOP if Platform(platform) is Platform.SHOPIFY else STORE
    staff_member(live, shop=domain, user_id=user, role=Role.SUPPORT)
    return open_admin(page, live, platform, user=user)


def navigate(app: FrameLocator, page_name: str) -> None:
    """Go to one of Cartpath's pages through its own navigation bar, and see it open."""
    app.get_by_role("navigation", name="Cartpath").get_by_role(
        "link", name=page_name, exact=True
    ).click()
    expect(app.get_by_role("heading", name=page_name, level=1)).to_be_visible()


def turn_handoff_on(app: FrameLocator) -> None:
    """On Settings: switch the storefront hand-off on."""
    app.get_by_label("On: every shopper's cart goes to Cartpath's checkout.").check()
    app.get_by_role("button", name="Save hand-off").click()
    expect(app.get_by_test_id("notice")).to_have_text("The storefront hand-off is on.")
    expect(app.get_by_test_id("handoff")).to_have_text("on")


def save_design_draft(app: FrameLocator, *, accent: str, header: str) -> None:
    """On Checkout design: a new button colour and header text, saved as a draft."""
    app.get_by_label("Buttons and links").fill(accent)
    app.get_by_label("Header text").fill(header)
    app.get_by_role("button", name="Save draft").click()
    expect(app.get_by_test_id("notice")).to_contain_text("Draft saved.")


def publish_design(app: FrameLocator) -> None:
    """On Checkout design: make the draft what shoppers see."""
    app.get_by_role("button", name="Publish", exact=True).click()
    expect(app.get_by_test_id("notice")).to_have_text("Published: shoppers now see this design.")


def water_bottle(live: LiveCartpath, platform: str) -> str:
    """The product picker's value for the demo catalogue's Water Bottle, first variant."""
    state = live.sandbox.state()
    if Platform(platform) is Platform.SHOPIFY:
        product = next(
            p for p in state["shopify"]["shops"][SHOP]["products"] if "Bottle" in p["title"]
        )
        return picked(str(product["id"]), str(product["variants"][0]["id"]))
    products = state["bigcommerce"]["stores"][STORE]["products"]
    product_id, product = next((i, p) for i, p in products.items() if "Bottle" in p["name"])
    return picked(product_id, next(iter(product["variants"])))


def create_and_activate_funnel(app: FrameLocator, pick: str) -> None:
    """On Funnels: a funnel offering `pick` at 25% off with free shipping, made active."""
    app.get_by_role("link", name="Create funnel").click()
    app.get_by_label("Name", exact=True).fill(FUNNEL_NAME)
    offer = app.get_by_test_id("offer-1")
    offer.locator(f'input[value="{pick}"]').check()
    offer.get_by_label("Discount", exact=True).select_option("percent")
    offer.get_by_label("Percent or amount off").fill("25")
    offer.get_by_label("Shipping for the added item").select_option("free")
    offer.get_by_label("Headline").fill(FUNNEL_HEADLINE)
    app.get_by_role("button", name="Create funnel").click()
    expect(app.get_by_test_id("notice")).to_contain_text("was created as a draft")
    app.get_by_role("button", name="Activate").click()
    expect(app.get_by_test_id("status")).to_have_text("active")
