"""Shopify's post-purchase page against a fake app backend, over HTTP, with PyJWT on the app side.

The fake app implements /post-purchase/offer and /post-purchase/sign-changeset as Shopify's
tutorial does (verify Shopify's token, sign the changeset HS256 with the app secret), and
misbehaves on request to show the sandbox refusing what Shopify would refuse.
"""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import jwt
import pytest
import requests
from flask import Flask, jsonify, request

from tests.support.servers import serve
from tests.support.shopify import DEMO_API_KEY, DEMO_API_SECRET, DEMO_SHOP, ShopifySandbox

DETAILS = {
    "step": "pay",
    "email": "shopper@example.com",
    "name": "Ada",
    "address1": "1 Main St",
    "city": "New York",
    "country_code": "US",
    "province_code": "NY",
    "zip": "10001",
}
APPROVED, DECLINES_LATER = "4242424242424242", "4000000000000341"


@dataclass
class FakeApp:
    """What the fake backend answers, and everything it received."""

    url: str = ""
    offers: list[dict[str, Any]] = field(default_factory=list)
    offer_status: int = 200
    offer_delay: float = 0.0
    misbehave: str | None = None  # how sign-changeset signs; None = correctly
    received: list[tuple[str, dict[str, Any], dict[str, Any]]] = field(default_factory=list)

    def sign(self, reference_id: str, changes: list[dict[str, Any]]) -> str:
        claims: dict[str, Any] = {
            "iss": DEMO_API_KEY,
            "jti": str(uuid.uuid4()),
            "iat": int(time.time()),
            "sub": reference_id,
            "changes": changes,
        }
        secret = DEMO_API_SECRET
        if self.misbehave == "wrong_secret":
            secret = "not-the-app-secret-but-long-enough-for-hs256"
        elif self.misbehave == "wrong_sub":
            claims["sub"] = "another-purchase"
        elif self.misbehave == "wrong_iss":
            claims["iss"] = "some-other-app"
        elif self.misbehave == "no_jti":
            del claims["jti"]
        elif self.misbehave == "signed_before_purchase":
            claims["iat"] -= 3600
        elif self.misbehave == "expired":
            claims["exp"] = claims["iat"] - 1
        elif self.misbehave == "fixed_jti":
            claims["jti"] = "the-same-jti-every-time"
        elif self.misbehave == "milliseconds":
            claims["iat"] = int(time.time() * 1000)  # as the tutorial's Date.now()
        return jwt.encode(claims, secret, algorithm="HS256")


def fake_backend(fake: FakeApp) -> Flask:
    app = Flask("fake_cartpath")

    def shopify_claims() -> dict[str, Any]:
        """Verify Shopify's token as the tutorial's backend does; 401 if it fails."""
        header = request.headers.get("Authorization", "")
        body = request.get_json()
        claims = jwt.decode(header.removeprefix("Bearer "), DEMO_API_SECRET, algorithms=["HS256"])
        assert claims["input_data"]["initialPurchase"]["referenceId"] == body["referenceId"]
        fake.received.append((request.path, body, claims))
        return claims

    @app.errorhandler(jwt.PyJWTError)
    def unauthorized(_error):
        return jsonify(error="unauthorized"), 401

    @app.post("/post-purchase/offer")
    def offer():
        shopify_claims()
        time.sleep(fake.offer_delay)
        if fake.offer_status != 200:
            return jsonify(error="boom"), fake.offer_status
        return jsonify(offers=fake.offers)

    @app.post("/post-purchase/sign-changeset")
    def sign_changeset():
        shopify_claims()
        body = request.get_json()
        chosen = next(o for o in fake.offers if o["id"] == body["offerId"])
        return jsonify(token=fake.sign(body["referenceId"], chosen["changes"]))

    @app.post("/webhooks")
    def webhooks():
        fake.received.append((request.path, request.get_json(), dict(request.headers)))
        return "", 200

    return app


@pytest.fixture
def shop(sandbox) -> ShopifySandbox:
    return ShopifySandbox(sandbox.url)


@pytest.fixture
def fake(shop: ShopifySandbox) -> Iterator[FakeApp]:
    """The fake backend, installed and picked for the demo shop's post-purchase page."""
    fake = FakeApp()
    with serve(fake_backend(fake)) as served:
        fake.url = served.url
        shop.install()
        shop.control(
            "POST",
            "/post-purchase",
            {"shop": DEMO_SHOP, "enabled": True, "extension_url": served.url},
        )
        yield fake


