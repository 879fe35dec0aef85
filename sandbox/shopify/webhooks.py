"""Shopify webhook deliveries: one per subscription per event, signed, retried, then unsubscribed.

Headers, retry policy and payloads per PLATFORMS.md B:
- headers: https://shopify.dev/docs/apps/build/webhooks/subscribe/https (X-Shopify-Topic,
  -Hmac-Sha256, -Shop-Domain, -Webhook-Id, -Event-Id, -Triggered-At, -API-Version);
- 8 tries over 4 hours, exponential: https://shopify.dev/changelog/updates-to-webhook-retry-mechanism;
- 1 s connect / 5 s total deadline; an Admin-API subscription is deleted after the last failure.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sandbox.delivery import Delivery
from sandbox.shopify.signing import webhook_hmac
from sandbox.shopify.state import Shop

if TYPE_CHECKING:
    from sandbox.shopify import ShopifyEmulator

TOPICS = (
    "orders/create",
    "orders/updated",
    "orders/paid",
    "orders/cancelled",
    "refunds/create",
    "products/update",
    "products/delete",
    "app/uninstalled",
)
COMPLIANCE_TOPICS = ("customers/data_request", "customers/redact", "shop/redact")
# 7 gaps doubling each time, summing to 4 h: 8 tries in all.
RETRY_SCHEDULE = tuple(round(14400 * 2**i / 127) for i in range(7))


def graphql_topic(topic: str) -> str:
    """orders/create -> ORDERS_CREATE."""
    return topic.upper().replace("/", "_")


def rest_topic(enum_value: str) -> str:
    """ORDERS_CREATE -> orders/create (every topic here has one slash)."""
    return enum_value.lower().replace("_", "/", 1)


class Webhooks:
    """Turns platform events into deliveries through the shared Deliverer."""

    def __init__(self, emulator: ShopifyEmulator) -> None:
        self.emulator = emulator

    def emit(
        self, shop: Shop, topic: str, payload: dict[str, Any], *, client_id: str | None = None
    ) -> int:
        """Queue `topic` for every subscription on it (one app's if `client_id`); returns the count.

        Call with `state.lock` held so the subscription list is the one at trigger time.
        """
        event_id = str(uuid.uuid4())
        queued = 0
        for sub in list(shop.webhooks.values()):
            if sub.topic != topic or client_id not in (None, sub.client_id):
                continue
            app = self.emulator.state.apps.get(sub.client_id)
            if app is None:
                continue
            body = payload
            if sub.include_fields:
                body = {k: v for k, v in payload.items() if k in sub.include_fields}
            self._send(
                shop, topic, sub.address, body, app.client_secret, sub.api_version, event_id, sub.id
            )
            queued += 1
        return queued

    def emit_compliance(
        self, shop: Shop, client_id: str, topic: str, payload: dict[str, Any]
    ) -> bool:
        """Privacy topics go to the app's configured compliance URL, not to subscriptions."""
        app = self.emulator.state.apps.get(client_id)
        if app is None or not app.compliance_url:
            return False
        self._send(
            shop,
            topic,
            app.compliance_url,
            payload,
            app.client_secret,
            app.webhook_api_version,
            str(uuid.uuid4()),
            None,
        )
        return True

    def _send(
        self,
        shop: Shop,
        topic: str,
        url: str,
        payload: dict[str, Any],
        secret: str,
        api_version: str,
        event_id: str,
        subscription_id: int | None,
    ) -> None:
        body = json.dumps(payload, separators=(",", ":")).encode()
        triggered = datetime.fromtimestamp(self.emulator.clock.now(), UTC)
        headers = {
            "Content-Type": "application/json",
            "X-Shopify-Topic": topic,
            "X-Shopify-Hmac-Sha256": webhook_hmac(body, secret),
            "X-Shopify-Shop-Domain": shop.domain,
            "X-Shopify-API-Version": api_version,
            "X-Shopify-Webhook-Id": str(uuid.uuid4()),
            "X-Shopify-Event-Id": event_id,
            "X-Shopify-Triggered-At": triggered.isoformat().replace("+00:00", "Z"),
        }
        self.emulator.context.deliverer.submit(
            Delivery(
                id=headers["X-Shopify-Webhook-Id"],
                platform="shopify",
                topic=topic,
                url=url,
                headers=headers,
                body=body,
                retry_schedule=RETRY_SCHEDULE,
                connect_timeout=1.0,
                read_timeout=5.0,
                on_failed=self._unsubscriber(shop.domain, subscription_id),
            )
        )

    def _unsubscriber(self, domain: str, subscription_id: int | None):
        if subscription_id is None:
            return None

        def unsubscribe(_delivery: Delivery) -> None:
            with self.emulator.state.lock:
                shop = self.emulator.state.shop(domain)
                if shop is not None:
                    shop.webhooks.pop(subscription_id, None)

        return unsubscribe
