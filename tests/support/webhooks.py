"""Deliveries signed the way the platforms sign them, for intake tests."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from sandbox.shopify.signing import webhook_hmac


def shopify_delivery(
    topic: str,
    payload: Any,
    *,
    shop: str,
    secret: str,
    event_id: str | None = None,
    body: bytes | None = None,
    triggered_at: str | None = None,
) -> tuple[dict[str, str], bytes]:
    """Headers as Shopify sends them; `triggered_at` is when the event happened (a late
    delivery of an old event keeps its original time)."""
    raw = body if body is not None else json.dumps(payload).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Shopify-Topic": topic,
        "X-Shopify-Hmac-Sha256": webhook_hmac(raw, secret),
        "X-Shopify-Shop-Domain": shop,
        "X-Shopify-Webhook-Id": str(uuid.uuid4()),
        "X-Shopify-Event-Id": event_id or str(uuid.uuid4()),
        "X-Shopify-Triggered-At": triggered_at or datetime.now(UTC).isoformat(),
        "X-Shopify-API-Version": "2025-10",
    }
    return headers, raw
