"""Shopify OAuth in the sandbox: consent, signed redirect, single-use codes, refresh, exchange."""

from __future__ import annotations

import base64
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import shopify
from shopify import session_token as shopify_session_token

from sandbox.shopify import signing
from tests.support.shopify import DEMO_API_KEY, DEMO_API_SECRET, DEMO_SHOP, ShopifySandbox

REDIRECT = "http://127.0.0.1:8000/shopify/callback"
AUTH_ERROR = "[API] Invalid API key or access token (unrecognized login or wrong password)"


@pytest.fixture
def shop(sandbox) -> ShopifySandbox:
    return ShopifySandbox(sandbox.url)


def authorize(shop: ShopifySandbox, **params: str) -> requests.Response:
    query = {
        "client_id": DEMO_API_KEY,
        "scope": "read_products,write_orders",
        "redirect_uri": REDIRECT,
        "state": "nonce 42",
        **params,
    }
    return requests.get(f"{shop.shop_url()}/admin/oauth/authorize", params=query, timeout=10)


def install_click(shop: ShopifySandbox, consent: requests.Response) -> dict[str, str]:
    """Submit the consent form like the merchant's browser and read the redirect."""
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', consent.text))
    answer = requests.post(
        f"{shop.shop_url()}/admin/oauth/authorize", data=fields, allow_redirects=False, timeout=10
    )
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith(REDIRECT + "?")
    assert "+" not in urlsplit(location).query, "spaces are encoded as %20 like Shopify"
    return dict(parse_qsl(urlsplit(location).query))


def exchange(shop: ShopifySandbox, code: str, **extra: str) -> requests.Response:
    return requests.post(
        f"{shop.shop_url()}/admin/oauth/access_token",
        json={"client_id": DEMO_API_KEY, "client_secret": DEMO_API_SECRET, "code": code, **extra},
        timeout=10,
    )


def shop_name(shop: ShopifySandbox, token: str) -> requests.Response:
    return shop.graphql(token, "{ shop { name } }")


def test_consent_page_lists_app_and_scopes_and_redirect_is_signed(shop):
    consent = authorize(shop)

    assert consent.status_code == 200
    assert "Cartpath" in consent.text
    assert "read_products" in consent.text
    assert "write_orders" in consent.text
    assert 'id="install"' in consent.text

    params = install_click(shop, consent)

    assert set(params) == {"code", "hmac", "host", "shop", "state", "timestamp"}
    assert params["shop"] == DEMO_SHOP
    assert params["state"] == "nonce 42"
    assert base64.b64decode(params["host"] + "==").decode() == "admin.shopify.com/store/demo-shop"
    shopify.Session.setup(api_key=DEMO_API_KEY, secret=DEMO_API_SECRET)
    assert shopify.Session.validate_params(params), "ShopifyAPI's own HMAC check accepts it"
    tampered = {**params, "shop": "other-shop.myshopify.com"}
    assert not shopify.Session.validate_params(tampered)


def test_unregistered_redirect_uri_gets_an_error_page_and_no_redirect(shop):
    answer = authorize(shop, redirect_uri="https://evil.example/steal")

    assert answer.status_code == 400
    assert "redirect_uri is not whitelisted" in answer.text
    assert "evil.example" not in answer.headers.get("Location", "")


def test_code_is_single_use(shop):
    params = install_click(shop, authorize(shop))

    first = exchange(shop, params["code"])
    second = exchange(shop, params["code"])

    assert first.status_code == 200
    assert first.json()["scope"] == "read_products,write_orders"
    assert "refresh_token" not in first.json(), "non-expiring unless expiring=1"
    assert (
        shop_name(shop, first.json()["access_token"]).json()["data"]["shop"]["name"] == "Demo Shop"
    )
    assert second.status_code == 400
    assert second.json() == {
        "error": "invalid_request",
        "error_description": "The authorization code was not found or was already used",
    }


def test_wrong_client_secret_is_refused(shop):
    params = install_click(shop, authorize(shop))
    answer = requests.post(
        f"{shop.shop_url()}/admin/oauth/access_token",
        data={"client_id": DEMO_API_KEY, "client_secret": "x" * 40, "code": params["code"]},
        timeout=10,
    )
    assert answer.status_code == 400
    assert exchange(shop, params["code"]).status_code == 200, "a refused try did not burn the code"


