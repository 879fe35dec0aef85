"""Staff alerts: raised in the caller's transaction, at most one open per kind and subject,
so a job that gives up on every retry of the same order does not bury the admin in copies."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import utcnow
from core.models import Alert


def _open_alerts(session: Session, shop_id: int, kind: str, subject: str) -> Sequence[Alert]:
    return session.scalars(
        select(Alert).where(
            Alert.shop_id == shop_id,
            Alert.kind == kind,
            Alert.subject == subject,
            Alert.resolved_at.is_(None),
        )
    ).all()


def raise_alert(session: Session, *, shop_id: int, kind: str, subject: str, message: str) -> Alert:
    """Open an alert, or refresh the message of the one already open for this subject."""
    existing = _open_alerts(session, shop_id, kind, subject)
    if existing:
        existing[0].message = message
        return existing[0]
    alert = Alert(shop_id=shop_id, kind=kind, subject=subject, message=message)
    session.add(alert)
    return alert


def resolve_alerts(session: Session, *, shop_id: int, kind: str, subject: str) -> int:
    """Close the open alerts for a subject once the problem is gone (a retry succeeded)."""
    existing = _open_alerts(session, shop_id, kind, subject)
    for alert in existing:
        alert.resolved_at = utcnow()
    return len(existing)