@pytest.fixture
def shopper() -> requests.Session:
    return requests.Session()


def variants(sandbox) -> dict[str, int]:
    products = sandbox.state()["shopify"]["shops"][DEMO_SHOP]["products"]
    return {v["sku"]: v["id"] for p in products for v in p["variants"]}


def add_variant(variant: int, discount: float | None = None, quantity: int = 1) -> dict:
    change: dict[str, Any] = {"type": "add_variant", "variantId": variant, "quantity": quantity}
    if discount is not None:
        change["discount"] = {"value": discount, "valueType": "percentage", "title": "Thanks"}
    return change


def offer(offer_id: int, variant: int, discount: float | None = None) -> dict[str, Any]:
    return {
        "id": offer_id,
        "title": "One more thing",
        "productTitle": f"Offer {offer_id}",
        "changes": [add_variant(variant, discount)],
    }


def buy(shop: ShopifySandbox, shopper, variant: int, card: str = APPROVED) -> requests.Response:
    """Cart, then the native checkout; the response after the checkout's redirects."""
    base = shop.shop_url()
    shopper.post(f"{base}/cart/add", data={"id": variant, "quantity": 1}, timeout=5)
    return shopper.post(f"{base}/checkout", data={**DETAILS, "card_number": card}, timeout=10)


def only_session(sandbox) -> dict[str, Any]:
    sessions = sandbox.state()["shopify"]["shops"][DEMO_SHOP]["post_purchase"]["sessions"]
    assert len(sessions) == 1
    return sessions[0]


def only_order(sandbox) -> dict[str, Any]:
    (order,) = sandbox.state()["shopify"]["shops"][DEMO_SHOP]["orders"]
    return order


def press(shopper, page: requests.Response, button: str) -> requests.Response:
    """Submit the form of the page's #accept or #decline button."""
    marker = f'id="{button}"'
    form_start = page.text.rfind("<form", 0, page.text.index(marker))
    action = page.text[form_start:].split('action="', 1)[1].split('"', 1)[0]
    return shopper.post(requests.compat.urljoin(page.url, action), timeout=10)


def test_the_page_shows_the_apps_offer_priced_by_shopify(shop, sandbox, fake, shopper):
    ids = variants(sandbox)
    fake.offers = [offer(1, ids["MS-1"], discount=10)]

    page = buy(shop, shopper, ids["TRS-42"])

    assert page.status_code == 200
    assert "/post-purchase" in page.url
    assert 'id="offer-product">Offer 1<' in page.text
    # socks 14.50 - 10% = 13.05; NY tax on the new subtotal 102.05 is 4.08, 0.52 more than 3.56
    assert "<s>14.50 USD</s>" in page.text
    assert 'id="offer-total">13.57 USD<' in page.text
    path, body, claims = fake.received[0]
    session = only_session(sandbox)
    assert path == "/post-purchase/offer"
    assert body == {"referenceId": session["referenceId"]}
    assert claims["iss"] == "shopify"
    assert claims["sub"] == session["referenceId"]
    assert "jti" not in claims
    assert claims["input_data"]["shop"]["domain"] == DEMO_SHOP
    (line,) = claims["input_data"]["initialPurchase"]["lineItems"]
    assert line["product"]["variant"] == {"id": ids["TRS-42"], "title": "42", "metafields": []}
    assert line["totalPriceSet"]["shopMoney"] == {"amount": "89.00", "currencyCode": "USD"}


def test_accepting_edits_charges_and_notifies(shop, sandbox, fake, shopper):
    ids = variants(sandbox)
    fake.offers = [offer(1, ids["MS-1"], discount=10)]
    requests.post(
        f"{shop.admin_url()}/webhooks.json",
        json={"webhook": {"topic": "orders/updated", "address": f"{fake.url}/webhooks"}},
        headers={"X-Shopify-Access-Token": shop.token()},
        timeout=5,
    ).raise_for_status()

    thank_you = press(shopper, buy(shop, shopper, ids["TRS-42"]), "accept")

    assert thank_you.url.endswith("/thank-you")
    assert f'data-variant-id="{ids["MS-1"]}"' in thank_you.text
    assert 'id="order-total">111.13 USD<' in thank_you.text
    order = only_order(sandbox)
    assert [li["sku"] for li in order["line_items"]] == ["TRS-42", "MS-1"]
    assert order["total_discounts"] == "1.45"
    assert order["total_tax"] == "4.08"
    assert order["total_price"] == "111.13"
    assert order["financial_status"] == "paid"
    (application,) = only_session(sandbox)["applications"]
    assert application["status"] == "processed"
    assert application["charged"] == "13.57"
    assert application["changesetApplicationsRemaining"] == 2
    sign_body = fake.received[1][1]
    assert sign_body["offerId"] == 1
    assert sign_body["changes"] == fake.offers[0]["changes"]
    sandbox.wait_for_deliveries()
    updates = [body for path, body, _ in fake.received if path == "/webhooks"]
    assert [len(body["line_items"]) for body in updates] == [2]


