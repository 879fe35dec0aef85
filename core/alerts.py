"""Staff alerts: raised in the caller's transaction, at most one open per kind and subject,
so a job that gives up on every retry of the same order does not bury the admin in copies.
A new alert is also emailed to the shop's alert address, by an outbox job after commit."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.db import utcnow
from core.jobs import RetryPolicy, job
from core.mail import send_mail
from core.models import Alert, Shop
from core.outbox import defer
from core.services import services


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
    shop = session.get(Shop, shop_id)
    if shop is not None and shop.alert_email and services().config.smtp_url:
        session.flush()
        defer(session, email_alert, alert.id, shop_id=shop_id)
    return alert


def resolve_alerts(session: Session, *, shop_id: int, kind: str, subject: str) -> int:
    """Close the open alerts for a subject once the problem is gone (a retry succeeded)."""
    existing = _open_alerts(session, shop_id, kind, subject)
    for alert in existing:
        alert.resolved_at = utcnow()
    return len(existing)


@job(retry=RetryPolicy(max_attempts=5, backoff=(30, 120, 600, 1800)), timeout=60)
def email_alert(alert_id: int) -> None:
    """Email an alert to its shop's alert address, once (a failed send raises and retries)."""
    svc = services()
    with svc.database.session() as session:
        alert = session.get(Alert, alert_id)
        if alert is None or alert.emailed_at is not None:
            return
        shop = session.get(Shop, alert.shop_id)
        if not shop.alert_email or not svc.config.smtp_url:
            return  # the address or the server was removed since the alert was raised
        to, name = shop.alert_email, shop.name or shop.domain
        subject = f"Cartpath alert for {name}: {alert.kind.replace('_', ' ')}"
        body = (
            f"{alert.message}\n\nAbout: {alert.subject}\n\n"
            "Open Cartpath in your store's admin to see it and act on it.\n"
        )
    send_mail(svc.config, to=to, subject=subject, body=body)
    with svc.database.session() as session:
        session.get(Alert, alert_id).emailed_at = utcnow()
        session.commit()
