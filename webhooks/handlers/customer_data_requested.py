"""customers/data_request: gather what Cartpath holds on one customer for the merchant."""

from __future__ import annotations

from sqlalchemy.orm import Session

from auth import privacy
from core.models import Shop, WebhookEvent
from platforms.events import CustomerDataRequested


def handle(session: Session, shop: Shop, effect: CustomerDataRequested, event: WebhookEvent) -> str:
    export = privacy.export_customer(
        session, shop, request_id=effect.request_id, email=effect.email, order_ids=effect.order_ids
    )
    return f"export {export.id} ready"
