"""Checkout design: the theme settings in a form beside a live preview of the draft.

Save keeps a validated draft (the preview shows it, shoppers do not), Publish makes the
draft what shoppers see, Revert throws the draft away. Owner and staff edit; support sees
the same page read-only.
"""

from __future__ import annotations

from flask import Blueprint, request
from sqlalchemy.orm import Session

from admin.design_form import form_values, settings_from_form
from admin.shell import admin_url, record_action, redirect_to, render_page
from auth.identity import current_identity, require_admin
from auth.models import Role
from checkout import design
from checkout.theme import FONT_STACKS, LAYOUTS, TEXT_LIMITS, TRUST_BADGES, ThemeError
from core.web import db_session

blueprint = Blueprint("admin_design", __name__)

EDITORS = (Role.OWNER, Role.STAFF)
PREVIEW_WIDTHS = ("desktop", "mobile")


@blueprint.get("/admin/design")
@require_admin()
def designer():
    state = design.design_state(db_session(), current_identity().shop_id)
    return _page(form_values(state.draft.to_settings()), errors={}, state=state)


@blueprint.post("/admin/design")
@require_admin(*EDITORS)
def save():
    identity = current_identity()
    session = db_session()
    settings = settings_from_form(request.form)
    before = design.draft_theme(session, identity.shop_id).to_settings()
    try:
        saved = design.save_draft(session, identity.shop_id, settings).to_settings()
    except ThemeError as error:
        session.rollback()
        state = design.design_state(session, identity.shop_id)
        return _page(form_values(settings), errors=error.errors, state=state), 422
    changed = sorted(k for k in saved if saved[k] != before[k])
    return _done(
        session,
        "design.saved",
        "Draft saved. The preview shows it; publish it to show it to shoppers.",
        changed=changed,
    )


@blueprint.post("/admin/design/publish")
@require_admin(*EDITORS)
def publish():
    session = db_session()
    design.publish(session, current_identity().shop_id)
    return _done(session, "design.published", "Published: shoppers now see this design.")


@blueprint.post("/admin/design/revert")
@require_admin(*EDITORS)
def revert():
    session = db_session()
    design.revert(session, current_identity().shop_id)
    return _done(
        session, "design.reverted", "Draft discarded: the design is the published one again."
    )


def _page(values: dict[str, object], *, errors: dict[str, str], state: design.DesignState):
    width = _width()
    return render_page(
        "admin/designer.html",
        title="Checkout design",
        values=values,
        errors=errors,
        state=state,
        fonts=list(FONT_STACKS),
        layouts=LAYOUTS,
        badges=TRUST_BADGES,
        limits=TEXT_LIMITS,
        width=width,
        preview_widths=PREVIEW_WIDTHS,
        preview_url=admin_url("checkout.preview"),
    )


def _width() -> str:
    """The preview width the merchant chose (a link without JavaScript, kept across saves)."""
    wanted = request.values.get("preview", "")
    return wanted if wanted in PREVIEW_WIDTHS else PREVIEW_WIDTHS[0]


def _done(session: Session, action: str, notice: str, **details: object):
    """Audit the change, commit it, and show the designer again with `notice`."""
    record_action(session, action, f"shop:{current_identity().shop_id}", details)
    session.commit()
    return redirect_to("admin_design.designer", notice=notice, preview=_width())
