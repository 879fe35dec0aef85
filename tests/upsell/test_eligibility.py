"""Native mode's eligibility events: each order whose shopper could not see an offer is
counted once, with the reason (wallet, gateway, currency, no_match)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import jwt
import pytest
import requests
from flask import Flask
from sqlalchemy import select

from analytics.models import AnalyticsEvent, EventKind
from app import create_app
from core.db import utcnow
from core.models import Platform, Shop, ShopMode
from core.services import services_of
from tests.support.cartpath import SHOP, SHOPIFY_SECRET, LiveCartpath
from tests.support.database import empty_all_tables
from tests.support.webhooks import shopify_delivery
from tests.upsell.test_post_purchase import _ask_offers, _offer, with_funnel

SECRET = "eligibility-test-secret-" + "e" * 32


def _ineligible(app: Flask) -> list[tuple[str | None, str | None]]:
    with services_of(app).database.session() as session:
        rows = session.execute(
            select(AnalyticsEvent.order_reference, AnalyticsEvent.reason)
            .where(AnalyticsEvent.kind == EventKind.OFFER_INELIGIBLE)
            .order_by(AnalyticsEvent.id)
        )
        return [tuple(row) for row in rows]


@pytest.fixture(params=[ShopMode.NATIVE, ShopMode.HOSTED])
def shop_app(request, make_config) -> Iterator[Flask]:
    application = create_app(make_config(shopify_api_key="key", shopify_api_secret=SECRET))
    svc = services_of(application)
    with svc.database.session() as session:
        session.add(
            Shop(
                platform=Platform.SHOPIFY,
                domain=SHOP,
                mode=request.param,
                installed_at=utcnow(),
                access_token_encrypted=svc.cipher.encrypt("t"),
            )
        )
        session.commit()
    yield application
    svc.jobs.close()
    empty_all_tables(svc.database.engine)
    svc.database.dispose()


def _deliver(app: Flask, topic: str, order_id: int, **fields) -> None:
    payload = {
        "id": order_id,
        "name": f"#{order_id}",
        "currency": "USD",
        "presentment_currency": "USD",
        "total_price": "40.00",
        "financial_status": "paid",
        "updated_at": "2026-11-20T10:00:00Z",
        "tags": "",
        "payment_gateway_names": ["shopify_payments"],
        **fields,
    }
    headers, body = shopify_delivery(topic, payload, shop=SHOP, secret=SECRET)
    answer = app.test_client().post("/webhooks/shopify", data=body, headers=headers)
    assert answer.status_code == 200


def test_orders_shopify_showed_no_page_are_counted_once_with_the_reason(shop_app):
    _deliver(shop_app, "orders/create", 1, payment_gateway_names=["Klarna Pay Later"])
    _deliver(shop_app, "orders/paid", 1, payment_gateway_names=["Klarna Pay Later"])
    _deliver(shop_app, "orders/create", 2, payment_gateway_names=["gift_card"])
    _deliver(shop_app, "orders/create", 3, presentment_currency="EUR")
    _deliver(shop_app, "orders/create", 4)  # a card: Shopify could show the page
    assert services_of(shop_app).jobs.wait_idle(timeout=15)

    with services_of(shop_app).database.session() as session:
        native = session.scalar(select(Shop.mode)) is ShopMode.NATIVE
    expected = [("order:1", "wallet"), ("order:2", "gateway"), ("order:3", "currency")]
    # Deliveries are processed on two workers, in any order.
    assert sorted(_ineligible(shop_app)) == (expected if native else []), "hosted: own pages"


def _token(reference: str, currency: str = "USD") -> str:
    money = {"amount": "40.00", "currencyCode": "USD"}
    data = {
        "shop": {"domain": SHOP},
        "initialPurchase": {
            "referenceId": reference,
            "totalPriceSet": {
                "shopMoney": money,
                "presentmentMoney": {**money, "currencyCode": currency},
            },
        },
    }
    claims = {"iss": "shopify", "sub": reference, "iat": int(time.time()), "input_data": data}
    return jwt.encode(claims, SHOPIFY_SECRET, algorithm="HS256")


def _ask(live: LiveCartpath, reference: str, currency: str = "USD") -> list[dict]:
    return _ask_offers(live, reference, _token(reference, currency))


def test_the_offer_call_counts_no_match_and_a_foreign_currency_once(cartpath, sandbox):
    offer = _offer(sandbox, "MS-1", "Socks?")
    with_funnel(cartpath, sandbox, {"socks": offer}, "socks")
    owner = {"Authorization": f"Bearer {cartpath.session_token(user_id=1)}"}
    funnel = requests.get(f"{cartpath.url}/admin/api/funnels", headers=owner, timeout=10).json()

    assert _ask(cartpath, "paid-in-euros", currency="EUR") == []
    assert len(_ask(cartpath, "matches")) == 1
    requests.put(
        f"{cartpath.url}/admin/api/funnels/{funnel['funnels'][0]['id']}",
        json={"definition": {**funnel["funnels"][0]["definition"], "trigger": _country("FR")}},
        headers=owner,
        timeout=10,
    ).raise_for_status()
    assert _ask(cartpath, "not-to-france") == []
    assert _ask(cartpath, "not-to-france") == [], "asked again (a reload)"

    assert _ineligible(cartpath.app) == [
        ("paid-in-euros", "currency"),
        ("not-to-france", "no_match"),
    ]


def _country(code: str) -> dict:
    return {"kind": "country", "countries": [code]}
