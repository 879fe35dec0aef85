"""The browser pages: the hosted card fields (plain HTTP and a real browser) and the
3-D Secure challenge page."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import requests
import stripe
from flask import Flask, request

from sandbox.demo_credentials import STRIPE_PUBLISHABLE_KEY, STRIPE_SECRET_KEY
from tests.support.servers import serve


@pytest.fixture
def client(sandbox) -> stripe.StripeClient:
    return stripe.StripeClient(STRIPE_SECRET_KEY, base_addresses={"api": f"{sandbox.url}/stripe"})


def create_pm(sandbox, **card: str) -> requests.Response:
    """What the iframe's script sends: the card, with the publishable key."""
    data = {f"card[{name}]": value for name, value in card.items()}
    return requests.post(
        f"{sandbox.url}/stripe/v1/payment_methods",
        data={"type": "card", **data},
        headers={"Authorization": f"Bearer {STRIPE_PUBLISHABLE_KEY}"},
        timeout=5,
    )


# --- card fields over plain HTTP ----------------------------------------------------------


def test_card_fields_page_is_framed_only_by_the_asking_origin(sandbox):
    origin = "http://127.0.0.1:8000"
    page = requests.get(
        f"{sandbox.url}/stripe/elements/card",
        params={"key": STRIPE_PUBLISHABLE_KEY, "origin": origin},
        timeout=5,
    )

    assert page.status_code == 200
    assert page.headers["Content-Security-Policy"] == f"frame-ancestors {origin}"
    assert 'autocomplete="cc-number"' in page.text
    assert f'data-key="{STRIPE_PUBLISHABLE_KEY}"' in page.text
    script = requests.get(f"{sandbox.url}/stripe/static/card.js", timeout=5)
    assert script.status_code == 200
    assert "cartpath-sandbox-card" in script.text


@pytest.mark.parametrize(
    "params",
    [
        {"key": STRIPE_SECRET_KEY, "origin": "http://127.0.0.1:8000"},
        {"key": "pk_test_unknown", "origin": "http://127.0.0.1:8000"},
        {"key": STRIPE_PUBLISHABLE_KEY, "origin": "javascript:alert(1)"},
    ],
)
def test_card_fields_refuse_secret_or_unknown_keys_and_bad_origins(sandbox, params):
    page = requests.get(f"{sandbox.url}/stripe/elements/card", params=params, timeout=5)
    assert page.status_code == 400


def test_loader_script_is_served(sandbox):
    script = requests.get(f"{sandbox.url}/stripe/js/sandbox-elements.js", timeout=5)

    assert script.status_code == 200
    assert "javascript" in script.headers["Content-Type"]
    assert "CartpathSandbox" in script.text


@pytest.mark.parametrize(
    ("card", "code", "param"),
    [
        ({"number": "4242424242424241"}, "incorrect_number", "card[number]"),
        ({"number": "4242"}, "invalid_number", "card[number]"),
        ({"exp_month": "13"}, "invalid_expiry_month", "card[exp_month]"),
        ({"exp_year": "2001"}, "invalid_expiry_year", "card[exp_year]"),
        ({"cvc": "12"}, "invalid_cvc", "card[cvc]"),
        ({"number": "378282246310005", "cvc": "123"}, "invalid_cvc", "card[cvc]"),
    ],
)
def test_card_data_is_validated_server_side_with_stripes_codes(sandbox, card, code, param):
    fields = {"number": "4242424242424242", "exp_month": "12", "exp_year": "2034", "cvc": "123"}

    answer = create_pm(sandbox, **{**fields, **card})

    assert answer.status_code == 402
    error = answer.json()["error"]
    assert (error["type"], error["code"], error["param"]) == ("card_error", code, param)


def test_an_expiry_before_the_platform_month_is_refused(sandbox):
    year, month = time.gmtime(sandbox.clock()["now"])[:2]
    past_year, past_month = (year - 1, 12) if month == 1 else (year, month - 1)
    expected = "invalid_expiry_year" if month == 1 else "invalid_expiry_month"

    answer = create_pm(
        sandbox,
        number="4242424242424242",
        exp_month=str(past_month),
        exp_year=str(past_year),
        cvc="123",
    )

    assert answer.json()["error"]["code"] == expected


# --- 3-D Secure page over plain HTTP ------------------------------------------------------


def test_challenge_without_return_url_shows_the_result(sandbox, client):
    intent = client.v1.payment_intents.create(
        params={
            "amount": 999,
            "currency": "jpy",
            "payment_method": "pm_card_authenticationRequired",
            "confirm": True,
        }
    )
    url = intent.next_action.redirect_to_url.url

    page = requests.get(url, timeout=5)
    done = requests.post(url, data={"outcome": "complete"}, timeout=5)
    settled = requests.get(url, timeout=5)

    assert intent.next_action.redirect_to_url.return_url is None
    assert "999 JPY" in page.text
    assert done.status_code == 200
    assert "Authentication complete" in done.text
    assert 'id="settled"' in settled.text
    assert client.v1.payment_intents.retrieve(intent.id).status == "succeeded"


