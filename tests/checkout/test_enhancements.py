"""The checkout's JavaScript enhancements, in Chromium: each one saves the shopper a step,
and the page without them is tested in test_accessibility.py."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
import requests
from playwright.sync_api import expect

from tests.checkout.test_accessibility import _money, _open_checkout, _submit_address


@pytest.mark.slow
def test_changing_country_swaps_the_address_fields_and_keeps_what_was_typed(hosted, page):
    page.goto(_open_checkout(hosted))
    page.fill("#first_name", "Ada")
    page.fill("#address1", "1 Market St")
    expect(page.locator("#province_code")).to_be_visible()  # the US asks for a state

    page.select_option("#country_code", "DE")

    expect(page.locator("#province_code")).to_have_count(0)  # Germany does not
    expect(page.locator("#address-fields")).to_have_attribute("data-country", "DE")
    expect(page.locator("#first_name")).to_have_value("Ada")
    expect(page.locator("#address1")).to_have_value("1 Market St")
    expect(page.get_by_role("status")).to_contain_text("Germany")
    assert page.evaluate("document.activeElement.id") == "country_code"


@pytest.mark.slow
def test_choosing_a_delivery_option_requotes_without_a_button(hosted, page):
    page.goto(_open_checkout(hosted))
    _submit_address(page, postal_code="94105")
    options = page.locator('input[name="shipping_option"]')
    expect(options.nth(1)).to_be_visible()
    label = page.locator(f'label[for="{options.nth(1).get_attribute("id")}"]').inner_text()
    price = Decimal(re.sub(r"[^0-9.]", "", label.rsplit("—", 1)[1]))

    with page.expect_navigation():
        options.nth(1).check()  # no button pressed

    expect(options.nth(1)).to_be_checked()
    assert _money(page, "shipping") == price
    total = _money(page, "subtotal") + _money(page, "shipping") + _money(page, "tax")
    assert _money(page, "total") == total


def test_the_address_fields_fragment_refuses_an_unknown_country(hosted):
    url = _open_checkout(hosted)
    assert requests.get(f"{url}/address-fields?country=XX", timeout=10).status_code == 400
    answer = requests.get(f"{url}/address-fields?country=CA", timeout=10)
    assert answer.status_code == 200
    assert 'id="province_code"' in answer.text
    assert "Postal code" in answer.text
