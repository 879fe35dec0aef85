"""customers/redact: erase one customer's personal data from everything Cartpath holds."""

from __future__ import annotations

from sqlalchemy.orm import Session

from auth import privacy
from core.models import Shop, WebhookEvent
from platforms.events import CustomerRedactRequested


def handle(
    session: Session, shop: Shop, effect: CustomerRedactRequested, event: WebhookEvent
) -> str:
    count = privacy.redact_customer(session, shop, email=effect.email, order_ids=effect.order_ids)
    return f"redacted {count} records"
