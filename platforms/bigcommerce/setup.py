"""What an install leaves on a BigCommerce store: webhooks that carry our secret header.

https://developer.bigcommerce.com/docs/integrations/webhooks: POST /v3/hooks with
custom `headers` echoed on every delivery, at most one hook per store, client, scope
and destination. Listing first makes this safe to run again after a failure.
"""

from __future__ import annotations

from core.models import Platform, Shop
from core.services import services
from platforms.bigcommerce.api import connection, request
from platforms.errors import FinalError

HOOK_SCOPES = ("store/order/*", "store/cart/*", "store/product/*", "store/app/uninstalled")
SECRET_HEADER = "X-Cartpath-Webhook-Secret"  # noqa: S105 - a header name


def store_connection(shop_id: int, version: str = "v3"):
    """A connection as the installed store `shop_id` (a new one each call)."""
    svc = services()
    with svc.database.session() as session:
        shop = session.get(Shop, shop_id)
        if shop is None or shop.platform is not Platform.BIGCOMMERCE or not shop.is_installed:
            raise FinalError(f"shop {shop_id} is not an installed BigCommerce store")
        return connection(
            api_base=svc.config.bigcommerce_api_base,
            client_id=svc.config.bigcommerce_client_id,
            store_hash=shop.domain,
            access_token=shop.access_token(svc.cipher) or "",
            version=version,
        )


def webhook_secret(shop_id: int) -> str:
    svc = services()
    with svc.database.session() as session:
        shop = session.get(Shop, shop_id)
        return svc.cipher.decrypt(shop.webhook_secret_encrypted)


def ensure_installed(shop_id: int) -> list[str]:
    """Create the hooks the store lacks (and re-activate deactivated ones); returns scopes."""
    destination = f"{services().config.base_url}/webhooks/bigcommerce"
    headers = {SECRET_HEADER: webhook_secret(shop_id)}
    conn = store_connection(shop_id)
    hooks = request(lambda: conn.get("hooks")) or {}
    ours = {
        hook["scope"]: hook
        for hook in hooks.get("data", [])
        if hook.get("destination") == destination
    }
    changed = []
    for scope in HOOK_SCOPES:
        hook = ours.get(scope)
        body = {"scope": scope, "destination": destination, "is_active": True, "headers": headers}
        if hook is None:
            request(lambda body=body: conn.post("hooks", body))
        elif not hook.get("is_active") or hook.get("headers") != headers:
            request(lambda hook=hook, body=body: conn.put(f"hooks/{hook['id']}", body))
        else:
            continue
        changed.append(scope)
    return changed
