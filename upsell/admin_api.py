"""The funnels' JSON API for the admin (and, until the designer exists, for merchants'
scripts and the demo seed). Owners and staff change funnels; support staff only read."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from sqlalchemy import select

from auth.identity import current_identity, require_admin
from auth.models import Role
from core.web import db_session
from upsell import service
from upsell.funnels import FunnelError
from upsell.models import Funnel, FunnelStatus

blueprint = Blueprint("upsell_admin", __name__)
EDITORS = (Role.OWNER, Role.STAFF)


@blueprint.errorhandler(FunnelError)
def _invalid(error: FunnelError):
    return jsonify(error="The funnel was not saved", errors=error.errors), 422


@blueprint.errorhandler(service.FunnelNotFound)
def _missing(error: service.FunnelNotFound):
    return jsonify(error="Not found", message=str(error)), 404


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise FunnelError({"": "Send the funnel as a JSON object."})
    return data


def _priority(data: dict[str, Any]) -> int | None:
    value = data.get("priority")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10_000:
        raise FunnelError({"priority": "Use a whole number from 0 (first) to 10000."})
    return value


def _funnel_json(funnel: Funnel, definition: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": funnel.id,
        "name": funnel.name,
        "status": funnel.status.value,
        "priority": funnel.priority,
        "version": funnel.version,
        "definition": definition,
    }


@blueprint.get("/admin/api/funnels")
@require_admin()
def list_funnels():
    session = db_session()
    funnels = session.scalars(
        select(Funnel)
        .where(Funnel.shop_id == current_identity().shop_id)
        .order_by(Funnel.priority, Funnel.id)
    ).all()
    return jsonify(
        funnels=[_funnel_json(f, service.current_version(session, f).definition) for f in funnels]
    )


@blueprint.post("/admin/api/funnels")
@require_admin(*EDITORS)
def create_funnel():
    identity = current_identity()
    data = _body()
    session = db_session()
    funnel = service.create_funnel(
        session,
        shop_id=identity.shop_id,
        actor=identity.actor,
        name=data.get("name"),
        definition=data.get("definition"),
        priority=_priority(data) or 100,
    )
    session.commit()
    return jsonify(_funnel_json(funnel, service.current_version(session, funnel).definition)), 201


@blueprint.get("/admin/api/funnels/<int:funnel_id>")
@require_admin()
def show_funnel(funnel_id: int):
    session = db_session()
    funnel = service.find_funnel(session, current_identity().shop_id, funnel_id)
    return jsonify(_funnel_json(funnel, service.current_version(session, funnel).definition))


@blueprint.put("/admin/api/funnels/<int:funnel_id>")
@require_admin(*EDITORS)
def edit_funnel(funnel_id: int):
    identity = current_identity()
    data = _body()
    session = db_session()
    funnel = service.find_funnel(session, identity.shop_id, funnel_id)
    service.edit_funnel(
        session,
        funnel,
        actor=identity.actor,
        name=data.get("name"),
        definition=data.get("definition"),
        priority=_priority(data),
    )
    session.commit()
    return jsonify(_funnel_json(funnel, service.current_version(session, funnel).definition))


@blueprint.post("/admin/api/funnels/<int:funnel_id>/status")
@require_admin(*EDITORS)
def change_status(funnel_id: int):
    identity = current_identity()
    data = _body()
    try:
        status = FunnelStatus(data.get("status"))
    except ValueError:
        raise FunnelError(
            {"status": f"Choose one of: {', '.join(s.value for s in FunnelStatus)}."}
        ) from None
    session = db_session()
    funnel = service.find_funnel(session, identity.shop_id, funnel_id)
    service.set_status(session, funnel, status, actor=identity.actor)
    session.commit()
    return jsonify(_funnel_json(funnel, service.current_version(session, funnel).definition))
