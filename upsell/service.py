"""Creating, editing and switching funnels: each edit adds a version, each change is audited.

Callers pass the shop id from the verified identity; every lookup is scoped by it, so
an id from another shop is simply not found.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core import audit
from upsell.funnels import FunnelError, as_json, parse_definition
from upsell.models import Funnel, FunnelStatus, FunnelVersion

MAX_NAME = 120


class FunnelNotFound(LookupError):
    pass


def funnel_name(raw: Any) -> str:
    """:raises FunnelError: keyed `name`, when it is empty or too long."""
    name = raw.strip() if isinstance(raw, str) else ""
    if not 0 < len(name) <= MAX_NAME:
        raise FunnelError({"name": f"Name the funnel in 1 to {MAX_NAME} characters."})
    return name


def find_funnel(session: Session, shop_id: int, funnel_id: int) -> Funnel:
    funnel = session.scalar(select(Funnel).where(Funnel.id == funnel_id, Funnel.shop_id == shop_id))
    if funnel is None:
        raise FunnelNotFound(f"No funnel {funnel_id} in this shop.")
    return funnel


def current_version(session: Session, funnel: Funnel) -> FunnelVersion:
    return session.scalars(
        select(FunnelVersion).where(
            FunnelVersion.funnel_id == funnel.id, FunnelVersion.number == funnel.version
        )
    ).one()


def create_funnel(
    session: Session, *, shop_id: int, actor: str, name: Any, definition: Any, priority: int = 100
) -> Funnel:
    """:raises FunnelError: a bad name or definition (nothing is written)."""
    checked = as_json(parse_definition(definition))
    funnel = Funnel(shop_id=shop_id, name=funnel_name(name), priority=priority, version=1)
    session.add(funnel)
    session.flush()
    session.add(
        FunnelVersion(
            funnel_id=funnel.id, shop_id=shop_id, number=1, definition=checked, created_by=actor
        )
    )
    audit.record(
        session, shop_id=shop_id, actor=actor, action="funnel.created", target=f"funnel:{funnel.id}"
    )
    return funnel


def edit_funnel(
    session: Session,
    funnel: Funnel,
    *,
    actor: str,
    name: Any = None,
    definition: Any = None,
    priority: int | None = None,
) -> Funnel:
    """A new version when the definition changes; orders keep the version they saw."""
    if name is not None:
        funnel.name = funnel_name(name)
    if priority is not None:
        funnel.priority = priority
    if definition is not None:
        checked = as_json(parse_definition(definition))
        if checked != current_version(session, funnel).definition:
            funnel.version += 1
            session.add(
                FunnelVersion(
                    funnel_id=funnel.id,
                    shop_id=funnel.shop_id,
                    number=funnel.version,
                    definition=checked,
                    created_by=actor,
                )
            )
    audit.record(
        session,
        shop_id=funnel.shop_id,
        actor=actor,
        action="funnel.edited",
        target=f"funnel:{funnel.id}",
        details={"version": funnel.version},
    )
    return funnel


# The audit log's word for each switch (the Funnels page's Activate and Pause).
STATUS_ACTIONS = {
    FunnelStatus.ACTIVE: "funnel.activated",
    FunnelStatus.PAUSED: "funnel.paused",
    FunnelStatus.DRAFT: "funnel.drafted",
}


def set_status(session: Session, funnel: Funnel, status: FunnelStatus, *, actor: str) -> Funnel:
    previous = funnel.status
    funnel.status = status
    audit.record(
        session,
        shop_id=funnel.shop_id,
        actor=actor,
        action=STATUS_ACTIONS[status],
        target=f"funnel:{funnel.id}",
        details={"from": previous.value, "to": status.value},
    )
    return funnel


def active_funnels(session: Session, shop_id: int) -> list[tuple[Funnel, FunnelVersion]]:
    """The shop's active funnels with their current versions, in the order they are tried."""
    rows = session.execute(
        select(Funnel, FunnelVersion)
        .join(
            FunnelVersion,
            (FunnelVersion.funnel_id == Funnel.id) & (FunnelVersion.number == Funnel.version),
        )
        .where(Funnel.shop_id == shop_id, Funnel.status == FunnelStatus.ACTIVE)
        .order_by(Funnel.priority, Funnel.id)
    ).all()
    return [(funnel, version) for funnel, version in rows]
