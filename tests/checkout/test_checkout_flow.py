"""The hosted checkout over HTTP with plain forms (the no-JavaScript path), on both sandboxes:
hand-off, address, delivery, discount, and totals that are the platform's own."""

from __future__ import annotations

import json
import re
import secrets
from datetime import timedelta
from decimal import Decimal

import pytest
import requests
from sqlalchemy import select, update

from checkout.models import Checkout
from core.db import utcnow
from core.services import services_of
from tests.checkout.test_addresses import US
from tests.support.cartpath import SHOP, STORE, LiveCartpath

US_ADDRESS = {"email": "ada@example.com", **US}


def _shopify_variant(live: LiveCartpath, index: int = 0) -> dict:
    product = live.sandbox.state()["shopify"]["shops"][SHOP]["products"][index]
    return product["variants"][0]


def _start_shopify(
    live: LiveCartpath, quantity: int = 2, variant: dict | None = None
) -> tuple[requests.Session, str]:
    variant = variant or _shopify_variant(live)
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


def _variant_by_sku(live: LiveCartpath, sku: str) -> dict:
    products = live.sandbox.state()["shopify"]["shops"][SHOP]["products"]
    return next(v for p in products for v in p["variants"] if v["sku"] == sku)


def _stored(live: LiveCartpath, url: str) -> Checkout:
    with services_of(live.app).database.session() as session:
        return session.scalar(select(Checkout).where(Checkout.token == url.rsplit("/", 1)[-1]))


def test_prices_and_quantities_sent_with_the_form_are_ignored(hosted):
    browser, url = _start_shopify(hosted, quantity=2)
    before = _money(browser.get(url, timeout=15).text, "subtotal")

    edited = {"quantity": "50", "unit_price": "0.01", "price": "0", "subtotal": "1", "total": "1"}
    page = _post(browser, url, action="contact", **US_ADDRESS, **edited)

    assert page.status_code == 200
    assert _money(page.text, "subtotal") == before == Decimal(_shopify_variant(hosted)["price"]) * 2
    assert _money(page.text, "total") > before, "shipping and tax come on top, from Shopify"
    assert [item["quantity"] for item in _stored(hosted, url).items] == [2]


def test_a_discount_code_that_does_not_apply_to_the_cart_says_why(hosted):
    socks = _variant_by_sku(hosted, "MS-1")  # 14.50; FIVEOFF needs a 30.00 subtotal
    browser, url = _start_shopify(hosted, quantity=1, variant=socks)

    answer = browser.post(url, data={"action": "discount", "discount_code": "FIVEOFF"}, timeout=15)

    assert answer.status_code == 422
    assert 'id="discount_code-error"' in answer.text
    assert "30.00" in answer.text, "the shopper is told the minimum"
    assert 'data-testid="discount"' not in answer.text
    assert _stored(hosted, url).discount_code is None


def test_an_item_sold_out_before_the_hand_off_is_flagged_on_the_page(hosted):
    sold_out = _variant_by_sku(hosted, "TRS-44")  # none in stock, and the shop does not oversell
    browser, url = _start_shopify(hosted, quantity=1, variant=sold_out)

    page = browser.get(url, timeout=15)

    assert page.status_code == 200
    assert "Some items are no longer available: Trail Runner Shoe" in page.text
    assert "No longer available" in page.text


def test_an_item_deleted_after_the_checkout_opened_is_explained_and_nothing_is_saved(hosted):
    browser, url = _start_shopify(hosted)
    product = hosted.sandbox.state()["shopify"]["shops"][SHOP]["products"][0]
    hosted.sandbox.call(
        "POST",
        "/shopify/events",
        {"shop": SHOP, "topic": "products/delete", "product_id": product["id"]},
    )

    answer = browser.post(url, data={"action": "contact", **US_ADDRESS}, timeout=15)

    assert answer.status_code == 409
    assert "no longer sold" in answer.text
    assert "Shopify no longer has" not in answer.text, "no platform jargon for the shopper"
    assert _stored(hosted, url).email == "", "nothing was saved"


def test_an_expired_checkout_cannot_be_used(hosted):
    browser, url = _start_shopify(hosted)
    token = url.rsplit("/", 1)[-1]
    with services_of(hosted.app).database.session() as session:
        session.execute(
            update(Checkout)
            .where(Checkout.token == token)
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
        session.commit()

    page = browser.get(url, timeout=15)
    sent = browser.post(url, data={"action": "contact", **US_ADDRESS}, timeout=15)

    assert page.status_code == sent.status_code == 410
    assert "This checkout has expired" in page.text
    assert _stored(hosted, url).email == "", "nothing was saved"


@pytest.mark.parametrize(
    "token",
    [secrets.token_urlsafe(24), "x" * 500, "%00", "1%20OR%201=1"],
    ids=["never-issued", "overlong", "nul", "sql"],
)
def test_a_token_this_checkout_never_issued_is_not_found(hosted, token):
    _start_shopify(hosted)  # another shopper's checkout exists

    for answer in (
        requests.get(f"{hosted.url}/checkout/{token}", timeout=15),
        requests.post(f"{hosted.url}/checkout/{token}", data={"action": "contact"}, timeout=15),
        requests.get(f"{hosted.url}/checkout/{token}/address-fields?country=US", timeout=15),
        requests.get(f"{hosted.url}/checkout/{token}/thank-you", timeout=15),
    ):
        assert answer.status_code == 404
        assert "does not exist" in answer.text


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        ('{"platform": "shopify", "shop": ', {"Content-Type": "application/json"}),
        ("[1, 2, 3]", {"Content-Type": "application/json"}),
        ('"a string"', {"Content-Type": "application/json"}),
        ("cart=%7Bnot+json", {"Content-Type": "application/x-www-form-urlencoded"}),
        ("\xff\xfe\x00", {"Content-Type": "application/json"}),
    ],
    ids=["truncated-json", "json-list", "json-string", "form-not-json", "binary"],
)
def test_a_malformed_hand_off_gets_a_clear_answer_and_no_checkout(hosted, body, headers):
    answer = requests.post(
        f"{hosted.url}/checkout/start", data=body.encode("latin-1"), headers=headers, timeout=15
    )

    assert answer.status_code == 400
    assert "could not be read" in answer.text
    with services_of(hosted.app).database.session() as session:
        assert session.scalar(select(Checkout)) is None


@pytest.mark.parametrize("consent", [True, False], ids=["consent", "no-consent"])
def test_an_abandoned_checkout_is_kept_with_the_email_and_the_consent_given(hosted, consent):
    browser, url = _start_shopify(hosted)
    form = {**US_ADDRESS, **({"marketing_consent": "yes"} if consent else {})}
    assert _post(browser, url, action="contact", **form).status_code == 200

    kept = _stored(hosted, url)  # the shopper leaves here

    assert kept.status.value == "open"
    assert kept.email == US_ADDRESS["email"]
    assert kept.marketing_consent is consent
    assert kept.attribution == {"utm_source": "spring-mail"}, "the admin can count it by source"
