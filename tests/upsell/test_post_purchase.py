"""Shopify's post-purchase page (public install, native mode) against Cartpath over HTTP:
the sandbox's checkout plays the protocol our extension speaks."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import jwt
import pytest
import requests
from sqlalchemy import select

from analytics.models import AnalyticsEvent, EventKind
from core.services import services_of
from tests.sandbox.test_shopify_post_purchase import buy, only_order, only_session, press
from tests.support.cartpath import SHOP, SHOPIFY_KEY, SHOPIFY_SECRET, LiveCartpath
from tests.support.shopify import ShopifySandbox
from upsell.models import OfferStatus, ShownOffer


def _product_of(sandbox, sku: str) -> tuple[str, str]:
    for product in sandbox.state()["shopify"]["shops"][SHOP]["products"]:
        for variant in product["variants"]:
            if variant["sku"] == sku:
                return str(product["id"]), str(variant["id"])
    raise AssertionError(sku)


def _offer(sandbox, sku: str, headline: str, shipping: dict | None = None, **links) -> dict:
    """An offer's definition; shipped as the store quotes it unless `shipping` says."""
    product_id, variant_id = _product_of(sandbox, sku)
    offer = {
        "product_id": product_id,
        "variant_ids": [variant_id],
        "quantity": 1,
        "discount": {"kind": "percent", "value": "10"},
        "headline": headline,
        "on_accept": links.get("on_accept"),
        "on_decline": links.get("on_decline"),
    }
    return {**offer, "shipping": shipping} if shipping else offer


def with_funnel(cartpath: LiveCartpath, sandbox, offers: dict, entry: str) -> LiveCartpath:
    """A public install whose one active funnel makes `offers`, and Shopify's post-purchase
    page run by Cartpath."""
    cartpath.install_shopify()
    owner = cartpath.session_token(user_id=1)
    definition = {"trigger": {"kind": "always"}, "entry": entry, "offers": offers}
    headers = {"Authorization": f"Bearer {owner}"}
    created = requests.post(
        f"{cartpath.url}/admin/api/funnels",
        json={"name": "Socks", "definition": definition},
        headers=headers,
        timeout=10,
    ).json()
    requests.post(
        f"{cartpath.url}/admin/api/funnels/{created['id']}/status",
        json={"status": "active"},
        headers=headers,
        timeout=10,
    ).raise_for_status()
    ShopifySandbox(sandbox.url).control(
        "POST",
        "/post-purchase",
        {"shop": SHOP, "client_id": SHOPIFY_KEY, "enabled": True, "extension_url": cartpath.url},
    )
    return cartpath


def socks_then_cup(
    cartpath: LiveCartpath, sandbox, socks_shipping: dict | None = None
) -> LiveCartpath:
    """A public install with one active funnel: socks (shipped as `socks_shipping` says),
    and a cheaper egg cup on decline."""
    offers = {
        "socks": _offer(sandbox, "MS-1", "Socks to match?", socks_shipping, on_decline="cup"),
        "cup": _offer(sandbox, "EG-6", "An egg cup, then?"),
    }
    return with_funnel(cartpath, sandbox, offers, "socks")


@pytest.fixture
def native(cartpath: LiveCartpath, sandbox) -> LiveCartpath:
    return socks_then_cup(cartpath, sandbox)


def _shown(live: LiveCartpath) -> list[ShownOffer]:
    with services_of(live.app).database.session() as session:
        return list(session.scalars(select(ShownOffer).order_by(ShownOffer.id)))


def test_an_accepted_offer_is_added_to_the_shopify_order(native, sandbox):
    shopper, shop = requests.Session(), ShopifySandbox(sandbox.url)
    page = buy(shop, shopper, int(_product_of(sandbox, "TRS-42")[1]))
    assert "Socks to match?" in page.text

    thank_you = press(shopper, page, "accept")

    assert thank_you.url.endswith("/thank-you")
    order = only_order(sandbox)
    assert [line["sku"] for line in order["line_items"]] == ["TRS-42", "MS-1"]
    assert order["financial_status"] == "paid"
    assert only_session(sandbox)["applications"][0]["status"] == "processed"
    socks, cup = _shown(native)
    assert (socks.offer_key, socks.status) == ("socks", OfferStatus.PAID), "Shopify charged it"
    assert cup.status is OfferStatus.SHOWN, "the downsell was never reached"
    with services_of(native.app).database.session() as session:
        kinds = list(session.scalars(select(AnalyticsEvent.kind).order_by(AnalyticsEvent.id)))
    assert kinds == [EventKind.OFFER_SHOWN, EventKind.OFFER_ACCEPTED, EventKind.OFFER_PAID]


