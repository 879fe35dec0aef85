"""POST /webhooks/shopify and POST /webhooks/bigcommerce: verify, record, acknowledge.

Order of work, per Shopify's and BigCommerce's rules: the signature over the raw
body first (401, nothing recorded), then the headers and content type (400/415),
then the body (400), then one short transaction. Shopify gives 5 s to answer
(https://shopify.dev/docs/apps/build/webhooks/best-practices), so nothing here
calls out; processing happens in a job.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime

from flask import Blueprint, abort, current_app, request

from auth.installs import find_shop
from core.models import Platform, Shop
from core.services import services
from core.web import db_session
from platforms import adapters
from platforms.bigcommerce import webhooks as bigcommerce_webhooks
from platforms.errors import PlatformError
from platforms.shopify import webhooks as shopify_webhooks
from webhooks.intake import record

log = logging.getLogger(__name__)

blueprint = Blueprint("webhooks", __name__)


@blueprint.errorhandler(shopify_webhooks.MalformedWebhookError)
@blueprint.errorhandler(bigcommerce_webhooks.MalformedWebhookError)
def _malformed(error: PlatformError):
    return {"error": "Bad request", "message": str(error)}, 400


def _require_json() -> None:
    if request.mimetype != "application/json":
        abort(415, "Webhooks are JSON: send Content-Type: application/json.")


def _shop_id(platform: Platform, domain: str) -> int | None:
    """The shop's id, remembered per app: a shop row is never deleted or renamed, so the
    answer cannot go stale; an unknown shop is asked again (it may install meanwhile)."""
    cache: dict[tuple[Platform, str], int] = current_app.extensions.setdefault(
        "cartpath.webhook_shop_ids", {}
    )
    key = (platform, domain)
    if key not in cache:
        shop = find_shop(db_session(), platform, domain)
        if shop is None:
            return None
        if len(cache) >= 10_000:
            cache.clear()
        cache[key] = shop.id
    return cache[key]


def _record(
    platform: Platform,
    shop_id: int,
    topic: str,
    event_key: str,
    triggered_at: datetime | None,
    body: bytes,
):
    """Record the verified delivery (once), commit, and say so."""
    session = db_session()
    event_id = record(
        session,
        shop_id=shop_id,
        platform=platform,
        topic=topic,
        event_key=event_key,
        headers=request.headers,
        body=body,
        triggered_at=triggered_at,
        handled=adapters.handles(platform, topic),
    )
    session.commit()
    return _acknowledge("recorded" if event_id else "duplicate")


def _acknowledge(status: str):
    return {"status": status}, 200


@blueprint.post("/webhooks/shopify")
def shopify():
    body = request.get_data(cache=False)
    config = services().config
    delivery = shopify_webhooks.verify_delivery(
        headers=request.headers, body=body, secret=config.shopify_api_secret
    )
    _require_json()
    try:
        json.loads(body)
    except ValueError:
        abort(400, "The webhook body is not valid JSON.")
    shop_id = _shop_id(Platform.SHOPIFY, delivery.shop_domain)
    if shop_id is None:
        log.info(
            "webhook %s for unknown shop %s acknowledged and dropped",
            delivery.topic,
            delivery.shop_domain,
        )
        return _acknowledge("unknown shop")
    return _record(
        Platform.SHOPIFY, shop_id, delivery.topic, delivery.event_key, delivery.triggered_at, body
    )


@blueprint.post("/webhooks/bigcommerce")
def bigcommerce():
    body = request.get_data(cache=False)
    svc = services()
    found: list[Shop] = []

    def store_secret(store_hash: str) -> str | None:
        shop = find_shop(db_session(), Platform.BIGCOMMERCE, store_hash)
        if shop is None or shop.webhook_secret_encrypted is None:
            return None
        found.append(shop)  # the store the verified delivery is for; no second lookup
        return svc.cipher.decrypt(shop.webhook_secret_encrypted)

    delivery = bigcommerce_webhooks.verify_delivery(
        headers=request.headers,
        body=body,
        client_secret=svc.config.bigcommerce_client_secret,
        now=time.time(),
        store_secret=store_secret,
    )
    _require_json()
    if not found:
        return _acknowledge("unknown store")
    return _record(
        Platform.BIGCOMMERCE,
        found[0].id,
        delivery.topic,
        delivery.event_key,
        delivery.triggered_at,
        body,
    )