def test_a_declined_upsell_charge_leaves_a_balance_due(shop, sandbox, fake, shopper):
    ids = variants(sandbox)
    fake.offers = [offer(1, ids["MS-1"], discount=10)]

    thank_you = press(shopper, buy(shop, shopper, ids["TRS-42"], DECLINES_LATER), "accept")

    assert f'data-variant-id="{ids["MS-1"]}"' in thank_you.text
    (application,) = only_session(sandbox)["applications"]
    assert application["status"] == "partially_processed"
    assert application["errors"][0]["code"] == "payment_required"
    order = only_order(sandbox)
    assert order["financial_status"] == "partially_paid"
    answer = shop.gql(
        shop.token(),
        f'{{ order(id: "gid://shopify/Order/{order["id"]}") '
        "{ totalOutstandingSet { shopMoney { amount } } } }",
    )
    assert answer["data"]["order"]["totalOutstandingSet"]["shopMoney"]["amount"] == "13.57"


@pytest.mark.parametrize(
    "misbehave",
    ["wrong_secret", "wrong_sub", "wrong_iss", "no_jti", "signed_before_purchase", "expired"],
)
def test_badly_signed_changesets_change_nothing(shop, sandbox, fake, shopper, misbehave):
    ids = variants(sandbox)
    fake.offers = [offer(1, ids["MS-1"])]
    fake.misbehave = misbehave

    thank_you = press(shopper, buy(shop, shopper, ids["TRS-42"]), "accept")

    assert thank_you.url.endswith("/thank-you")
    (application,) = only_session(sandbox)["applications"]
    assert application["status"] == "unprocessed"
    assert application["errors"][0]["code"] == "invalid_request"
    assert application["changesetApplicationsRemaining"] == 3
    order = only_order(sandbox)
    assert len(order["line_items"]) == 1
    assert order["total_price"] == "97.56"


def test_a_reused_jti_is_refused_and_the_next_offer_follows(shop, sandbox, fake, shopper):
    ids = variants(sandbox)
    fake.offers = [offer(1, ids["MS-1"]), offer(2, ids["EG-6"])]
    fake.misbehave = "fixed_jti"

    second = press(shopper, buy(shop, shopper, ids["TRS-42"]), "accept")
    assert 'id="offer-product">Offer 2<' in second.text
    assert 'data-status="processed"' in second.text
    done = press(shopper, second, "accept")

    assert done.url.endswith("/thank-you")
    first, again = only_session(sandbox)["applications"]
    assert first["status"] == "processed"
    assert again["status"] == "unprocessed"
    assert again["errors"][0]["code"] == "changeset_already_applied"
    assert [li["sku"] for li in only_order(sandbox)["line_items"]] == ["TRS-42", "MS-1"]


def test_an_out_of_stock_variant_is_insufficient_inventory(shop, sandbox, fake, shopper):
    ids = variants(sandbox)
    fake.offers = [offer(1, ids["TRS-44"])]  # 0 in stock, policy deny

    page = buy(shop, shopper, ids["TRS-42"])
    assert 'id="offer-problem">' in page.text
    press(shopper, page, "accept")

    (application,) = only_session(sandbox)["applications"]
    assert application["status"] == "unprocessed"
    assert application["errors"][0]["code"] == "insufficient_inventory"
    assert len(only_order(sandbox)["line_items"]) == 1


