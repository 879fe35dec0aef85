"""The storefront hand-off script on a BigCommerce store, through the Scripts API.

POST /v3/content/scripts (bigcommerce/docs reference/scripts.v3.yml, needs the Content
scope store_v2_content): kind src, loaded async in the footer (it never holds up
DOMContentLoaded), on `storefront` pages (checkout pages would need the Checkout Content
scope and SRI hashes), consent category essential (the checkout button must work under a
cookie banner). An app lists only its own
scripts, at most 10. `auto_uninstall: true` makes BigCommerce delete the script "when the
single click app is uninstalled or OAuth token is revoked" (same file), so uninstall needs no
call of ours, and could not make one: the token is revoked by then.
"""

from __future__ import annotations

from platforms.bigcommerce.api import request
from platforms.bigcommerce.setup import store_connection

SCRIPT_NAME = "Cartpath checkout hand-off"


def ensure_script(shop_id: int, src: str) -> bool:
    """Create the script, or correct it if it changed (a new Cartpath URL); True if changed."""
    body = {
        "name": SCRIPT_NAME,
        "description": "Sends shoppers to Cartpath's checkout; the store's own if it is down.",
        "src": src,
        "kind": "src",
        "load_method": "async",
        "location": "footer",
        "visibility": "storefront",
        "consent_category": "essential",
        "auto_uninstall": True,
        "enabled": True,
    }
    conn = store_connection(shop_id)
    listed = request(lambda: conn.get("content/scripts")) or {}
    ours = [s for s in listed.get("data", []) if s.get("name") == SCRIPT_NAME]
    if not ours:
        request(lambda: conn.post("content/scripts", body))
        return True
    script = ours[0]
    if all(script.get(key) == value for key, value in body.items()):
        return False
    request(lambda: conn.put(f"content/scripts/{script['uuid']}", body))
    return True
