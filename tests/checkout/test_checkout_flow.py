"""The hosted checkout over HTTP with plain forms (the no-JavaScript path), on both sandboxes:
hand-off, address, delivery, discount, and totals that are the platform's own."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
import requests

from tests.checkout.test_addresses import US
from tests.support.cartpath import SHOP, STORE, LiveCartpath

US_ADDRESS = {"email": "ada@example.com", **US}


def _shopify_variant(live: LiveCartpath, index: int = 0) -> dict:
    product = live.sandbox.state()["shopify"]["shops"][SHOP]["products"][index]
    return product["variants"][0]


def _start_shopify(live: LiveCartpath, quantity: int = 2) -> tuple[requests.Session, str]:
    variant = _shopify_variant(live)
    browser = requests.Session()
    answer = browser.post(
        f"{live.url}/checkout/start",
        timeout=15,
        data={
            "cart": json.dumps(
                {
                    "platform": "shopify",
                    "shop": SHOP,
                    "items": [{"id": variant["id"], "quantity": quantity, "price": 1}],
                    "attribution": {"utm_source": "spring-mail"},
                }
            )
        },
        allow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return browser, live.url + answer.headers["Location"]


def _money(text: str, testid: str) -> Decimal:
    match = re.search(rf'data-testid="{testid}">[^0-9]*([0-9,]+\.[0-9]{{2}})', text)
    assert match, f"no {testid} on the page"
    return Decimal(match.group(1).replace(",", ""))


def _post(browser: requests.Session, url: str, **form: str) -> requests.Response:
    return browser.post(url, data=form, timeout=15, allow_redirects=True)


def test_the_shopify_lines_and_prices_come_from_the_platform(hosted):
    browser, url = _start_shopify(hosted, quantity=2)
    page = browser.get(url, timeout=15)

    assert page.status_code == 200
    variant = _shopify_variant(hosted)
    assert _money(page.text, "subtotal") == Decimal(variant["price"]) * 2, (
        "the price the browser sent (1) is ignored"
    )


def test_address_delivery_and_discount_end_in_the_platform_s_total(hosted):
    browser, url = _start_shopify(hosted)

    after_address = _post(browser, url, action="contact", **US_ADDRESS)
    assert after_address.status_code == 200
    option = re.search(r'name="shipping_option" value="([^"]+)"', after_address.text).group(1)
    after_delivery = _post(browser, url, action="delivery", shipping_option=option)
    total = _money(after_delivery.text, "total")
    subtotal = _money(after_delivery.text, "subtotal")
    shipping = _money(after_delivery.text, "shipping")
    tax = _money(after_delivery.text, "tax")

    assert shipping > 0
    assert tax > 0
    assert total == subtotal + shipping + tax
    assert _money(after_delivery.text, "amount-due") == total


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({**US_ADDRESS, "email": "not-an-email"}, "email"),
        ({**US_ADDRESS, "postal_code": "ABCDE"}, "postal_code"),
        ({**US_ADDRESS, "province_code": "ZZ"}, "province_code"),
        ({**US_ADDRESS, "country_code": "XX"}, "country_code"),
        ({**US_ADDRESS, "first_name": ""}, "first_name"),
    ],
)
def test_invalid_addresses_are_answered_beside_their_fields(hosted, form, field):
    browser, url = _start_shopify(hosted)
    answer = browser.post(url, data={"action": "contact", **form}, timeout=15)

    assert answer.status_code == 422
    assert f'id="{field}-error"' in answer.text
    assert browser.get(url, timeout=15).text.count("ada@example.com") == 0, "nothing was saved"


def test_an_unknown_discount_code_is_refused_with_a_reason(hosted):
    browser, url = _start_shopify(hosted)
    answer = browser.post(url, data={"action": "discount", "discount_code": "NOPE"}, timeout=15)
    assert answer.status_code == 422
    assert 'id="discount_code-error"' in answer.text


def test_a_bigcommerce_cart_is_priced_by_the_store_s_checkout(hosted):
    from tests.support import bigcommerce as bc

    token = bc.install(hosted.sandbox)["access_token"]
    products = hosted.sandbox.state()["bigcommerce"]["stores"][STORE]["products"]
    product_id = next(iter(products))
    connection = bc.connection(hosted.sandbox, token)
    variant = connection.get(f"catalog/products/{product_id}/variants")["data"][0]
    cart = connection.post(
        "carts",
        {
            "line_items": [
                {"product_id": int(product_id), "variant_id": variant["id"], "quantity": 1}
            ]
        },
    )["data"]
    browser = requests.Session()
    started = browser.post(
        f"{hosted.url}/checkout/start",
        timeout=15,
        allow_redirects=False,
        json={"platform": "bigcommerce", "shop": STORE, "cart_id": cart["id"]},
    )
    assert started.status_code == 201, started.text
    url = hosted.url + started.json()["checkout_url"]

    after_address = _post(browser, url, action="contact", **US_ADDRESS)
    option = re.search(r'name="shipping_option" value="([^"]+)"', after_address.text).group(1)
    page = _post(browser, url, action="delivery", shipping_option=option)

    assert page.status_code == 200
    assert _money(page.text, "total") == (
        _money(page.text, "subtotal") + _money(page.text, "shipping") + _money(page.text, "tax")
    )


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"platform": "shopify", "shop": SHOP, "items": []}, 400),
        (
            {
                "platform": "shopify",
                "shop": "nobody.myshopify.com",
                "items": [{"id": 1, "quantity": 1}],
            },
            404,
        ),
        ({"platform": "shopify", "shop": SHOP, "items": [{"id": 999999999, "quantity": 1}]}, 409),
        ({"platform": "bigcommerce", "shop": STORE, "cart_id": "no-such-cart"}, 409),
    ],
    ids=["empty", "unknown-shop", "deleted-variant", "unknown-cart"],
)
def test_bad_hand_offs_get_a_clear_answer_and_no_checkout(hosted, body, status):
    answer = requests.post(f"{hosted.url}/checkout/start", json=body, timeout=15)
    assert answer.status_code == status
    assert answer.json()["message"]


def test_a_huge_hand_off_is_refused(hosted):
    answer = requests.post(f"{hosted.url}/checkout/start", timeout=15, data={"cart": "x" * 70_000})
    assert answer.status_code == 413


def test_unknown_tokens_and_uninstalled_shops_cannot_be_used(hosted):
    assert requests.get(f"{hosted.url}/checkout/not-a-real-token", timeout=15).status_code == 404
    browser, url = _start_shopify(hosted)
    hosted.sandbox.call(
        "POST",
        "/shopify/events",
        {"shop": SHOP, "topic": "app/uninstalled", "client_id": hosted.config.shopify_api_key},
    )
    hosted.sandbox.wait_for_deliveries()
    hosted.wait_for_jobs()
    assert browser.get(url, timeout=15).status_code == 410


def test_a_valid_code_lowers_the_total_and_can_be_removed(hosted):
    browser, url = _start_shopify(hosted, quantity=2)
    before = _money(browser.get(url, timeout=15).text, "subtotal")

    applied = _post(browser, url, action="discount", discount_code="welcome10")
    removed = _post(browser, url, action="remove_discount")

    assert applied.status_code == 200
    assert _money(applied.text, "discount") == (before / 10).quantize(Decimal("0.01"))
    assert _money(applied.text, "total") == before - _money(applied.text, "discount")
    assert 'data-testid="discount"' not in removed.text
    assert _money(removed.text, "total") == before


def test_an_expired_code_says_why(hosted):
    browser, url = _start_shopify(hosted)
    answer = browser.post(
        url, data={"action": "discount", "discount_code": "EXPIRED20"}, timeout=15
    )
    assert answer.status_code == 422
    assert "expired" in answer.text.lower()
