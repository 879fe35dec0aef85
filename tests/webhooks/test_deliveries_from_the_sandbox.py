"""The sandbox's platforms deliver real webhooks to a running Cartpath, with duplicates
and reordering switched on: each event has exactly one effect, and the latest wins."""

from __future__ import annotations

import json
import time

from sqlalchemy import func, select

from core.models import WebhookEvent, WebhookStatus
from core.services import services_of
from tests.support import bigcommerce as bigcommerce_support
from tests.support.cartpath import SHOP, STORE, LiveCartpath
from webhooks.models import PlatformProduct


def _merchant_catalog_tool(cartpath: LiveCartpath):
    """Another app on the store, with write access to the catalog, as the merchant's own tool.

    Cartpath only reads products; their changes come from elsewhere.
    """
    token = bigcommerce_support.install(cartpath.sandbox)["access_token"]
    return bigcommerce_support.connection(cartpath.sandbox, token)


def _settle(cartpath: LiveCartpath) -> None:
    cartpath.sandbox.wait_for_deliveries(timeout=30)
    cartpath.wait_for_jobs(timeout=30)


def _ours(cartpath: LiveCartpath, platform: str, topic: str) -> list[dict]:
    return [
        d
        for d in cartpath.sandbox.deliveries()
        if d["platform"] == platform and d["topic"] == topic and d["url"].startswith(cartpath.url)
    ]


def _events(cartpath: LiveCartpath, topic: str) -> list[WebhookEvent]:
    with services_of(cartpath.app).database.session() as session:
        return list(session.scalars(select(WebhookEvent).where(WebhookEvent.topic == topic)))


def _product(cartpath: LiveCartpath, platform_id: str) -> PlatformProduct:
    with services_of(cartpath.app).database.session() as session:
        return session.scalar(
            select(PlatformProduct).where(PlatformProduct.platform_id == platform_id)
        )


def test_shopify_product_updates_have_one_effect_each_and_the_latest_wins(cartpath):
    cartpath.install_shopify()
    product_id = cartpath.sandbox.state()["shopify"]["shops"][SHOP]["products"][0]["id"]
    cartpath.sandbox.chaos(duplicate_probability=0.6, reorder_window=0.5)

    for n in range(6):
        cartpath.sandbox.call(
            "POST",
            "/shopify/events",
            {
                "shop": SHOP,
                "topic": "products/update",
                "product_id": product_id,
                "title": f"Title {n}",
            },
        )
        time.sleep(0.02)
    _settle(cartpath)

    deliveries = _ours(cartpath, "shopify", "products/update")
    event_ids = {d["headers"]["X-Shopify-Event-Id"] for d in deliveries}
    assert len(event_ids) == 6
    assert sum(d["copies"] for d in deliveries) > 6, "the chaos sent duplicates"
    events = _events(cartpath, "products/update")
    assert len(events) == 6
    assert all(e.status is WebhookStatus.PROCESSED for e in events)
    assert _product(cartpath, str(product_id)).title == "Title 5"


def test_bigcommerce_deliveries_fetch_the_resource_and_count_once(cartpath):
    cartpath.install_bigcommerce()
    products = cartpath.sandbox.state()["bigcommerce"]["stores"][STORE]["products"]
    product_id = next(iter(products))
    cartpath.sandbox.chaos(duplicate_probability=0.6, reorder_window=0.5)

    merchant = _merchant_catalog_tool(cartpath)
    for n in range(5):
        merchant.put(f"catalog/products/{product_id}", {"name": f"Name {n}"})
    _settle(cartpath)

    hashes = {
        json.loads(d["body"])["hash"]
        for d in _ours(cartpath, "bigcommerce", "store/product/updated")
    }
    events = _events(cartpath, "store/product/updated")
    assert len(events) == len(hashes) == 5
    assert all(e.status is WebhookStatus.PROCESSED for e in events)
    assert _product(cartpath, product_id).title == "Name 4"


def test_a_failed_event_is_visible_and_can_be_replayed(cartpath):
    cartpath.install_bigcommerce()
    product_id = next(iter(cartpath.sandbox.state()["bigcommerce"]["stores"][STORE]["products"]))
    # The fetch of the product is refused for good once (as if the store had glitched).
    cartpath.sandbox.fault(
        kind="status", status=403, path=f"catalog/products/{product_id}$", method="GET", count=1
    )
    _merchant_catalog_tool(cartpath).put(f"catalog/products/{product_id}", {"name": "Renamed"})
    _settle(cartpath)
    [failed] = _events(cartpath, "store/product/updated")
    assert failed.status is WebhookStatus.FAILED
    assert "403" in failed.error

    from webhooks.process import replay

    with services_of(cartpath.app).database.session() as session, cartpath.app.app_context():
        replay(session, failed.id)
        session.commit()
    cartpath.wait_for_jobs()

    [replayed] = _events(cartpath, "store/product/updated")
    assert replayed.status is WebhookStatus.PROCESSED
    assert _product(cartpath, product_id).title == "Renamed"
    with services_of(cartpath.app).database.session() as session:
        assert session.scalar(select(func.count()).select_from(WebhookEvent)) == 1
