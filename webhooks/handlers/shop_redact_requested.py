"""shop/redact (48 hours after an uninstall): erase the shop's data."""

from __future__ import annotations

from sqlalchemy.orm import Session

from auth import privacy
from core.models import Shop, WebhookEvent
from platforms.events import ShopRedactRequested


def handle(session: Session, shop: Shop, effect: ShopRedactRequested, event: WebhookEvent) -> str:
    if shop.is_installed:
        # A redact request for a shop that reinstalled since is out of date.
        return "stale: the shop is installed"
    privacy.erase_shop(session, shop, keep_event_id=event.id)
    return "erased"
