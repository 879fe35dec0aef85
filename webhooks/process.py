"""Processing one recorded webhook event: interpret it, apply its effect, mark it done.

Runs from the outbox, so it survives a lost Redis and a killed worker. A retriable
platform error (the resource could not be fetched) retries with backoff; a payload
that cannot be read fails at once; when the outbox gives up the event says so,
for staff to see and replay.
"""

from __future__ import annotations

import json
import logging

from sqlalchemy import select

from core.db import utcnow
from core.jobs import RetryPolicy, job
from core.models import Shop, WebhookEvent, WebhookStatus
from core.services import services
from platforms import adapters, events
from platforms.errors import PlatformError, RetriableError
from webhooks.handlers import apply_effect

log = logging.getLogger(__name__)


def order_id_of(effect: events.Effect | None) -> str | None:
    """The platform order an event was about, so an order's timeline can list its webhooks."""
    if isinstance(effect, events.OrderChanged):
        return effect.order.platform_id
    if isinstance(effect, events.OrderRemoved):
        return effect.platform_id
    if isinstance(effect, events.RefundCreated):
        return effect.order_platform_id
    return None


def mark_failed(event_id: int, error: str) -> None:
    with services().database.session() as session:
        event = session.get(WebhookEvent, event_id)
        if event is not None and event.status is WebhookStatus.RECEIVED:
            event.status, event.error = WebhookStatus.FAILED, error[:2000]
            session.commit()


@job(
    retry=RetryPolicy(max_attempts=6, backoff=(5, 30, 120, 600, 1800)),
    timeout=120,
    on_give_up=mark_failed,
)
def process_event(event_id: int) -> str:
    svc = services()
    with svc.database.session() as session:
        event = session.get(WebhookEvent, event_id)
        if event is None or event.status is not WebhookStatus.RECEIVED:
            return "nothing to do"
        shop_id, platform, topic = event.shop_id, event.platform, event.topic
        body, triggered_at = event.body, event.triggered_at
    try:
        effect = adapters.interpret(platform, shop_id, topic, json.loads(body), triggered_at)
    except RetriableError:
        raise
    except (PlatformError, ValueError) as error:
        log.warning("webhook event %s cannot be processed: %s", event_id, error)
        mark_failed(event_id, f"{type(error).__name__}: {error}")
        return "failed"
    with svc.database.session() as session:
        event = session.scalar(
            select(WebhookEvent).where(WebhookEvent.id == event_id).with_for_update()
        )
        if event.status is not WebhookStatus.RECEIVED:
            return "nothing to do"
        outcome = "ignored"
        if effect is not None:
            outcome = apply_effect(session, session.get(Shop, shop_id), effect, event)
        event.status = WebhookStatus.PROCESSED if effect is not None else WebhookStatus.IGNORED
        event.processed_at, event.error = utcnow(), None
        event.resource_id = order_id_of(effect)
        session.commit()
    log.info("webhook event %s (%s) %s", event_id, topic, outcome)
    return outcome


def replay(session, event_id: int) -> WebhookEvent:
    """Staff asked to process a failed event again."""
    from core import outbox

    event = session.get(WebhookEvent, event_id)
    if event is None:
        raise LookupError(f"no webhook event {event_id}")
    if event.status is not WebhookStatus.FAILED:
        raise ValueError(f"webhook event {event_id} is {event.status.value}, not failed")
    event.status, event.error = WebhookStatus.RECEIVED, None
    outbox.defer(
        session,
        process_event,
        event.id,
        shop_id=event.shop_id,
        dedupe_key=f"webhook:{event.id}:replay:{utcnow().isoformat()}",
    )
    return event
