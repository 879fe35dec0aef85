"""Shopify webhook deliveries: verify them and say what they are.

Headers and rules: https://shopify.dev/docs/apps/build/webhooks/subscribe/https and
Shopify/shopify-app-js webhooks/validate.ts: X-Shopify-Hmac-Sha256 over the raw body
(checked before anything else), then -Topic, -Shop-Domain, -Webhook-Id; dedupe on
X-Shopify-Event-Id (https://shopify.dev/docs/apps/build/webhooks/ignore-duplicates),
falling back to the webhook id. "Events"-style deliveries send the same headers
lowercase without the X- prefix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from platforms.errors import InvalidHmacError, PlatformError
from platforms.shopify.verify import validate_shop_domain, verify_webhook


class MalformedWebhookError(PlatformError):
    """Signed, but missing what every delivery carries: answer 400."""


@dataclass(frozen=True)
class ShopifyDelivery:
    topic: str
    shop_domain: str
    event_key: str
    triggered_at: datetime | None
    api_version: str


def _header(headers: Mapping[str, str], name: str) -> str | None:
    return headers.get(f"X-Shopify-{name}") or headers.get(f"shopify-{name.lower()}")


def verify_delivery(*, headers: Mapping[str, str], body: bytes, secret: str) -> ShopifyDelivery:
    """:raises InvalidHmacError: unsigned or tampered. :raises MalformedWebhookError: no topic."""
    verify_webhook(body=body, header=_header(headers, "Hmac-Sha256"), secret=secret)
    topic = _header(headers, "Topic")
    shop = _header(headers, "Shop-Domain")
    event_key = _header(headers, "Event-Id") or _header(headers, "Webhook-Id")
    if not (topic and shop and event_key):
        raise MalformedWebhookError("the webhook lacks its topic, shop domain or id headers")
    try:
        shop_domain = validate_shop_domain(shop)
    except PlatformError:
        raise InvalidHmacError("the webhook names no Shopify shop") from None
    return ShopifyDelivery(
        topic=topic,
        shop_domain=shop_domain,
        event_key=f"event:{event_key}",
        triggered_at=_time(_header(headers, "Triggered-At")),
        api_version=_header(headers, "API-Version") or "",
    )


def _time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
