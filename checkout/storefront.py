"""The storefront hand-off: which shops send shoppers to Cartpath, and the script that does it.

One script for both platforms (extension/shopify/extensions/cartpath-handoff/assets/): the
app serves that very file for BigCommerce's Scripts API and Shopify's script-tag fallback,
and Shopify's CDN serves it from the deployed theme app extension. Only hosted-mode shops
are ever handed off; the per-shop switch is off, test (flagged visitors only) or on.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from core import audit
from core.config import PROJECT_ROOT
from core.jobs import RetryPolicy, job
from core.models import Platform, Shop, ShopMode, StorefrontHandoff
from core.outbox import defer
from core.services import services
from platforms import storefront

log = logging.getLogger(__name__)

SCRIPT_FILE: Path = (
    PROJECT_ROOT / "extension/shopify/extensions/cartpath-handoff/assets/cartpath-handoff.js"
)
SCRIPT_ROUTE = "/storefront/cartpath-handoff.js"


class HandoffSwitchError(ValueError):
    """A switch change we refuse; `status` is the HTTP answer, the message is for the merchant."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def effective_handoff(shop: Shop) -> StorefrontHandoff:
    """What the storefront script should do for this shop right now."""
    if not shop.is_installed or shop.mode is not ShopMode.HOSTED:
        return StorefrontHandoff.OFF
    return shop.storefront_handoff


def script_url(base_url: str, shop: Shop) -> str:
    """The script's address for this shop (Shopify appends ?shop= to script tags itself)."""
    query = {"platform": shop.platform.value}
    if shop.platform is Platform.BIGCOMMERCE:
        query["shop"] = shop.domain
    return f"{base_url}{SCRIPT_ROUTE}?{urlencode(query)}"


def set_handoff(session: Session, shop: Shop, value: str, *, actor: str) -> StorefrontHandoff:
    """Change the shop's switch, audited; the platform hears of it from a job after commit.

    :raises HandoffSwitchError: an unknown value, or a shop that keeps its platform's checkout.
    """
    try:
        wanted = StorefrontHandoff(value)
    except ValueError:
        choices = ", ".join(v.value for v in StorefrontHandoff)
        raise HandoffSwitchError(f"Choose one of: {choices}.") from None
    if shop.mode is not ShopMode.HOSTED:
        raise HandoffSwitchError(
            "This shop keeps its platform's own checkout, so there is nothing to hand off.",
            status=409,
        )
    previous, shop.storefront_handoff = shop.storefront_handoff, wanted
    audit.record(
        session,
        shop_id=shop.id,
        actor=actor,
        action="storefront.handoff_changed",
        target=f"shop:{shop.id}",
        details={"from": previous.value, "to": wanted.value},
    )
    defer(session, publish_handoff, shop.id, shop_id=shop.id)
    return wanted


@job(retry=RetryPolicy(max_attempts=6, backoff=(5, 30, 120, 600, 1800)), timeout=60)
def publish_handoff(shop_id: int) -> None:
    """Tell the platform the switch as it is now (so jobs may run in any order)."""
    svc = services()
    with svc.database.session() as session:
        shop = session.get(Shop, shop_id)
        if shop is None or not shop.is_installed:
            return
        platform, handoff = shop.platform, effective_handoff(shop)
    storefront.publish_handoff(
        platform, shop_id, app_url=svc.config.base_url, handoff=handoff.value
    )


def install_handoff(shop_id: int) -> list[str]:
    """Put the hand-off script into a hosted-mode shop (idempotent; part of the install job)."""
    svc = services()
    with svc.database.session() as session:
        shop = session.get(Shop, shop_id)
        if shop is None or shop.mode is not ShopMode.HOSTED:
            return []
        platform, handoff = shop.platform, effective_handoff(shop)
        src = script_url(svc.config.base_url, shop)
    return storefront.install_handoff(
        platform, shop_id, script_url=src, app_url=svc.config.base_url, handoff=handoff.value
    )
