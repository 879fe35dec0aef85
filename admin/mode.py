"""Why a shop runs in the mode it does, in the words the Home and Settings pages show."""

from __future__ import annotations

from core.models import ShopMode

MODE_REASONS = {
    ShopMode.HOSTED: "Cartpath's own one-page checkout takes the shop's orders and writes "
    "each one back to the platform.",
    ShopMode.NATIVE: "Shopify's rules for public apps keep Shopify's own checkout "
    "(App Store requirement 1.1.2); Cartpath adds its upsells through "
    "Shopify's post-purchase extension.",
}
