"""The merchant's design: stored validated, shown to shoppers once published, previewed
by staff with the draft."""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import Page, expect
from sqlalchemy import select

from checkout.design import publish, published_theme, save_draft
from core.models import Platform, Shop
from core.services import services_of
from tests.checkout.test_checkout_flow import US_ADDRESS, _post, _start_shopify

DESIGN = {
    "primary": "#7c2d12",
    "header_text": "Spring sale: free returns",
    "custom_css": ".cp-total { letter-spacing: .02em } </style><script>alert(1)</script>",
    "trust_badges": ["secure_checkout"],
}


def _shopify_shop_id(live) -> int:
    with services_of(live.app).database.session() as session:
        return session.scalar(select(Shop.id).where(Shop.platform == Platform.SHOPIFY))


def _design(live, settings, *, published: bool) -> None:
    with services_of(live.app).database.session() as session:
        shop_id = _shopify_shop_id(live)
        save_draft(session, shop_id, settings)
        if published:
            publish(session, shop_id)
        session.commit()


def test_unsafe_custom_css_is_refused_when_saved(hosted):
    from checkout.theme import ThemeError

    with pytest.raises(ThemeError) as refused:
        _design(hosted, DESIGN, published=True)
    assert "custom_css" in refused.value.errors


def test_the_published_design_reaches_the_shopper_and_the_draft_does_not(hosted):
    safe = {**DESIGN, "custom_css": ".cp-total { letter-spacing: .02em }"}
    _design(hosted, safe, published=True)
    _design(hosted, {**safe, "header_text": "Draft only"}, published=False)
    browser, url = _start_shopify(hosted)

    page = browser.get(url, timeout=15).text

    assert "Spring sale: free returns" in page
    assert "Draft only" not in page
    assert "--cp-primary:#7c2d12" in page
    assert ".cp-checkout .cp-total" in page, "custom CSS is scoped under the checkout"
    assert "Secure checkout" in page


def test_a_new_published_design_reaches_the_next_page_view(hosted):
    """The page keeps validated designs by their stored text (checkout/design.py): a
    publish is never served stale, whichever process shows the page."""
    browser, url = _start_shopify(hosted)
    _design(hosted, {"header_text": "First edition"}, published=True)
    first = browser.get(url, timeout=15).text
    _design(hosted, {"header_text": "Second edition", "primary": "#7c2d12"}, published=True)
    second = browser.get(url, timeout=15).text

    assert "First edition" in first
    assert "Second edition" in second
    assert "First edition" not in second
    assert "--cp-primary:#7c2d12" in second
    with services_of(hosted.app).database.session() as session:
        assert published_theme(session, _shopify_shop_id(hosted)).header_text == "Second edition"


def test_staff_preview_the_draft_with_sample_data(hosted):
    _design(hosted, {"header_text": "Draft only"}, published=False)

    preview = requests.get(
        f"{hosted.url}/checkout/preview", timeout=15, params={"id_token": hosted.session_token()}
    )
    anonymous = requests.get(f"{hosted.url}/checkout/preview", timeout=15)

    assert preview.status_code == 200
    assert "Draft only" in preview.text
    assert "Everyday Tote" in preview.text
    assert "frame-ancestors" in preview.headers["Content-Security-Policy"]
    assert anonymous.status_code == 401


ACCENT = "#b91c1c"
ACCENT_RGB = "rgb(185, 28, 28)"


@pytest.mark.slow
def test_the_published_accent_marks_focus_the_chosen_delivery_and_headings(hosted, page: Page):
    """The accent is emitted as --cp-accent and the page's own stylesheet draws with it: the
    focus ring, the chosen delivery option and the section headings' markers (seen in
    Chromium as computed styles, so a variable emitted but never read fails)."""
    _design(hosted, {"accent": ACCENT, "primary": "#7c2d12"}, published=True)
    browser, url = _start_shopify(hosted)
    with_options = _post(browser, url, action="contact", **US_ADDRESS).text
    assert f"--cp-accent:{ACCENT}" in with_options

    page.goto(url)
    delivery = page.get_by_role("group", name="Choose a delivery option")
    expect(delivery).to_be_visible()
    first, second = page.locator(".cp-choice").nth(0), page.locator(".cp-choice").nth(1)
    with page.expect_navigation():  # enhance.js sends the choice at once
        first.locator("input").check()
    expect(first.locator("input")).to_be_checked()
    page.locator("#email").focus()

    def style(selector: str, prop: str, pseudo: str | None = None) -> str:
        return page.evaluate(
            "([s, p, pseudo]) => getComputedStyle(document.querySelector(s), pseudo)"
            ".getPropertyValue(p)",
            [selector, prop, pseudo],
        )

    assert style("#email", "outline-color") == ACCENT_RGB
    assert first.evaluate("e => getComputedStyle(e).borderColor") == ACCENT_RGB
    assert second.evaluate("e => getComputedStyle(e).borderColor") != ACCENT_RGB
    assert style("#delivery-title", "background-color", "::before") == ACCENT_RGB
    assert style('input[name="shipping_option"]', "accent-color") == ACCENT_RGB
