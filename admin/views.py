"""Admin routes. Every one resolves the shop from the caller's verified credential."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from admin.charts import HEIGHT, WIDTH, revenue_bars
from admin.checklist import setup_steps
from admin.period import requested_days
from admin.shell import current_shop, record_action, redirect_to, render_page, shop_record
from analytics.figures import offer_id, parse_offer_id
from analytics.metrics import PERIODS, period_metrics
from auth.identity import current_identity, require_admin
from auth.models import Role, StaffMember
from core.services import services
from core.web import db_session
from upsell.models import Funnel, FunnelVersion

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
    session = db_session()
    shop = current_shop()
    days, calendar = requested_days(), shop.calendar
    metrics = period_metrics(session, shop.id, days, calendar.today(), calendar=calendar)
    session.commit()  # keep the days rolled up on this first read
    staff = session.scalars(
        select(StaffMember)
        .where(StaffMember.shop_id == shop.id, StaffMember.removed_at.is_(None))
        .order_by(StaffMember.id)
    ).all()
    return render_page(
        "admin/home.html",
        title="Home",
        steps=setup_steps(session, shop, services().config),
        metrics=metrics,
        periods=PERIODS,
        bars=revenue_bars(metrics.series, shop.locale),
        chart_size=(WIDTH, HEIGHT),
        offer_names=_offer_names(session, shop.id, {o.offer_id for o in metrics.offers}),
        staff=staff,
        roles=list(Role),
    )


def _offer_names(session: Session, shop_id: int, ids: set[str]) -> dict[str, str]:
    """The offers `ids` (analytics.figures.offer_id) named for people: funnel, version
    and headline."""
    versions = {v for v, _ in map(parse_offer_id, ids) if v is not None}
    if not versions:
        return {}
    rows = session.execute(
        select(FunnelVersion.id, FunnelVersion.number, FunnelVersion.definition, Funnel.name)
        .join(Funnel, Funnel.id == FunnelVersion.funnel_id)
        .where(FunnelVersion.shop_id == shop_id, FunnelVersion.id.in_(versions))
    ).all()
    names = {}
    for version_id, number, definition, funnel in rows:
        for key, offer in (definition.get("offers") or {}).items():
            headline = offer.get("headline") or key
            names[offer_id(version_id, key)] = f"{funnel} (v{number}): {headline}"
    return names


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
    member = shop_record(StaffMember, staff_id, "No such staff member in this shop.")
    try:
        role = Role(request.form.get("role", ""))
    except ValueError:
        abort(400, f"Choose a role: {', '.join(r.value for r in Role)}.")
    if member.id == identity.staff_id and role is not Role.OWNER:
        abort(400, "You cannot remove your own owner role.")
    previous = member.role
    member.role = role
    record_action(
        session,
        "staff.role_changed",
        f"staff:{member.id}",
        {"from": previous.value, "to": role.value},
    )
    session.commit()
    who = member.email or f"user {member.platform_user_id}"
    return redirect_to("admin.home", notice=f"{who} is now {role.value}.")
