"""The hosted checkout in a real browser: axe-core finds nothing serious or critical in
any state a shopper meets, and the whole address-and-delivery path works without
JavaScript (DESIGN.md: "accessible checkout ... that work even with JavaScript off").

axe-core comes from the npm registry into .cache/npm (.ci/services.sh installs it).
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
import requests
from playwright.sync_api import Page, expect

from tests.checkout.test_paying import open_shop  # noqa: F401 - the fixture
from tests.payments import cards
from tests.support.cartpath import SHOP, LiveCartpath

AXE = Path(__file__).resolve().parents[2] / ".cache/npm/node_modules/axe-core/axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")
SUBMIT_TIMEOUT_MS = 30_000
ADDRESS = {
    "#email": "ada@example.com",
    "#first_name": "Ada",
    "#last_name": "Lovelace",
    "#address1": "1 Market St",
    "#city": "San Francisco",
    "#postal_code": "94105",
}


@pytest.fixture
def browser_context_args(browser_context_args):
    """axe-core is injected as an inline script, which the page's CSP rightly forbids."""
    return {**browser_context_args, "bypass_csp": True}


def _open_checkout(live: LiveCartpath) -> str:
    """Hand a one-line cart over as the storefront does; the checkout page's URL."""
    product = live.sandbox.state()["shopify"]["shops"][SHOP]["products"][0]
    answer = requests.post(
        f"{live.url}/checkout/start",
        timeout=15,
        json={
            "platform": "shopify",
            "shop": SHOP,
            "items": [{"id": product["variants"][0]["id"], "quantity": 2}],
        },
    )
    assert answer.status_code == 201, answer.text
    return live.url + answer.json()["checkout_url"]


def _submit_address(page: Page, postal_code: str) -> None:
    for selector, value in {**ADDRESS, "#postal_code": postal_code}.items():
        page.fill(selector, value)
    page.select_option("#country_code", "US")
    page.select_option("#province_code", "CA")
    _submit(page, "Continue to delivery")


def _submit(page: Page, button: str) -> None:
    """Click a form's button and wait for the page the server answers (a POST and,
    when valid, its redirect; the store's platform is called on the way)."""
    with page.expect_navigation(timeout=SUBMIT_TIMEOUT_MS):
        page.get_by_role("button", name=button).click()


def _blocking_violations(page: Page) -> list[str]:
    """Run axe-core on the page; one readable line per serious or critical finding."""
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run `bash .ci/services.sh` (make test does)")
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} [{v['helpUrl']}]"
        + "".join(f"\n    {node['html']}" for node in v["nodes"])
        for v in violations
        if v["impact"] in BLOCKING_IMPACTS
    ]


def _money(page: Page, testid: str) -> Decimal:
    text = page.get_by_test_id(testid).inner_text()
    return Decimal(re.sub(r"[^0-9.]", "", text))


@pytest.mark.slow
def test_axe_finds_no_serious_violations_in_any_checkout_state(open_shop, page):  # noqa: F811
    page.goto(_open_checkout(open_shop()))
    expect(page.get_by_role("heading", name="Contact and shipping address")).to_be_visible()
    found = {"fresh": _blocking_violations(page)}

    _submit_address(page, postal_code="ABCDE")
    expect(page.locator("#postal_code-error")).to_be_visible()
    expect(page.locator("#postal_code")).to_have_attribute("aria-invalid", "true")
    found["address errors"] = _blocking_violations(page)

    _submit_address(page, postal_code="94105")
    expect(page.get_by_role("group", name="Choose a delivery option")).to_be_visible()
    found["delivery options"] = _blocking_violations(page)

    page.locator('input[name="shipping_option"]').first.check()
    _submit(page, "Use this delivery option")
    fields = page.frame_locator("#card-element iframe")
    fields.locator("#number").fill(cards.DECLINED)
    fields.locator("#expiry").fill("12 / 34")
    fields.locator("#cvc").fill("123")
    with page.expect_navigation(timeout=SUBMIT_TIMEOUT_MS):
        page.get_by_role("button", name=re.compile(r"^Pay ")).click()
    expect(page.get_by_role("alert").filter(has_text="declined")).to_be_visible()
    found["card declined"] = _blocking_violations(page)

    report = "\n".join(f"[{state}] {line}" for state, lines in found.items() for line in lines)
    assert not report, f"axe-core found serious or critical violations:\n{report}"


@pytest.mark.slow
def test_address_and_delivery_complete_with_javascript_off(hosted, browser):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(_open_checkout(hosted))
        _submit_address(page, postal_code="94105")
        options = page.locator('input[name="shipping_option"]')
        expect(options.first).to_be_visible()
        options.first.check()
        _submit(page, "Use this delivery option")

        expect(page.get_by_test_id("amount-due")).to_be_visible()
        shipping, tax, total = (_money(page, t) for t in ("shipping", "tax", "total"))
        assert shipping > 0
        assert tax > 0
        assert total == _money(page, "subtotal") + shipping + tax
        assert _money(page, "amount-due") == total
        assert options.first.is_checked(), "the chosen option is shown as chosen"
    finally:
        context.close()
