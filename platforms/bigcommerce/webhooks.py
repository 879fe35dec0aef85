"""BigCommerce webhook deliveries: verify them and say what they are.

https://developer.bigcommerce.com/docs/integrations/webhooks: the body is small
({scope, store_id, producer: "stores/{hash}", data{type, id}, hash, created_at});
duplicates of one event share `hash`. Deliveries carry the Standard Webhooks
signature (verified over the raw body first, when present) and always the custom
header Cartpath set on the hook, whose secret is per store: the store is named in
the body, so that check follows a parse of the (size-limited) JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from platforms.bigcommerce.setup import SECRET_HEADER
from platforms.bigcommerce.verify import (
    store_hash_from_context,
    verify_shared_secret,
    verify_standard_webhook,
)
from platforms.errors import InvalidHmacError, PlatformError


class MalformedWebhookError(PlatformError):
    """Not a BigCommerce delivery we can read: answer 400."""


@dataclass(frozen=True)
class BigCommerceDelivery:
    topic: str
    store_hash: str
    event_key: str
    triggered_at: datetime | None
    payload: dict[str, Any]


def verify_delivery(
    *,
    headers: Mapping[str, str],
    body: bytes,
    client_secret: str,
    now: float,
    store_secret: Callable[[str], str | None],
) -> BigCommerceDelivery:
    """`store_secret(store_hash)` gives the secret we set on that store's hooks (None: unknown).

    :raises InvalidHmacError: signature or secret header wrong.
    :raises MalformedWebhookError: not JSON, or no scope/producer/hash.
    """
    signed = bool(headers.get("webhook-signature"))
    if signed:
        verify_standard_webhook(body=body, headers=headers, key=client_secret.encode(), now=now)
    elif not headers.get(SECRET_HEADER):
        raise InvalidHmacError("the webhook carries neither signature nor secret header")
    try:
        payload = json.loads(body)
    except ValueError:
        raise MalformedWebhookError("the webhook body is not JSON") from None
    if not isinstance(payload, dict) or not all(
        payload.get(k) for k in ("scope", "producer", "hash")
    ):
        raise MalformedWebhookError("the webhook lacks its scope, producer or hash")
    try:
        store_hash = store_hash_from_context(str(payload["producer"]))
    except PlatformError:
        raise MalformedWebhookError("the webhook's producer names no store") from None
    expected = store_secret(store_hash)
    if expected is not None:
        verify_shared_secret(given=headers.get(SECRET_HEADER), expected=expected)
    elif not signed:
        raise InvalidHmacError("the webhook is for a store we do not know and is not signed")
    return BigCommerceDelivery(
        topic=str(payload["scope"]),
        store_hash=store_hash,
        event_key=f"hash:{payload['hash']}",
        triggered_at=_time(payload.get("created_at")),
        payload=payload,
    )


def _time(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (TypeError, ValueError, OverflowError):
        return None
