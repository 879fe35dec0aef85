"""The admin frame around the embedded app and the stand-in App Bridge script."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import shopify
from shopify import session_token

from tests.support.shopify import DEMO_API_KEY, DEMO_API_SECRET, ShopifySandbox

FRAME = "/shopify/admin/store/demo-shop/apps/" + DEMO_API_KEY


@pytest.fixture
def shop(sandbox) -> ShopifySandbox:
    return ShopifySandbox(sandbox.url)


def test_admin_frame_embeds_the_app_with_signed_params_and_a_session_token(shop):
    shop.install()
    page = requests.get(shop.url + FRAME, timeout=5)

    assert page.status_code == 200
    src = html.unescape(re.search(r'<iframe id="app-iframe"[^>]* src="([^"]+)"', page.text)[1])
    assert src.startswith("http://127.0.0.1:8000/admin?"), "the registered app URL, then the query"
    params = dict(parse_qsl(urlsplit(src).query))
    assert params["embedded"] == "1"
    assert params["shop"] == "demo-shop.myshopify.com"
    shopify.Session.setup(api_key=DEMO_API_KEY, secret=DEMO_API_SECRET)
    assert shopify.Session.validate_params(params)
    claims = session_token.decode_from_header(
        "Bearer " + params["id_token"], DEMO_API_KEY, DEMO_API_SECRET
    )
    assert claims["dest"] == "https://demo-shop.myshopify.com"


def test_admin_side_mints_fresh_tokens_and_serves_app_bridge(shop):
    shop.install()
    first = requests.post(shop.url + FRAME + "/id-token", timeout=5).json()["id_token"]
    second = requests.post(shop.url + FRAME + "/id-token", timeout=5).json()["id_token"]
    assert first != second, "each token has its own jti"
    script = requests.get(shop.url + "/shopify/cdn/app-bridge.js", timeout=5)
    assert script.headers["Content-Type"].startswith("text/javascript")
    assert "idToken" in script.text


def test_not_installed_app_has_no_admin_page(shop):
    assert requests.get(shop.url + FRAME, timeout=5).status_code == 404


def test_the_admin_can_be_opened_as_another_staff_member(shop):
    shop.install()
    page = requests.get(shop.url + FRAME, params={"user": 2}, timeout=5)
    src = html.unescape(re.search(r'<iframe id="app-iframe"[^>]* src="([^"]+)"', page.text)[1])
    fresh = requests.post(shop.url + FRAME + "/id-token", params={"user": 2}, timeout=5)

    for token in (dict(parse_qsl(urlsplit(src).query))["id_token"], fresh.json()["id_token"]):
        claims = session_token.decode_from_header("Bearer " + token, DEMO_API_KEY, DEMO_API_SECRET)
        assert claims["sub"] == "2"
    assert "/id-token?user=2" in page.text, "App Bridge keeps asking for that person's tokens"
