"""What an install leaves in each shop, the per-shop config the script asks for, and the
owner's switch: over HTTP against the sandbox, on both databases."""

from __future__ import annotations

import gzip

import pytest
import requests
from sqlalchemy import select

from checkout.storefront import SCRIPT_FILE, install_handoff
from core.models import AuditLog, Platform, Shop, ShopMode
from core.services import services_of
from sandbox.shopify.extensions import asset_url
from tests.storefront.conftest import DOMAINS, switch
from tests.support.cartpath import BC_CLIENT_ID, SHOP, SHOPIFY_KEY, STORE, live_cartpath


def _config(live, platform: str, shop: str) -> requests.Response:
    return requests.get(
        f"{live.url}/storefront/config", params={"platform": platform, "shop": shop}, timeout=10
    )


def test_the_script_is_one_small_file_served_by_the_app_and_the_extension(storefronts):
    source = SCRIPT_FILE.read_bytes()
    from_app = requests.get(f"{storefronts.url}/storefront/cartpath-handoff.js", timeout=10)
    from_cdn = requests.get(
        asset_url("cartpath-handoff", SCRIPT_FILE.name, storefronts.sandbox.url), timeout=10
    )

    assert from_app.content == source
    assert from_cdn.content == source
    assert from_app.headers["Content-Type"].startswith("text/javascript")
    assert len(gzip.compress(source, compresslevel=9)) < 5 * 1024
    assert b"import " not in source
    assert b"require(" not in source


def test_install_puts_the_script_into_both_shops_once(storefronts):
    state = storefronts.sandbox.state()
    tags = state["shopify"]["shops"][SHOP]["script_tags"]
    scripts = [
        s
        for s in state["bigcommerce"]["stores"][STORE]["scripts"]
        if s["client_id"] == BC_CLIENT_ID
    ]
    metafields = state["shopify"]["shops"][SHOP]["app_metafields"][SHOPIFY_KEY]

    assert [t["src"] for t in tags] == [
        f"{storefronts.url}/storefront/cartpath-handoff.js?platform=shopify"
    ]
    assert [s["name"] for s in scripts] == ["Cartpath checkout hand-off"]
    assert metafields == {"cartpath.handoff": "on", "cartpath.app_url": storefronts.url}
    with storefronts.app.app_context():
        for platform in Platform:
            assert install_handoff(storefronts.shop_id(platform, DOMAINS[platform])) == []


def test_uninstalling_from_bigcommerce_removes_the_script(storefronts):
    storefronts.sandbox.call("POST", f"/bigcommerce/stores/{STORE}/apps/{BC_CLIENT_ID}/uninstall")
    scripts = storefronts.sandbox.state()["bigcommerce"]["stores"][STORE]["scripts"]
    assert [s for s in scripts if s["client_id"] == BC_CLIENT_ID] == []


def test_the_config_says_what_the_switch_says_and_allows_any_origin(storefronts):
    assert _config(storefronts, "bigcommerce", STORE).json() == {"handoff": "on"}
    switch(storefronts, Platform.BIGCOMMERCE, "test")
    answer = _config(storefronts, "bigcommerce", STORE)

    assert answer.json() == {"handoff": "test"}
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert answer.headers["Cache-Control"] == "no-store"
    preflight = requests.options(
        f"{storefronts.url}/checkout/start",
        headers={
            "Origin": storefronts.sandbox.url,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
        timeout=10,
    )
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]


@pytest.mark.parametrize(
    ("platform", "shop", "status"),
    [("", SHOP, 400), ("magento", SHOP, 400), ("shopify", "", 400), ("shopify", "x.com", 404)],
    ids=["no-platform", "unknown-platform", "no-shop", "unknown-shop"],
)
def test_a_bad_config_request_gets_a_reason_and_no_hand_off(storefronts, platform, shop, status):
    answer = _config(storefronts, platform, shop)
    assert answer.status_code == status
    assert answer.json()["handoff"] == "off"
    assert answer.json()["message"]


def test_a_native_mode_shopify_shop_is_never_handed_off(make_config, sandbox):
    with live_cartpath(make_config(), sandbox) as live:  # a public install: native mode
        shop_id = live.install_shopify()
        with services_of(live.app).database.session() as session:
            mode = session.get(Shop, shop_id).mode
        answer = _config(live, "shopify", SHOP)
        owner = live.session_token(user_id=1)
        refused = requests.post(
            f"{live.url}/admin/storefront/handoff",
            data={"handoff": "on"},
            headers={"Authorization": f"Bearer {owner}"},
            timeout=10,
        )
        tags = live.sandbox.state()["shopify"]["shops"][SHOP]["script_tags"]

    assert mode is ShopMode.NATIVE
    assert answer.json() == {"handoff": "off"}
    assert refused.status_code == 409
    assert "own checkout" in refused.json()["message"]
    assert tags == []


def test_the_owner_switches_the_hand_off_and_it_is_audited_and_published(storefronts):
    owner, clerk = storefronts.session_token(user_id=1), storefronts.session_token(user_id=2)

    def post(token: str, value: str) -> requests.Response:
        return requests.post(
            f"{storefronts.url}/admin/storefront/handoff",
            data={"handoff": value},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )

    changed = post(owner, "test")
    storefronts.wait_for_jobs()
    bad = post(owner, "sometimes")
    not_owner = post(clerk, "off")

    assert changed.json() == {"handoff": "test"}
    assert bad.status_code == 400
    assert "Choose one of" in bad.json()["message"]
    assert not_owner.status_code == 403
    assert _config(storefronts, "shopify", SHOP).json() == {"handoff": "test"}
    metafields = storefronts.sandbox.state()["shopify"]["shops"][SHOP]["app_metafields"]
    assert metafields[SHOPIFY_KEY]["cartpath.handoff"] == "test"
    with services_of(storefronts.app).database.session() as session:
        entries = session.scalars(
            select(AuditLog).where(AuditLog.action == "storefront.handoff_changed")
        ).all()
    assert [e.details for e in entries][-1] == {"from": "on", "to": "test"}
