"""Installing Cartpath on the sandbox's Shopify: install link, consent page, callback."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from sqlalchemy import func, select

from core.config import Config
from core.models import Platform, Shop, ShopMode
from core.services import services_of
from sandbox.shopify.signing import sign_query
from tests.support.cartpath import SHOP, SHOPIFY_SECRET, LiveCartpath, live_cartpath


def _start(cartpath: LiveCartpath, browser: requests.Session) -> str:
    """Install link → our redirect → the consent page; returns the callback URL."""
    start = browser.get(cartpath.shopify_install_link(), allow_redirects=False, timeout=10)
    assert start.status_code == 302
    consent = browser.get(start.headers["Location"], timeout=10)
    assert "Install" in consent.text
    form = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', consent.text))
    approved = browser.post(
        start.headers["Location"].split("?")[0], data=form, allow_redirects=False, timeout=10
    )
    assert approved.status_code == 302
    return approved.headers["Location"]


def _shops(cartpath: LiveCartpath) -> list[Shop]:
    with services_of(cartpath.app).database.session() as session:
        return list(session.scalars(select(Shop)))


def _subscriptions(cartpath: LiveCartpath, shop: str = SHOP) -> list[dict]:
    state = cartpath.sandbox.state()["shopify"]
    return state["shops"][shop]["webhooks"]


def test_install_through_the_consent_page(cartpath):
    browser = requests.Session()
    callback = _start(cartpath, browser)

    landed = browser.get(callback, allow_redirects=False, timeout=10)

    assert landed.status_code == 302
    assert landed.headers["Location"] == (
        f"{cartpath.sandbox.url}/shopify/admin/store/demo-shop/apps/{cartpath.config.shopify_api_key}"
    )
    [shop] = _shops(cartpath)
    cipher = services_of(cartpath.app).cipher
    assert (shop.platform, shop.domain, shop.mode) == (Platform.SHOPIFY, SHOP, ShopMode.NATIVE)
    assert shop.access_token(cipher).startswith("shpat_")
    assert shop.access_token(cipher) not in (shop.access_token_encrypted or "")
    assert shop.refresh_token(cipher) is not None, "expiring offline token with its refresh token"
    cartpath.wait_for_jobs()
    topics = sorted(s["topic"] for s in _subscriptions(cartpath))
    assert topics == [
        "app/uninstalled",
        "orders/cancelled",
        "orders/create",
        "orders/paid",
        "orders/updated",
        "products/delete",
        "products/update",
        "refunds/create",
    ]
    assert {s["address"] for s in _subscriptions(cartpath)} == {f"{cartpath.url}/webhooks/shopify"}


def test_the_callback_cannot_be_replayed(cartpath):
    browser = requests.Session()
    callback = _start(cartpath, browser)
    assert browser.get(callback, allow_redirects=False, timeout=10).status_code == 302

    replay = browser.get(callback, allow_redirects=False, timeout=10)
    stranger = requests.get(callback, allow_redirects=False, timeout=10)

    assert replay.status_code == 401
    assert stranger.status_code == 401
    assert len(_shops(cartpath)) == 1


def test_reinstall_keeps_the_shop_and_subscribes_nothing_twice(cartpath):
    for _ in range(2):
        browser = requests.Session()
        browser.get(_start(cartpath, browser), allow_redirects=False, timeout=10)
        cartpath.wait_for_jobs()

    assert len(_shops(cartpath)) == 1
    assert len(_subscriptions(cartpath)) == 8


def _install_link(**params: str) -> str:
    return urlencode(params)


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"shop": SHOP, "timestamp": "{now}"}, 401),  # unsigned
        ({"shop": SHOP, "timestamp": "{now}", "hmac": "0" * 64}, 401),  # wrong hmac
        ({"shop": SHOP, "timestamp": "{stale}", "sign": "1"}, 401),  # signed, but old
        ({"shop": "evil.com", "timestamp": "{now}", "sign": "1"}, 400),
        ({"shop": "shop.myshopify.com.evil.com", "timestamp": "{now}", "sign": "1"}, 400),
        ({"shop": "shop.myshopify.io", "timestamp": "{now}", "sign": "1"}, 400),
        ({"shop": "a.myshopify.com/../x", "timestamp": "{now}", "sign": "1"}, 400),
    ],
    ids=["unsigned", "tampered", "stale", "evil", "suffix", "io", "path"],
)
def test_bad_install_links_are_refused_and_store_nothing(cartpath, params, status):
    now = int(time.time())
    query = {k: v.format(now=now, stale=now - 600) for k, v in params.items() if k != "sign"}
    if "sign" in params:
        query = sign_query(query, SHOPIFY_SECRET)
    answer = requests.get(
        f"{cartpath.url}/shopify/install?{urlencode(query)}", allow_redirects=False, timeout=10
    )

    assert answer.status_code == status
    assert "cartpath_oauth_state" not in answer.headers.get("Set-Cookie", "")
    assert _shops(cartpath) == []


def _callback_with(callback: str, **changes: str) -> str:
    parts = urlsplit(callback)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    query.pop("hmac")
    return f"{parts.scheme}://{parts.netloc}{parts.path}?" + urlencode(
        sign_query(query, SHOPIFY_SECRET)
    )


@pytest.mark.parametrize(
    "changes",
    [{"state": "forged-state"}, {"shop": "other-shop.myshopify.com"}, {"hmac_only": "1"}],
    ids=["state", "other-shop", "tampered"],
)
def test_a_callback_that_does_not_match_its_start_is_refused(cartpath, changes):
    browser = requests.Session()
    callback = _start(cartpath, browser)
    if "hmac_only" in changes:
        bad = callback.replace("code=", "code=x")
    else:
        bad = _callback_with(callback, **changes)

    answer = browser.get(bad, allow_redirects=False, timeout=10)

    assert answer.status_code == 401
    assert _shops(cartpath) == []


def test_a_code_used_twice_fails_clearly(cartpath):
    browser = requests.Session()
    callback = _start(cartpath, browser)
    code = parse_qs(urlsplit(callback).query)["code"][0]
    requests.post(
        f"{cartpath.sandbox.url}/shopify/{SHOP}/admin/oauth/access_token",
        json={
            "client_id": cartpath.config.shopify_api_key,
            "client_secret": SHOPIFY_SECRET,
            "code": code,
        },
        timeout=10,
    )

    answer = browser.get(
        callback, allow_redirects=False, timeout=10, headers={"Accept": "text/html"}
    )

    assert answer.status_code == 400
    assert "already used" in answer.text
    with services_of(cartpath.app).database.session() as session:
        assert session.scalar(select(func.count()).select_from(Shop)) == 0


@pytest.mark.parametrize(
    ("distribution", "asks_for_draft_orders"), [("public", False), ("custom", True)]
)
def test_only_a_custom_app_asks_for_the_draft_orders_its_checkout_prices_with(
    make_config, sandbox, distribution, asks_for_draft_orders
):
    with live_cartpath(make_config(), sandbox, shopify_distribution=distribution) as live:
        start = requests.get(live.shopify_install_link(), allow_redirects=False, timeout=10)

    asked = parse_qs(urlsplit(start.headers["Location"]).query)["scope"][0].split(",")
    assert set(Config.shopify_scopes.split(",")) <= set(asked)
    assert ("write_draft_orders" in asked) is asks_for_draft_orders
