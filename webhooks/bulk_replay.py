"""Replaying every failed webhook event of a shop at once, as a job (the admin's Support
page starts it and shows its progress from the events' own statuses).

Each event is replayed in its own transaction, so a run stopped halfway has replayed
what it reached and running it again replays only what is still failed.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import outbox
from core.jobs import RetryPolicy, job
from core.models import WebhookEvent, WebhookStatus
from core.services import services
from webhooks.process import replay

MAX_EVENTS = 1000  # per run; the page offers another run for the rest


def failed_events(session: Session, shop_id: int) -> list[int]:
    return list(
        session.scalars(
            select(WebhookEvent.id)
            .where(WebhookEvent.shop_id == shop_id, WebhookEvent.status == WebhookStatus.FAILED)
            .order_by(WebhookEvent.id)
            .limit(MAX_EVENTS)
        )
    )


def start(session: Session, shop_id: int, event_ids: list[int]) -> int:
    """Queue the run after this transaction commits; returns its outbox row."""
    return outbox.defer(session, replay_events, shop_id, event_ids, shop_id=shop_id)


@job(retry=RetryPolicy(max_attempts=3, backoff=(5, 30)), timeout=600)
def replay_events(shop_id: int, event_ids: list[int]) -> int:
    """Replay the shop's events among `event_ids` that are still failed; returns how many."""
    replayed = 0
    for event_id in event_ids:
        with services().database.session() as session:
            event = session.get(WebhookEvent, event_id)
            if (
                event is None
                or event.shop_id != shop_id
                or event.status is not WebhookStatus.FAILED
            ):
                continue
            replay(session, event_id)
            session.commit()
            replayed += 1
    return replayed
