"""Admin routes. Every one resolves the shop from the caller's verified credential."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, make_response, render_template, request
from sqlalchemy import select

from admin.embedding import embedded
from auth.identity import admin_token_for, current_identity, require_admin
from auth.models import Role, StaffMember
from core import audit
from core.models import Shop, ShopMode
from core.services import services
from core.web import db_session

blueprint = Blueprint("admin", __name__, template_folder="templates")

MODE_REASONS = {
    ShopMode.HOSTED: "Cartpath's own one-page checkout takes the shop's orders and writes "
    "each one back to the platform.",
    ShopMode.NATIVE: "Shopify's rules for public apps keep Shopify's own checkout "
    "(App Store requirement 1.1.2); Cartpath adds its upsells through "
    "Shopify's post-purchase extension.",
}


def _session_token_field() -> dict[str, str]:
    """What links and forms carry so the next request is authenticated too."""
    identity = current_identity()
    if request.values.get("id_token"):
        return {"id_token": request.values["id_token"]}
    return {"admin_token": admin_token_for(identity)}


@blueprint.get("/admin")
@require_admin()
def home():
    identity = current_identity()
    session = db_session()
    shop = session.get(Shop, identity.shop_id)
    staff = session.scalars(
        select(StaffMember)
        .where(StaffMember.shop_id == shop.id, StaffMember.removed_at.is_(None))
        .order_by(StaffMember.id)
    ).all()
    config = services().config
    page = render_template(
        "admin/home.html",
        shop=shop,
        identity=identity,
        staff=staff,
        roles=list(Role),
        mode_reason=MODE_REASONS[shop.mode],
        credential=_session_token_field(),
        app_bridge_url=config.shopify_app_bridge_url,
        api_key=config.shopify_api_key,
    )
    return embedded(make_response(page), identity)


@blueprint.get("/admin/api/session")
@require_admin()
def session_info():
    identity = current_identity()
    return jsonify(
        shop=identity.shop_domain,
        platform=identity.platform.value,
        role=identity.role.value,
        staff_id=identity.staff_id,
    )


@blueprint.post("/admin/staff/<int:staff_id>/role")
@require_admin(Role.OWNER)
def change_role(staff_id: int):
    identity = current_identity()
    session = db_session()
    member = session.get(StaffMember, staff_id)
    if member is None or member.shop_id != identity.shop_id:
        abort(404, "No such staff member in this shop.")
    try:
        role = Role(request.form.get("role", ""))
    except ValueError:
        abort(400, f"Choose a role: {', '.join(r.value for r in Role)}.")
    if member.id == identity.staff_id and role is not Role.OWNER:
        abort(400, "You cannot remove your own owner role.")
    previous = member.role
    member.role = role
    audit.record(
        session,
        shop_id=identity.shop_id,
        actor=identity.actor,
        action="staff.role_changed",
        target=f"staff:{member.id}",
        details={"from": previous.value, "to": role.value},
    )
    session.commit()
    return jsonify(staff_id=member.id, role=role.value)
