"""Recording a verified delivery: once per platform event, with its processing deferred.

The WebhookEvent row and the outbox row that will process it commit together, so
an acknowledged delivery is never lost; a second delivery of the same event hits
the unique (platform, event_key) constraint and has no effect.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from core import outbox
from core.db import dialect_insert, utcnow
from core.models import Platform, WebhookEvent, WebhookStatus

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
    shop_id: int,
    platform: Platform,
    topic: str,
    event_key: str,
    headers: Mapping[str, str],
    body: bytes,
    triggered_at: datetime | None,
    handled: bool,
) -> int | None:
    """The new event's id, or None when this event was recorded before (a duplicate).

    One INSERT ... ON CONFLICT DO NOTHING: no savepoint, no lookup, one round trip; a
    duplicate costs one UPDATE more, counting it for the admin's webhook log.
    """
    from webhooks.process import process_event

    values = {
        "shop_id": shop_id,
        "platform": platform,
        "topic": topic[:100],
        "event_key": event_key[:255],
        "headers": kept_headers(headers),
        "body": body.decode("utf-8", "replace"),
        "triggered_at": triggered_at,
        "status": WebhookStatus.RECEIVED if handled else WebhookStatus.IGNORED,
        "processed_at": None if handled else utcnow(),
        "received_at": utcnow(),
    }
    insert = dialect_insert(session)
    event_id = session.scalar(
        insert(WebhookEvent)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["platform", "event_key"])
        .returning(WebhookEvent.id)
    )
    if event_id is None:
        session.execute(
            update(WebhookEvent)
            .where(WebhookEvent.platform == platform, WebhookEvent.event_key == values["event_key"])
            .values(duplicates=WebhookEvent.duplicates + 1, last_duplicate_at=utcnow())
        )
    elif handled:
        outbox.defer(session, process_event, event_id, shop_id=shop_id)
    return event_id
