"""The storefront script in Chromium on both sandbox storefronts: the shopper's cart arrives in
Cartpath's checkout with its campaign; when Cartpath is down or hangs, or the switch says no,
the platform's own checkout opens instead."""

from __future__ import annotations

import re
import socket
import time

import pytest

from checkout.storefront import SCRIPT_FILE
from core.models import Platform
from tests.storefront.conftest import (
    CHECKOUT_BUTTON,
    NATIVE_CHECKOUT,
    fill_cart,
    latest_checkout,
    platform_cart_variants,
    switch,
)

PLATFORMS = [Platform.SHOPIFY, Platform.BIGCOMMERCE]
HEALTH_MS = int(re.search(r"HEALTH_MS = (\d+);", SCRIPT_FILE.read_text()).group(1))


@pytest.mark.parametrize("platform", PLATFORMS, ids=lambda p: p.value)
def test_the_cart_arrives_in_cartpath_s_checkout_with_its_campaign(page, storefronts, platform):
    # given: a shopper who came from the spring newsletter and put two products in the cart
    fill_cart(page, storefronts, platform, "?utm_source=newsletter&utm_campaign=spring")
    in_the_cart = platform_cart_variants(page, platform)
    assert len(in_the_cart) == 2

    # when
    page.click(CHECKOUT_BUTTON[platform])
    page.wait_for_url(f"{storefronts.url}/checkout/*")

    # then: the same lines, and the landing page's UTM on the checkout
    checkout = latest_checkout(storefronts)
    assert {i["variant_id"]: i["quantity"] for i in checkout.items} == in_the_cart
    assert checkout.attribution["utm_source"] == "newsletter"
    assert checkout.attribution["utm_campaign"] == "spring"
    assert "utm_source=newsletter" in checkout.attribution["landing_page"]
    assert page.get_by_text(checkout.lines[0]["title"]).first.is_visible()


@pytest.mark.parametrize("platform", PLATFORMS, ids=lambda p: p.value)
def test_with_cartpath_down_or_hanging_the_native_checkout_opens(page, storefronts, platform):
    assert HEALTH_MS <= 500, "the script waits for Cartpath at most half a second"
    fill_cart(page, storefronts, platform)
    port = int(storefronts.url.rsplit(":", 1)[1])
    storefronts.stop()

    # stopped: the connection is refused, and the native checkout opens at once
    started = time.monotonic()
    page.click(CHECKOUT_BUTTON[platform])
    page.wait_for_url(NATIVE_CHECKOUT[platform], timeout=5000)
    assert time.monotonic() - started < 1.0

    # hanging: something accepts connections but never answers; the script's timeout decides
    with socket.socket() as hung:
        hung.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        hung.bind(("127.0.0.1", port))
        hung.listen(16)
        page.go_back()
        page.wait_for_selector(CHECKOUT_BUTTON[platform])
        started = time.monotonic()
        page.click(CHECKOUT_BUTTON[platform])
        page.wait_for_url(NATIVE_CHECKOUT[platform], timeout=5000)
        waited = time.monotonic() - started
    assert HEALTH_MS / 1000 <= waited < 1.0 + HEALTH_MS / 1000, waited


def test_test_mode_hands_off_flagged_visitors_only_and_off_never(page, storefronts):
    platform = Platform.SHOPIFY
    switch(storefronts, platform, "test")

    fill_cart(page, storefronts, platform)
    page.click(CHECKOUT_BUTTON[platform])
    page.wait_for_url(NATIVE_CHECKOUT[platform])

    fill_cart(page, storefronts, platform, "?cartpath_test=1")
    page.click(CHECKOUT_BUTTON[platform])
    page.wait_for_url(f"{storefronts.url}/checkout/*")

    switch(storefronts, platform, "off")
    fill_cart(page, storefronts, platform)  # the test cookie is still set
    page.click(CHECKOUT_BUTTON[platform])
    page.wait_for_url(NATIVE_CHECKOUT[platform])