def test_at_most_three_changesets_per_purchase(shop, sandbox, fake, shopper):
    ids = variants(sandbox)
    skus = ["MS-1", "EG-6", "IN-1", "WB-500"]
    fake.offers = [offer(n, ids[sku]) for n, sku in enumerate(skus, 1)]
    fake.misbehave = "milliseconds"  # the tutorial's iat unit is accepted too

    page = buy(shop, shopper, ids["TRS-42"])
    for _ in range(3):
        page = press(shopper, page, "accept")

    assert page.url.endswith("/thank-you"), "no fourth offer once none can be applied"
    session = only_session(sandbox)
    assert [a["changesetApplicationsRemaining"] for a in session["applications"]] == [2, 1, 0]
    fourth = fake.sign(session["referenceId"], fake.offers[3]["changes"])
    answer = requests.post(
        f"{shop.shop_url()}/post-purchase/apply",
        json={"referenceId": session["referenceId"], "token": fourth},
        timeout=5,
    ).json()
    assert answer["status"] == "unprocessed"
    assert answer["changesetApplicationsRemaining"] == 0
    assert len(only_order(sandbox)["line_items"]) == 4


def test_calculate_changeset(shop, sandbox, fake, shopper):
    ids = variants(sandbox)
    fake.offers = [offer(1, ids["MS-1"])]
    buy(shop, shopper, ids["TRS-42"])
    reference = only_session(sandbox)["referenceId"]
    url = f"{shop.shop_url()}/post-purchase/calculate"

    changes = [
        add_variant(ids["MS-1"], discount=10),
        {"type": "add_shipping_line", "price": 2.5, "presentmentTitle": "Gift wrap"},
    ]
    answer = requests.post(url, json={"referenceId": reference, "changes": changes}, timeout=5)
    signed = requests.post(
        url, json={"referenceId": reference, "token": fake.sign(reference, changes)}, timeout=5
    )
    bad = requests.post(
        url,
        json={
            "referenceId": reference,
            "changes": [{"type": "add_variant", "variantId": "gid://x"}],
        },
        timeout=5,
    )
    sold_out = requests.post(
        url, json={"referenceId": reference, "changes": [add_variant(ids["TRS-44"])]}, timeout=5
    )
    unknown = requests.post(url, json={"referenceId": "nope", "changes": changes}, timeout=5)

    purchase = answer.json()["calculatedPurchase"]
    assert answer.json()["status"] == "processed"
    assert signed.json() == answer.json()
    assert purchase["updatedLineItems"] == [
        {
            "priceSet": {
                "shopMoney": {"amount": "14.50", "currencyCode": "USD"},
                "presentmentMoney": {"amount": "14.50", "currencyCode": "USD"},
            },
            "totalPriceSet": {
                "shopMoney": {"amount": "13.05", "currencyCode": "USD"},
                "presentmentMoney": {"amount": "13.05", "currencyCode": "USD"},
            },
            "productId": purchase["updatedLineItems"][0]["productId"],
            "variantId": ids["MS-1"],
            "productHandle": "merino-socks",
            "quantity": 1,
        }
    ]
    assert purchase["addedTaxLines"][0]["title"] == "NY State Tax"
    assert purchase["addedTaxLines"][0]["priceSet"]["shopMoney"]["amount"] == "0.52"
    assert purchase["addedShippingLines"][0]["presentmentTitle"] == "Gift wrap"
    assert purchase["subtotalPriceSet"]["shopMoney"]["amount"] == "102.05"
    assert purchase["totalPriceSet"]["shopMoney"]["amount"] == "113.63"
    assert purchase["totalOutstandingSet"]["shopMoney"]["amount"] == "16.07"
    assert bad.json()["status"] == "unprocessed"
    assert bad.json()["errors"][0]["code"] == "invalid_request"
    assert sold_out.json()["errors"][0]["code"] == "insufficient_inventory"
    assert unknown.status_code == 404
    assert len(only_order(sandbox)["line_items"]) == 1, "calculating changes nothing"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        ({"offer_status": 500}, "the app answered HTTP 500"),
        ({"offer_delay": 2.5}, "the app did not answer in time"),
        ({"offers": []}, "the app has no offer for this purchase"),
        ({"unreachable": True}, "the app is unreachable (ConnectionError)"),
    ],
)
def test_a_failing_app_never_blocks_the_purchase(shop, sandbox, fake, shopper, setup, reason):
    ids = variants(sandbox)
    fake.offers = [offer(1, ids["MS-1"])]
    if setup.pop("unreachable", False):
        shop.control(
            "POST",
            "/post-purchase",
            {
                "shop": DEMO_SHOP,
                "enabled": True,
                "extension_url": f"http://127.0.0.1:{closed_port()}",
            },
        )
    for key, value in setup.items():
        setattr(fake, key, value)

    page = buy(shop, shopper, ids["TRS-42"])

    assert page.status_code == 200
    assert page.url.endswith("/thank-you")
    assert 'id="order-name">#1001<' in page.text
    session = only_session(sandbox)
    assert (session["state"], session["skipReason"]) == ("skipped", reason)
    assert only_order(sandbox)["financial_status"] == "paid"