def test_a_declined_offer_leads_to_the_downsell(native, sandbox):
    shopper, shop = requests.Session(), ShopifySandbox(sandbox.url)
    page = buy(shop, shopper, int(_product_of(sandbox, "TRS-42")[1]))

    downsell = press(shopper, page, "decline")
    assert "An egg cup, then?" in downsell.text
    done = press(shopper, downsell, "accept")

    assert done.url.endswith("/thank-you")
    assert [line["sku"] for line in only_order(sandbox)["line_items"]] == ["TRS-42", "EG-6"]
    socks, cup = _shown(native)
    assert (socks.status, cup.status) == (OfferStatus.DECLINED, OfferStatus.PAID)
    with services_of(native.app).database.session() as session:
        kinds = list(session.scalars(select(AnalyticsEvent.kind).order_by(AnalyticsEvent.id)))
    assert kinds == [
        EventKind.OFFER_SHOWN,
        EventKind.OFFER_DECLINED,
        EventKind.OFFER_ACCEPTED,
        EventKind.OFFER_PAID,
    ]


def _shopify_token(reference: str, *, secret: str = SHOPIFY_SECRET, age: float = 0) -> str:
    claims = {
        "iss": "shopify",
        "sub": reference,
        "iat": int(time.time() - age),
        "input_data": {"shop": {"domain": SHOP}, "initialPurchase": {"referenceId": reference}},
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def _sign(live: LiveCartpath, reference: str, offer_id: str, changes, token: str | None = None):
    return requests.post(
        f"{live.url}/post-purchase/sign-changeset",
        json={"referenceId": reference, "offerId": offer_id, "changes": changes},
        headers={"Authorization": f"Bearer {token or _shopify_token(reference)}"},
        timeout=10,
    )


def _ask_offers(live: LiveCartpath, reference: str, token: str | None = None) -> list[dict]:
    answer = requests.post(
        f"{live.url}/post-purchase/offer",
        json={"referenceId": reference},
        headers={"Authorization": f"Bearer {token or _shopify_token(reference)}"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["offers"]


def test_only_the_exact_offer_of_this_purchase_is_signed(native):
    offers = _ask_offers(native, "purchase-1")
    socks = offers[0]
    assert socks["next"] == {"accepted": None, "declined": offers[1]["id"]}
    assert _ask_offers(native, "purchase-1") == offers, "asking again shows the same offers"

    more = [{**socks["changes"][0], "quantity": 5}]
    assert _sign(native, "purchase-1", socks["id"], more).status_code == 400
    assert _sign(native, "purchase-2", socks["id"], socks["changes"]).status_code == 404
    wrong_secret = _shopify_token("purchase-1", secret="another-secret-" + "x" * 32)
    assert (
        _sign(native, "purchase-1", socks["id"], socks["changes"], wrong_secret).status_code == 401
    )
    stale = _shopify_token("purchase-1", age=2 * 3600)
    assert _sign(native, "purchase-1", socks["id"], socks["changes"], stale).status_code == 401

    signed = _sign(native, "purchase-1", socks["id"], socks["changes"])
    assert signed.status_code == 200
    claims = jwt.decode(signed.json()["token"], SHOPIFY_SECRET, algorithms=["HS256"])
    assert (claims["iss"], claims["sub"]) == (SHOPIFY_KEY, "purchase-1")
    assert claims["changes"] == socks["changes"]
    assert _sign(native, "purchase-1", socks["id"], socks["changes"]).status_code == 409


def test_twenty_clicks_at_once_sign_one_changeset(native):
    socks = _ask_offers(native, "purchase-race")[0]

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(
            pool.map(
                lambda _: _sign(native, "purchase-race", socks["id"], socks["changes"]), range(20)
            )
        )

    assert sorted(a.status_code for a in answers) == [200] + [409] * 19


def test_an_offer_whose_funnel_changed_is_not_signed(native):
    socks = _ask_offers(native, "purchase-old")[0]
    owner = {"Authorization": f"Bearer {native.session_token(user_id=1)}"}
    funnels = requests.get(f"{native.url}/admin/api/funnels", headers=owner, timeout=10).json()
    funnel = funnels["funnels"][0]
    funnel["definition"]["offers"]["socks"]["headline"] = "Socks, now 10% off"
    requests.put(
        f"{native.url}/admin/api/funnels/{funnel['id']}",
        json={"definition": funnel["definition"]},
        headers=owner,
        timeout=10,
    ).raise_for_status()

    assert _sign(native, "purchase-old", socks["id"], socks["changes"]).status_code == 409