def test_online_grant_returns_associated_user(shop):
    params = install_click(shop, authorize(shop, **{"grant_options[]": "per-user"}))
    answer = exchange(shop, params["code"]).json()
    assert answer["associated_user"]["id"] == 1
    assert answer["expires_in"] > 0


def test_expiring_token_expires_and_refresh_rotates(shop, sandbox):
    params = install_click(shop, authorize(shop))
    first = exchange(shop, params["code"], expiring="1").json()
    assert first["expires_in"] == 3600
    assert first["refresh_token_expires_in"] > 3600

    sandbox.clock(advance=3601)
    expired = shop_name(shop, first["access_token"])
    assert expired.status_code == 401
    assert expired.json() == {"errors": AUTH_ERROR}

    def refresh(token: str) -> requests.Response:
        return requests.post(
            f"{shop.shop_url()}/admin/oauth/access_token",
            json={
                "client_id": DEMO_API_KEY,
                "client_secret": DEMO_API_SECRET,
                "grant_type": "refresh_token",
                "refresh_token": token,
            },
            timeout=10,
        )

    second = refresh(first["refresh_token"]).json()
    assert second["refresh_token"] != first["refresh_token"]
    assert shop_name(shop, second["access_token"]).status_code == 200
    # The old refresh token survives until the new one is first used (2026-08-28 change).
    retry = refresh(first["refresh_token"])
    assert retry.status_code == 200
    assert refresh(retry.json()["refresh_token"]).status_code == 200
    assert refresh(first["refresh_token"]).status_code == 400


def test_token_exchange_offline_and_online(shop, sandbox):
    session_token = shop.session_token()

    def token_exchange(subject: str, kind: str) -> requests.Response:
        return requests.post(
            f"{shop.shop_url()}/admin/oauth/access_token",
            json={
                "client_id": DEMO_API_KEY,
                "client_secret": DEMO_API_SECRET,
                "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
                "subject_token": subject,
                "subject_token_type": "urn:ietf:params:oauth:token-type:id_token",
                "requested_token_type": f"urn:shopify:params:oauth:token-type:{kind}-access-token",
                "expiring": "1",
            },
            timeout=10,
        )

    offline = token_exchange(session_token, "offline")
    online = token_exchange(session_token, "online")
    assert offline.status_code == 200
    assert "refresh_token" in offline.json()
    assert online.status_code == 200
    assert online.json()["associated_user"]["id"] == 1
    assert shop_name(shop, offline.json()["access_token"]).status_code == 200

    assert token_exchange("not-a-jwt", "offline").status_code == 400
    sandbox.clock(advance=120)
    assert token_exchange(session_token, "offline").status_code == 400, "expired session token"


def test_session_token_verifies_with_shopifyapi(shop):
    token = shop.session_token(user_id=42)
    claims = shopify_session_token.decode_from_header(
        "Bearer " + token, DEMO_API_KEY, DEMO_API_SECRET
    )
    assert claims["dest"] == f"https://{DEMO_SHOP}"
    assert claims["iss"] == f"https://{DEMO_SHOP}/admin"
    assert claims["sub"] == "42"
    assert claims["exp"] - claims["iat"] == 60
    assert claims["jti"]
    assert claims["sid"]


def test_token_of_one_shop_does_not_open_another(shop):
    token = shop.token()
    answer = shop.graphql(token, "{ shop { name } }", shop="other-shop.myshopify.com")
    assert answer.status_code == 401


def test_published_query_hmac_vectors():
    base = {
        "code": "0907a61c0c8d55e99db179b68161bc00",
        "shop": "some-shop.myshopify.com",
        "timestamp": "1337178173",
    }
    with_state = {**base, "state": "0.6784241404160823"}
    assert (
        signing.query_hmac(with_state, "hush")
        == "700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf"
    )
    assert (
        signing.query_hmac(base, "hush")
        == "4712bf92ffc2917d15a2f5a273e39f0116667419aa4b6ac0b3baaf26fa3c4d20"
    )
    python_lib_vector = {
        "shop": "some-shop.myshopify.com",
        "code": "a94a110d86d2452eb3e2af4cfb8a3828",
        "timestamp": "1337178173",
    }
    assert (
        signing.query_hmac(python_lib_vector, "hush")
        == "2cb1a277650a659f1b11e92a4a64275b128e037f2c3390e3c8fd2d8721dac9e2"
    )
