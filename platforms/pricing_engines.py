"""Which platform prices a shop's checkout: checkout/ asks here and speaks only PricingEngine."""

from __future__ import annotations

from core.models import Platform
from platforms.bigcommerce.pricing import BigCommercePricing
from platforms.pricing import PricingEngine
from platforms.shopify.pricing import ShopifyPricing

_ENGINES: dict[Platform, PricingEngine] = {
    Platform.SHOPIFY: ShopifyPricing(),
    Platform.BIGCOMMERCE: BigCommercePricing(),
}


def engine_for(platform: Platform) -> PricingEngine:
    """The engine for `platform` (stateless, safe to share between threads)."""
    return _ENGINES[platform]
