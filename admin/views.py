"""Admin routes. Every one resolves the shop from the caller's verified credential."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, request
from sqlalchemy import select

from admin.mode import MODE_REASONS
from admin.shell import redirect_to, render_page
from auth.identity import current_identity, require_admin
from auth.models import Role, StaffMember
from core import audit
from core.models import Shop
from core.web import db_session

blueprint = Blueprint(
    "admin",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/admin/static",
)


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
    return render_page(
        "admin/home.html",
        title="Home",
        staff=staff,
        roles=list(Role),
        mode_reason=MODE_REASONS[shop.mode],
    )


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
    who = member.email or f"user {member.platform_user_id}"
    return redirect_to("admin.home", notice=f"{who} is now {role.value}.")
