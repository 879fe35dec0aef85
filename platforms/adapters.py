"""Which platform module reads which platform's events: the seam webhooks/ speaks through."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.models import Platform
from platforms import events
from platforms.bigcommerce import events as bigcommerce_events
from platforms.shopify import events as shopify_events


def handles(platform: Platform, topic: str) -> bool:
    if platform is Platform.SHOPIFY:
        return topic in shopify_events.TOPICS
    return bigcommerce_events.handles(topic)


def interpret(
    platform: Platform, shop_id: int, topic: str, payload: Any, triggered_at: datetime | None
) -> events.Effect | None:
    """The neutral effect of one delivery (BigCommerce fetches the resource it names)."""
    if platform is Platform.SHOPIFY:
        return shopify_events.interpret(topic, payload, triggered_at)
    return bigcommerce_events.interpret(shop_id, topic, payload, triggered_at)


def order_ids(platform: Platform, platform_id: str) -> tuple[str, ...]:
    """The ids Cartpath may have stored for the platform order its webhooks call `platform_id`."""
    if platform is Platform.SHOPIFY:
        return shopify_events.order_ids(platform_id)
    return (platform_id,)
