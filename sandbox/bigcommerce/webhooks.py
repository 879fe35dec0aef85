"""Webhook events: BigCommerce's light payload, custom headers, Standard Webhooks signature.

bigcommerce/docs docs/integrations/webhooks/overview.mdx and https-webhook-overview.mdx
(https://developer.bigcommerce.com/docs/integrations/webhooks):
- body `{store_id, producer: "stores/{hash}", scope, data{type, id, ...}, hash, created_at}`;
  a duplicate of one event carries the same `hash`;
- the hook's own `headers` are sent with every delivery;
- `webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<b64 HMAC-SHA256(id.ts.body)>`
  per the Standard Webhooks spec; BigCommerce's samples give the library
  base64(client_secret), so the HMAC key is the client secret's bytes;
- retries after 60, 180, 300, 600, 900, 1800, 3600, 7200, 21600, 50400, 86400 s,
  then the hook is deactivated (is_active false).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from typing import TYPE_CHECKING, Any

from sandbox.bigcommerce.state import Hook
from sandbox.delivery import Delivery

if TYPE_CHECKING:
    from sandbox.bigcommerce import BigCommerceEmulator

RETRY_SCHEDULE = (
    60.0,
    180.0,
    300.0,
    600.0,
    900.0,
    1800.0,
    3600.0,
    7200.0,
    21600.0,
    50400.0,
    86400.0,
)

SCOPES = (
    "store/order/created",
    "store/order/updated",
    "store/order/archived",
    "store/order/statusUpdated",
    "store/order/refund/created",
    "store/cart/created",
    "store/cart/updated",
    "store/cart/deleted",
    "store/cart/converted",
    "store/product/created",
    "store/product/updated",
    "store/product/deleted",
    "store/product/inventory/updated",
    "store/product/inventory/order/updated",
    "store/app/uninstalled",
)


def known_scope(scope: str) -> bool:
    """An exact scope, or a wildcard such as store/order/* or store/cart/*."""
    if scope.endswith("/*"):
        return any(known.startswith(scope[:-1]) for known in SCOPES)
    return scope in SCOPES


def matches(hook_scope: str, scope: str) -> bool:
    if hook_scope.endswith("/*"):
        return scope.startswith(hook_scope[:-1])
    return hook_scope == scope


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).digest()
    return f"v1,{base64.b64encode(digest).decode()}"


def fire(
    bc: BigCommerceEmulator,
    store_hash: str,
    scope: str,
    data: dict[str, Any],
    only_client: str | None = None,
) -> int:
    """Deliver one event to every active hook subscribed to it (or only `only_client`'s)."""
    now = bc.context.clock.now()
    with bc.state.lock:
        store = bc.state.stores[store_hash]
        hooks = [
            h
            for h in store.hooks.values()
            if h.is_active and matches(h.scope, scope) and only_client in (None, h.client_id)
        ]
        secrets_by_client = {
            h.client_id: bc.state.apps[h.client_id].client_secret
            for h in hooks
            if h.client_id in bc.state.apps
        }
        store_id = str(store.id)
    event_hash = hashlib.sha256(f"{store_hash}:{scope}:{uuid.uuid4()}".encode()).hexdigest()[:40]
    payload = {
        "created_at": int(now),
        "store_id": store_id,
        "producer": f"stores/{store_hash}",
        "scope": scope,
        "hash": event_hash,
        "data": data,
    }
    body = json.dumps(payload).encode()
    for hook in hooks:
        secret = secrets_by_client.get(hook.client_id)
        if secret is not None:
            bc.context.deliverer.submit(_delivery(bc, hook, scope, secret, body, int(now)))
    return len(hooks)


def _delivery(
    bc: BigCommerceEmulator, hook: Hook, scope: str, secret: str, body: bytes, now: int
) -> Delivery:
    message_id = f"msg_{uuid.uuid4().hex}"
    headers = {
        **(hook.headers or {}),
        "Content-Type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(now),
        "webhook-signature": sign(secret, message_id, now, body),
    }
    return Delivery(
        id=message_id,
        platform="bigcommerce",
        topic=scope,
        url=hook.destination,
        headers=headers,
        body=body,
        retry_schedule=RETRY_SCHEDULE,
        on_failed=lambda _delivery: _deactivate(bc, hook.store_hash, hook.id),
    )


def _deactivate(bc: BigCommerceEmulator, store_hash: str, hook_id: int) -> None:
    """After the last retry BigCommerce sets the hook inactive (and emails the developer)."""
    with bc.state.lock:
        store = bc.state.stores.get(store_hash)
        hook = store.hooks.get(hook_id) if store else None
        if hook is not None:
            hook.is_active = False
            hook.updated_at = int(bc.context.clock.now())
