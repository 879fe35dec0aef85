"""Every admin route that takes an id refuses another shop's: whatever id a staff member
of one shop sends, with whichever method, another shop's record is neither shown nor
changed. The routes are read from the app itself, so a new route with an id is checked
the day it is added (and fails here until its kind of id has a record to try)."""

from __future__ import annotations

import re
from collections.abc import Callable

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from auth.models import Role, StaffMember
from checkout.models import ExportStatus, OrderExport
from core.db import utcnow
from core.models import AuditLog, Platform, WebhookEvent, WebhookStatus
from core.services import services_of
from tests.support.admin import admin_client
from tests.support.ledger import funnel_version, placed_order, started_checkout
from upsell.models import Funnel, FunnelStatus

ARGUMENT = re.compile(r"<(?:(\w+):)?(\w+)>")


def _webhook_event(session: Session, shop_id: int) -> int:
    event = WebhookEvent(
        shop_id=shop_id,
        platform=Platform.BIGCOMMERCE,
        topic="store/order/created",
        event_key="tenancy-1",
        headers={},
        body="{}",
        status=WebhookStatus.FAILED,
        error="the store did not answer",
    )
    session.add(event)
    session.flush()
    return event.id


def _replay_run(session: Session, shop_id: int) -> int:
    run = AuditLog(
        shop_id=shop_id, actor="staff:0", action="webhooks.replay_all_failed", details={}
    )
    session.add(run)
    session.flush()
    return run.id


def _export(session: Session, shop_id: int) -> int:
    export = OrderExport(
        shop_id=shop_id,
        requested_by="staff:0",
        status=ExportStatus.DONE,
        content="reference,email\nCPX,secret@example.com\n",
        finished_at=utcnow(),
    )
    session.add(export)
    session.flush()
    return export.id


def _staff(session: Session, shop_id: int) -> int:
    return session.scalars(select(StaffMember.id).where(StaffMember.shop_id == shop_id)).first()


# One record of the other shop for each kind of id an admin route takes.
RECORDS: dict[str, Callable[[Session, int], int]] = {
    "funnel_id": lambda s, shop: funnel_version(s, shop, name="Theirs").funnel_id,
    "checkout_id": lambda s, shop: started_checkout(s, shop, at=utcnow()).id,
    "order_id": lambda s, shop: placed_order(s, shop, "10.00", at=utcnow()).id,
    "export_id": _export,
    "staff_id": _staff,
    "event_id": _webhook_event,
    "run_id": _replay_run,
}
# Arguments that are not ids of records (an offer's key inside a funnel).
OTHER_ARGUMENTS = {"key": "a"}


def _body(method: str, rule: str) -> dict:
    """A well-formed change, so that only the id can be why it is refused."""
    if method == "GET":
        return {}
    if rule.startswith("/admin/api/"):
        return {"json": {"status": "paused", "name": "Mine now", "definition": {}}}
    return {"data": {"role": "support", "status": "paused"}}


def _routes_with_ids(app) -> list[tuple[str, str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        names = [name for _converter, name in ARGUMENT.findall(rule.rule)]
        if not rule.rule.startswith("/admin") or rule.endpoint.endswith(".static"):
            continue
        if not set(names) - set(OTHER_ARGUMENTS):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((method, rule.rule, rule.endpoint))
    return routes


def test_every_admin_route_with_an_id_refuses_another_shops(cartpath):
    cartpath.install_shopify()
    theirs = cartpath.install_bigcommerce()
    with services_of(cartpath.app).database.session() as session:
        ids = {name: make(session, theirs) for name, make in RECORDS.items()}
        session.commit()
    routes = _routes_with_ids(cartpath.app)
    ours = admin_client(cartpath, role=Role.OWNER)
    token = ours.token()

    refused = {}
    for method, rule, endpoint in routes:
        path = ARGUMENT.sub(
            lambda match: str(ids.get(match.group(2), OTHER_ARGUMENTS.get(match.group(2)))),
            rule,
        )
        assert "None" not in path, f"{endpoint}: add a record for its id to RECORDS"
        answer = requests.request(
            method,
            cartpath.url + path,
            headers={"Authorization": f"Bearer {token}"},
            **_body(method, rule),
            timeout=15,
        )
        refused[f"{method} {rule}"] = answer.status_code

    assert routes, "the admin has routes that take ids"
    assert {route: status for route, status in refused.items() if status != 404} == {}
    with services_of(cartpath.app).database.session() as session:
        assert session.get(StaffMember, ids["staff_id"]).role is Role.OWNER
        assert session.get(Funnel, ids["funnel_id"]).status is FunnelStatus.ACTIVE
        assert session.get(WebhookEvent, ids["event_id"]).status is WebhookStatus.FAILED
