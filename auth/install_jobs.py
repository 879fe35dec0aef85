"""Work that follows an install, run from the outbox so a failure retries, not fails the install."""

from __future__ import annotations

import logging

from core.jobs import RetryPolicy, job
from core.models import Platform, Shop
from core.services import services
from platforms.profile import ShopProfile, read_profile

log = logging.getLogger(__name__)


@job(retry=RetryPolicy(max_attempts=8, backoff=(5, 30, 120, 300, 900, 1800, 3600)), timeout=120)
def complete_install(shop_id: int) -> None:
    """Subscribe the shop's webhooks (and, on BigCommerce, install the storefront script),
    then remember the shop's name, locale and timezone.

    Idempotent: each platform call lists what exists and adds only what is missing.
    """
    svc = services()
    with svc.database.session() as session:
        shop = session.get(Shop, shop_id)
        if shop is None or not shop.is_installed:
            log.info("shop %s is no longer installed; nothing to complete", shop_id)
            return
        platform = shop.platform
    if platform is Platform.SHOPIFY:
        from platforms.shopify import client, subscriptions

        created = client.call(
            shop_id, lambda: subscriptions.ensure(f"{svc.config.base_url}/webhooks/shopify")
        )
    else:
        from platforms.bigcommerce import setup

        created = setup.ensure_installed(shop_id)
    from checkout.storefront import install_handoff

    created = [*(created or []), *install_handoff(shop_id)]
    remember_profile(shop_id, read_profile(platform, shop_id))
    log.info("install of shop %s completed: %s", shop_id, created or "nothing was missing")


def remember_profile(shop_id: int, profile: ShopProfile) -> None:
    """Keep the platform's name, locale (money on the checkout follows it) and timezone
    (the admin's days follow it) for the shop.

    A changed timezone leaves the days rolled up in the old one stale: they are rolled up
    again by the periodic rollup job and are never read meanwhile (analytics/rollups.py).
    """
    with services().database.session() as session:
        shop = session.get(Shop, shop_id)
        if shop is not None:
            shop.name = profile.name or shop.name
            shop.locale = profile.locale
            if shop.timezone != profile.timezone:
                log.info("shop %s keeps its days in %s", shop_id, profile.timezone)
            shop.timezone = profile.timezone
            session.commit()
