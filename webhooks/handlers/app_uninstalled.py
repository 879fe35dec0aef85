"""The merchant uninstalled Cartpath: stop serving the shop now; keep its orders."""

from __future__ import annotations

from sqlalchemy.orm import Session

from auth.installs import record_uninstall
from core.models import Shop, WebhookEvent
from platforms.events import AppUninstalled


def handle(session: Session, shop: Shop, effect: AppUninstalled, event: WebhookEvent) -> str:
    if event.triggered_at and shop.installed_at and event.triggered_at < shop.installed_at:
        return "stale: the shop reinstalled since"
    if not shop.is_installed:
        return "already uninstalled"
    record_uninstall(session, shop, actor=f"{shop.platform.value}:webhook")
    return "applied"
