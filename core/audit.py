"""Write an AuditLog row in the caller's transaction: the action and its record commit together."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from core.models import AuditLog


def record(
    session: Session,
    *,
    shop_id: int | None,
    actor: str,
    action: str,
    target: str = "",
    details: dict[str, Any] | None = None,
) -> AuditLog:
    entry = AuditLog(
        shop_id=shop_id, actor=actor, action=action, target=target, details=details or {}
    )
    session.add(entry)
    return entry