def test_after_the_thank_you_page_nothing_more_applies(shop, sandbox, fake, shopper):
    ids = variants(sandbox)
    fake.offers = [offer(1, ids["MS-1"])]

    thank_you = press(shopper, buy(shop, shopper, ids["TRS-42"]), "decline")
    session = only_session(sandbox)
    late = requests.post(
        f"{shop.shop_url()}/post-purchase/apply",
        json={
            "referenceId": session["referenceId"],
            "token": fake.sign(session["referenceId"], fake.offers[0]["changes"]),
        },
        timeout=5,
    ).json()

    assert thank_you.url.endswith("/thank-you")
    assert session["state"] == "done"
    assert late["status"] == "unprocessed"
    assert late["errors"][0]["code"] == "order_released_error"
    assert len(only_order(sandbox)["line_items"]) == 1


def test_a_lost_apply_answer_still_applied_once(shop, sandbox, fake, shopper):
    ids = variants(sandbox)
    fake.offers = [offer(1, ids["MS-1"])]
    buy(shop, shopper, ids["TRS-42"])
    reference = only_session(sandbox)["referenceId"]
    body = {"referenceId": reference, "token": fake.sign(reference, fake.offers[0]["changes"])}
    url = f"{shop.shop_url()}/post-purchase/apply"
    sandbox.fault(kind="drop", path="/post-purchase/apply$", count=1)

    with pytest.raises(requests.ConnectionError):
        requests.post(url, json=body, timeout=5)
    retry = requests.post(url, json=body, timeout=5).json()

    assert retry["errors"][0]["code"] == "changeset_already_applied"
    assert retry["changesetApplicationsRemaining"] == 2
    assert [li["sku"] for li in only_order(sandbox)["line_items"]] == ["TRS-42", "MS-1"]


def test_the_post_purchase_switch(shop, sandbox, fake, shopper):
    ids = variants(sandbox)
    fake.offers = [offer(1, ids["MS-1"])]
    url = f"{sandbox.url}/_control/shopify/post-purchase"

    not_installed = requests.post(
        url, json={"shop": "other-shop.myshopify.com", "enabled": True}, timeout=5
    )
    default = requests.post(url, json={"shop": DEMO_SHOP, "enabled": True}, timeout=5).json()
    off = requests.post(url, json={"shop": DEMO_SHOP, "enabled": False}, timeout=5).json()
    page = buy(shop, shopper, ids["TRS-42"])

    assert not_installed.status_code == 400
    assert "not installed" in not_installed.json()["error"]
    assert default["backend_url"] == "http://127.0.0.1:8000"  # the demo app URL's origin
    assert off["client_id"] is None
    assert 'id="order-name">#1001<' in page.text
    listed = requests.get(f"{url}/sessions", params={"shop": DEMO_SHOP}, timeout=5).json()
    assert listed == {"sessions": []}
    assert fake.received == []


@pytest.mark.slow
def test_a_shopper_accepts_an_upsell_in_a_real_browser(shop, sandbox, fake, page):
    ids = variants(sandbox)
    fake.offers = [offer(1, ids["MS-1"], discount=10)]

    page.goto(f"{shop.shop_url()}/products/trail-runner-shoe")
    page.click("#product-form button[type=submit]")
    page.click("#checkout")
    for name, value in {**DETAILS, "card_number": APPROVED}.items():
        if name != "step":
            page.fill(f"#checkout-form [name={name}]", value)
    page.click("#pay")
    page.wait_for_selector("#offer")
    assert page.text_content("#offer-total") == "13.57 USD"
    page.click("#accept")
    page.wait_for_selector("#order-lines")

    assert page.text_content("#order-total") == "111.13 USD"
    assert page.locator(f'[data-variant-id="{ids["MS-1"]}"]').count() == 1
    assert only_session(sandbox)["applications"][0]["status"] == "processed"
