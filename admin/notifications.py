"""Where a shop's staff alerts go: one address per shop, set from Settings."""

from __future__ import annotations

from sqlalchemy.orm import Session

from checkout.updates import is_email
from core import audit
from core.models import Shop


class AlertEmailError(ValueError):
    """The address cannot be used; the message says what to type instead."""


def set_alert_email(session: Session, shop: Shop, value: str, *, actor: str) -> str | None:
    """Store the address (empty: stop emailing alerts), audited.

    :raises AlertEmailError: not an email address.
    """
    address = value.strip() or None
    if address is not None and not is_email(address):
        raise AlertEmailError(
            "Enter an email address like alerts@your-store.com, or leave it empty."
        )
    previous, shop.alert_email = shop.alert_email, address
    if previous != address:
        audit.record(
            session,
            shop_id=shop.id,
            actor=actor,
            action="settings.alert_email_changed",
            target=f"shop:{shop.id}",
            details={"from": previous, "to": address},
        )
    return address
