"""Which gateway takes a shop's payments: checkout/ asks here and speaks only Gateway."""

from __future__ import annotations

from functools import lru_cache

from core.config import Config
from payments.gateway import Gateway
from payments.stripe import StripeGateway


@lru_cache(maxsize=8)
def gateway_for(config: Config) -> Gateway | None:
    """The app's card gateway, or None while none is configured (no STRIPE_SECRET_KEY).

    One per settings, kept: the client is thread-safe and every page view asks.
    """
    return StripeGateway.from_config(config)