def test_challenge_for_an_unknown_intent_is_404_and_bad_outcomes_400(sandbox, client):
    intent = client.v1.payment_intents.create(
        params={
            "amount": 999,
            "currency": "usd",
            "payment_method": "pm_card_authenticationRequired",
            "confirm": True,
        }
    )

    assert requests.get(f"{sandbox.url}/stripe/3ds/pi_nope", timeout=5).status_code == 404
    bad = requests.post(intent.next_action.redirect_to_url.url, data={"outcome": "x"}, timeout=5)
    assert bad.status_code == 400
    assert client.v1.payment_intents.retrieve(intent.id).status == "requires_action"


# --- in a real browser ------------------------------------------------------------------

MERCHANT_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Checkout</title>
<script src="{loader}"></script></head>
<body>
<div id="card"></div>
<button id="pay" type="button">Pay</button>
<pre id="result"></pre>
<script>
  var sandbox = CartpathSandbox({key});
  var card = sandbox.elements().create("card");
  card.mount("#card");
  document.getElementById("pay").addEventListener("click", function () {{
    sandbox.createPaymentMethod({{type: "card", card: card, billing_details: {{name: "Ada"}}}})
      .then(function (result) {{
        document.getElementById("result").textContent = JSON.stringify(result);
      }});
  }});
</script>
</body></html>"""


@pytest.fixture
def merchant(sandbox) -> Iterator[tuple[str, list[str]]]:
    """A checkout on another origin that embeds the card fields; records what it receives."""
    app = Flask("merchant")
    received: list[str] = []

    @app.get("/")
    def checkout():
        received.append(request.full_path + request.get_data(as_text=True))
        return MERCHANT_PAGE.format(
            loader=f"{sandbox.url}/stripe/js/sandbox-elements.js",
            key=json.dumps(STRIPE_PUBLISHABLE_KEY),
        )

    @app.get("/return")
    def back():
        received.append(request.full_path)
        return "<p id='back'>back at the shop</p>"

    with serve(app) as served:
        yield served.url, received


def fill_card(page, number: str, expiry: str = "12 / 34", cvc: str = "123") -> None:
    frame = page.frame_locator("#card iframe")
    frame.locator("#number").fill(number)
    frame.locator("#expiry").fill(expiry)
    frame.locator("#cvc").fill(cvc)
    frame.locator("#postal").fill("94107")


@pytest.mark.slow
def test_browser_tokenizes_in_the_iframe_and_the_page_gets_only_the_id(
    sandbox, client, merchant, page
):
    url, received = merchant
    page.goto(url)

    fill_card(page, "4242 4242 4242 4242")
    page.click("#pay")
    page.wait_for_function("document.getElementById('result').textContent.length > 0")
    result = json.loads(page.text_content("#result"))

    pm = client.v1.payment_methods.retrieve(result["paymentMethod"]["id"])
    assert result["paymentMethod"]["card"]["last4"] == "4242"
    assert pm.card.last4 == "4242"
    assert pm.billing_details.name == "Ada"
    assert pm.billing_details.address.postal_code == "94107"
    assert not any("4242" in entry for entry in received), "no card data reached the shop"


@pytest.mark.slow
def test_browser_shows_validation_errors_without_calling_the_api(sandbox, merchant, page):
    url, _ = merchant
    page.goto(url)

    fill_card(page, "4242 4242 4242 4241")
    page.click("#pay")
    page.wait_for_function("document.getElementById('result').textContent.length > 0")
    result = json.loads(page.text_content("#result"))

    assert result["error"]["code"] == "incorrect_number"
    shown = page.frame_locator("#card iframe").locator("#card-error").text_content()
    assert shown == "Your card number is incorrect."
    assert all(not account["payment_methods"] for account in sandbox.state()["stripe"]["accounts"])


@pytest.mark.slow
def test_browser_completes_3ds_and_returns_to_the_shop(sandbox, client, merchant, page):
    url, received = merchant
    intent = client.v1.payment_intents.create(
        params={
            "amount": 2000,
            "currency": "usd",
            "payment_method": "pm_card_authenticationRequired",
            "confirm": True,
            "return_url": f"{url}/return",
        }
    )

    page.goto(intent.next_action.redirect_to_url.url)
    page.click("text=Complete authentication")
    page.wait_for_selector("#back")

    query = parse_qs(urlsplit(page.url).query)
    assert query["payment_intent"] == [intent.id]
    assert query["redirect_status"] == ["succeeded"]
    assert any(quote(intent.id) in entry for entry in received)
    assert client.v1.payment_intents.retrieve(intent.id).status == "succeeded"
