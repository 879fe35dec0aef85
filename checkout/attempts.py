"""The record of each try at writing to an order on its platform, for support's timeline.

One WritebackAttempt row per try, for the two writes an order gets: its own write-back
(checkout/writeback.py) and adding a paid upsell's item to it (upsell/lines.py, the row
naming the shown offer). Each is started before the platform is called, so a worker
that dies mid-call leaves a RUNNING row, which the next try of the same write marks lost.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from checkout.models import AttemptOutcome, WritebackAttempt
from core.db import utcnow
from core.outbox import WORKER_LOST


def describe(error: Exception) -> str:
    """An error as support reads it: its kind and message, short enough to store."""
    return f"{type(error).__name__}: {error}"[:2000]


def _same_write(order_id: int, shown_offer_id: int | None) -> ColumnElement[bool]:
    """The order's write-back tries, or those adding one offer's item: never both."""
    offer = WritebackAttempt.shown_offer_id
    return (WritebackAttempt.order_id == order_id) & (
        offer.is_(None) if shown_offer_id is None else offer == shown_offer_id
    )


def tries_so_far(session: Session, order_id: int, shown_offer_id: int | None) -> int:
    """How many tries the write has had (an upsell item keeps no counter of its own)."""
    return session.scalar(
        select(func.count(WritebackAttempt.id)).where(_same_write(order_id, shown_offer_id))
    )


@dataclass
class Attempt:
    """One try's row, the one record of it: started with its number, finished in the same
    transaction as what the try changed (the order's status, say)."""

    id: int
    error: str | None = None
    platform_status: int | None = None

    @classmethod
    def start(
        cls,
        session: Session,
        *,
        shop_id: int,
        order_id: int,
        number: int,
        shown_offer_id: int | None = None,
    ) -> Attempt:
        """A new try runs only once the outbox lease of any earlier one has passed, so an
        earlier try of the same write still RUNNING died with its worker."""
        session.execute(
            update(WritebackAttempt)
            .where(
                _same_write(order_id, shown_offer_id),
                WritebackAttempt.outcome == AttemptOutcome.RUNNING,
            )
            .values(outcome=AttemptOutcome.LOST, error=WORKER_LOST)
        )
        row = WritebackAttempt(
            shop_id=shop_id, order_id=order_id, shown_offer_id=shown_offer_id, number=number
        )
        session.add(row)
        session.flush()
        return cls(row.id)

    @classmethod
    def last(
        cls, session: Session, order_id: int, message: str, *, shown_offer_id: int | None = None
    ) -> Attempt | None:
        """The write's latest try, when the outbox gives up after it (its own error kept; a
        worker lost mid-try left none, so it gets the outbox's message)."""
        row = session.scalars(
            select(WritebackAttempt)
            .where(_same_write(order_id, shown_offer_id))
            .order_by(WritebackAttempt.id.desc())
        ).first()
        if row is None:
            return None
        return cls(row.id, row.error or message, row.platform_status)

    def failed_with(self, error: Exception) -> Attempt:
        self.error, self.platform_status = describe(error), getattr(error, "status", None)
        return self

    def finish(self, session: Session, outcome: AttemptOutcome) -> None:
        row = session.get(WritebackAttempt, self.id)
        row.outcome, row.finished_at = outcome, utcnow()
        row.error, row.platform_status = self.error, self.platform_status
