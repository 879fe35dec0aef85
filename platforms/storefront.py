"""What each platform needs so its storefront hands shoppers to Cartpath: the seam checkout/
speaks through. The script itself is one file for both (extension/shopify/extensions/
cartpath-handoff/assets/cartpath-handoff.js); only how it gets into the shop differs."""

from __future__ import annotations

from core.models import Platform
from platforms.bigcommerce import scripts as bigcommerce_scripts
from platforms.shopify import client
from platforms.shopify import storefront as shopify_storefront


def install_handoff(
    platform: Platform, shop_id: int, *, script_url: str, app_url: str, handoff: str
) -> list[str]:
    """Put the script into the shop (idempotent); returns what had to be added or changed."""
    if platform is Platform.BIGCOMMERCE:
        changed = bigcommerce_scripts.ensure_script(shop_id, script_url)
        return ["storefront script"] if changed else []

    def on_shopify() -> list[str]:
        added = shopify_storefront.ensure_script_tag(script_url)
        shopify_storefront.publish_handoff(handoff, app_url)
        return ["script tag"] if added else []

    return client.call(shop_id, on_shopify)


def publish_handoff(platform: Platform, shop_id: int, *, app_url: str, handoff: str) -> None:
    """Make a changed switch visible to the platform's storefront where it caches it.

    BigCommerce's script asks Cartpath at every checkout click, so only Shopify's theme
    app extension (which decides in Liquid whether to load the script) needs telling.
    """
    if platform is Platform.SHOPIFY:
        client.call(shop_id, lambda: shopify_storefront.publish_handoff(handoff, app_url))
