"""Checkout design over HTTP: a saved draft reaches the preview, only a published one the
shopper; refused settings come back with each message beside its field; support reads
and cannot change; a shop only ever edits its own design."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests
from sqlalchemy import select

from auth.models import Role
from checkout.design import design_state, draft_theme, published_theme
from core.models import AuditLog, Platform
from core.services import services_of
from tests.checkout.test_checkout_flow import _start_shopify
from tests.support.admin import admin_client
from tests.support.cartpath import SHOP, STORE, LiveCartpath, live_cartpath

DESIGN = {
    "primary": "#7c2d12",
    "primary_text": "#ffffff",
    "accent": "#047857",
    "background": "#ffffff",
    "text": "#111827",
    "font": "georgia",
    "corner_radius": "10",
    "layout": "one_column",
    "header_text": "Spring sale: free returns",
    "footer_text": "Questions? hello@example.com",
    "trust_badges": ["secure_checkout", "free_returns"],
    "testimonial_quote_1": "Arrived in two days.",
    "testimonial_author_1": "Ana",
    "show_company": "on",
    "custom_css": ".cp-total { letter-spacing: .02em }",
}


@pytest.fixture
def hosted(make_config, sandbox) -> Iterator[LiveCartpath]:
    with live_cartpath(make_config(), sandbox, shopify_distribution="custom") as live:
        live.install_shopify()
        live.install_bigcommerce()
        yield live


def _shop(live: LiveCartpath, platform: Platform = Platform.SHOPIFY) -> int:
    return live.shop_id(platform, STORE if platform is Platform.BIGCOMMERCE else SHOP)


def _state(live: LiveCartpath, shop_id: int):
    with services_of(live.app).database.session() as session:
        return design_state(session, shop_id), published_theme(session, shop_id)


def _actions(live: LiveCartpath) -> list[str]:
    with services_of(live.app).database.session() as session:
        return session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()


def _preview(owner) -> str:
    page = owner.get("/admin/design")
    src = re.search(r'<iframe id="preview"[^>]* src="([^"]+)"', page.text).group(1)
    return requests.get(owner.live.url + src.replace("&amp;", "&"), timeout=15).text


def test_the_page_shows_the_form_and_a_preview_of_the_draft_beside_it(hosted):
    owner = admin_client(hosted)

    page = owner.get("/admin/design")
    mobile = owner.get("/admin/design", preview="mobile")

    assert page.status_code == 200
    assert 'id="preview"' in page.text
    assert "/checkout/preview?admin_token=" in page.text
    assert 'class="card designer-preview preview-desktop"' in page.text
    assert 'class="card designer-preview preview-mobile"' in mobile.text
    assert 'for="header_text"' in page.text, "every field has a label"
    assert "Not published yet" in page.text
    assert "Everyday Tote" in _preview(owner), "the preview is the checkout with sample lines"


def test_a_saved_draft_is_previewed_and_reaches_shoppers_only_once_published(hosted):
    owner = admin_client(hosted)
    browser, checkout_url = _start_shopify(hosted)

    saved = owner.post("/admin/design", DESIGN)

    assert saved.status_code == 303
    assert "Spring sale: free returns" in _preview(owner)
    assert "Spring sale" not in browser.get(checkout_url, timeout=15).text
    assert "Not published yet" in owner.get("/admin/design").text

    published = owner.post("/admin/design/publish")

    assert published.status_code == 303
    shopper = browser.get(checkout_url, timeout=15).text
    assert "Spring sale: free returns" in shopper
    assert "--cp-primary:#7c2d12" in shopper
    assert "Arrived in two days." in shopper
    state, live_theme = _state(hosted, _shop(hosted))
    assert live_theme.layout == "one_column"
    assert live_theme.corner_radius == 10
    assert live_theme.trust_badges == ("secure_checkout", "free_returns")
    assert not live_theme.phone_required
    assert live_theme.show_company
    assert state.published_at is not None
    assert not state.unpublished_changes
    assert _actions(hosted)[-2:] == ["design.saved", "design.published"]


def test_refused_settings_come_back_with_each_message_beside_its_field(hosted):
    owner = admin_client(hosted)
    owner.post("/admin/design", DESIGN)
    bad = {
        **DESIGN,
        "text": "#f0f0f0",
        "logo_url": "http://example.com/logo.png",
        "custom_css": ".cp-total { position: fixed }",
        "corner_radius": "99",
        "testimonial_quote_2": "No author given",
        "header_text": "Typed and kept",
    }

    answer = owner.post("/admin/design", bad)

    assert answer.status_code == 422
    page = answer.text
    for field, message in (
        ("text", "Text on the background has a contrast of"),
        ("logo_url", "Use the https:// address of an image"),
        ("custom_css", "the property position is not allowed"),
        ("corner_radius", "from 0 to 24"),
        ("testimonials", "Testimonial 2: give a quote and an author"),
    ):
        error = re.search(rf'id="{field}-error"[^>]*>([^<]*)<', page)
        assert error, field
        assert message in error.group(1), field
    assert 'aria-describedby="text-error"' in page
    assert 'value="Typed and kept"' in page, "what was typed is kept"
    assert "The draft was not saved" in page
    with services_of(hosted.app).database.session() as session:
        assert draft_theme(session, _shop(hosted)).header_text == "Spring sale: free returns"


def test_revert_discards_the_draft_back_to_the_published_design(hosted):
    owner = admin_client(hosted)
    owner.post("/admin/design", DESIGN)
    owner.post("/admin/design/publish")
    owner.post("/admin/design", {**DESIGN, "header_text": "Not for shoppers"})
    assert "changes shoppers do not see" in owner.get("/admin/design").text

    reverted = owner.post("/admin/design/revert")

    assert reverted.status_code == 303
    landing = requests.get(hosted.url + reverted.headers["Location"], timeout=15).text
    assert "Draft discarded" in landing
    state, live_theme = _state(hosted, _shop(hosted))
    assert state.draft == live_theme
    assert state.draft.header_text == "Spring sale: free returns"
    assert "Not for shoppers" not in _preview(owner)
    assert _actions(hosted)[-1] == "design.reverted"


def test_publishing_with_nothing_saved_publishes_the_default_design_shown(hosted):
    shop_id = _shop(hosted)
    before, _ = _state(hosted, shop_id)

    answer = admin_client(hosted).post("/admin/design/publish")

    assert answer.status_code == 303
    state, live_theme = _state(hosted, shop_id)
    assert before.published_at is None
    assert state.published_at is not None, "the setup checklist counts it as done"
    assert live_theme == state.draft == before.draft
    assert _actions(hosted)[-1] == "design.published"


def test_staff_edit_and_support_sees_the_page_read_only_and_is_refused(hosted):
    admin_client(hosted).post("/admin/design", DESIGN)
    staff = admin_client(hosted, user_id="2", role=Role.STAFF)
    support = admin_client(hosted, user_id="3", role=Role.SUPPORT)

    assert staff.post("/admin/design", {**DESIGN, "header_text": "By staff"}).status_code == 303
    page = support.get("/admin/design")
    refused = [
        support.post("/admin/design", {**DESIGN, "header_text": "By support"}),
        support.post("/admin/design/publish"),
        support.post("/admin/design/revert"),
    ]

    assert page.status_code == 200
    assert "can view the design but not change it" in page.text
    assert "<fieldset disabled>" in page.text
    assert "Save draft" not in page.text
    assert "Publish" not in page.text
    assert [answer.status_code for answer in refused] == [403, 403, 403]
    state, live_theme = _state(hosted, _shop(hosted))
    assert state.draft.header_text == "By staff"
    assert state.published_at is None
    assert _actions(hosted).count("access.denied") == 3


def test_a_shop_edits_and_previews_only_its_own_design(hosted):
    shopify_owner = admin_client(hosted)
    bigcommerce_owner = admin_client(hosted, shop=STORE)

    shopify_owner.post(
        "/admin/design", {**DESIGN, "shop_id": str(_shop(hosted, Platform.BIGCOMMERCE))}
    )
    shopify_owner.post("/admin/design/publish")

    assert "Spring sale" not in _preview(bigcommerce_owner)
    bigcommerce, _ = _state(hosted, _shop(hosted, Platform.BIGCOMMERCE))
    assert bigcommerce.published_at is None
    assert bigcommerce.draft.header_text == ""
    shopify, _ = _state(hosted, _shop(hosted))
    assert shopify.draft.header_text == "Spring sale: free returns"


def test_a_native_shop_is_told_its_shoppers_do_not_see_the_design(cartpath):
    cartpath.install_shopify()

    page = admin_client(cartpath).get("/admin/design")

    assert page.status_code == 200
    assert "keeps Shopify's own checkout, so shoppers do not see this design" in page.text
