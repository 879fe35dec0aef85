"""Recording a verified delivery: once per platform event, with its processing deferred.

The WebhookEvent row and the outbox row that will process it commit together, so
an acknowledged delivery is never lost; a second delivery of the same event hits
the unique (platform, event_key) constraint and has no effect.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core import outbox
from core.db import utcnow
from core.models import Shop, WebhookEvent, WebhookStatus

# Headers worth keeping for support; never the secret header we set on BigCommerce hooks.
_KEPT_PREFIXES = ("x-shopify-", "shopify-", "webhook-")
_KEPT = {"content-type", "user-agent"}


def kept_headers(headers: Mapping[str, str]) -> dict[str, str]:
    return {
        name: value
        for name, value in headers.items()
        if name.lower() in _KEPT or name.lower().startswith(_KEPT_PREFIXES)
    }


def record(
    session: Session,
    *,
    shop: Shop,
    topic: str,
    event_key: str,
    headers: Mapping[str, str],
    body: bytes,
    triggered_at: datetime | None,
    handled: bool,
) -> WebhookEvent | None:
    """The new event, or None when this event was recorded before (a duplicate)."""
    from webhooks.process import process_event

    event = WebhookEvent(
        shop_id=shop.id,
        platform=shop.platform,
        topic=topic[:100],
        event_key=event_key[:255],
        headers=kept_headers(headers),
        body=body.decode("utf-8", "replace"),
        triggered_at=triggered_at,
        status=WebhookStatus.RECEIVED if handled else WebhookStatus.IGNORED,
        processed_at=None if handled else utcnow(),
    )
    try:
        with session.begin_nested():
            session.add(event)
    except IntegrityError:
        return None
    if handled:
        outbox.defer(
            session, process_event, event.id, shop_id=shop.id, dedupe_key=f"webhook:{event.id}"
        )
    return event
