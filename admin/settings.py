"""Settings: the shop's mode and why, whether payments can be taken, the storefront
hand-off switch, where staff alerts are emailed, and an export of the shop's orders.

Owner and staff may set the alert address; the hand-off switch and the export (every
shopper's email in one file) are the owner's. Support sees the page read-only. The payments
status is the remembered answer (payments/remembered_status.py) and anyone may ask again;
a running export refreshes its own small page, so watching it costs no gateway call.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, request

from admin.exports import finished_export, latest_export, start_export
from admin.mode import MODE_REASONS
from admin.notifications import AlertEmailError, set_alert_email
from admin.shell import current_shop, redirect_to, render_page, shop_record
from auth.identity import current_identity, require_admin
from auth.models import Role
from checkout.models import ExportStatus, OrderExport
from checkout.storefront import HandoffSwitchError, effective_handoff, set_handoff
from core.models import ShopMode, StorefrontHandoff
from core.services import services
from core.web import db_session
from payments.remembered_status import remembered_status

blueprint = Blueprint("admin_settings", __name__)

HANDOFF_CHOICES = {
    StorefrontHandoff.OFF: "Off: shoppers use the platform's own checkout.",
    StorefrontHandoff.TEST: "Test: only visitors who opened the shop with ?cartpath_test=1.",
    StorefrontHandoff.ON: "On: every shopper's cart goes to Cartpath's checkout.",
}


@blueprint.get("/admin/settings")
@require_admin()
def settings():
    return _page(alert_email=None, errors={})


@blueprint.post("/admin/settings/gateway-check")
@require_admin()
def check_gateway():
    """Ask the gateway now, whatever the age of the remembered answer (Check again)."""
    if current_shop().mode is not ShopMode.HOSTED:
        abort(409, "Shopify's checkout takes this shop's payments: there is no gateway to check.")
    status = remembered_status(services().config, check_now=True)
    return redirect_to(
        "admin_settings.settings", notice=f"The card gateway was checked: {status.connection}."
    )


@blueprint.post("/admin/settings/handoff")
@require_admin(Role.OWNER)
def change_handoff():
    identity = current_identity()
    session = db_session()
    try:
        value = set_handoff(
            session, current_shop(), request.form.get("handoff", ""), actor=identity.actor
        )
    except HandoffSwitchError as error:
        abort(error.status, str(error))
    session.commit()
    return redirect_to("admin_settings.settings", notice=f"The storefront hand-off is {value}.")


@blueprint.post("/admin/settings/alert-email")
@require_admin(Role.OWNER, Role.STAFF)
def change_alert_email():
    identity = current_identity()
    session = db_session()
    typed = request.form.get("alert_email", "")
    try:
        address = set_alert_email(session, current_shop(), typed, actor=identity.actor)
    except AlertEmailError as error:
        session.rollback()
        return _page(alert_email=typed, errors={"alert_email": str(error)}), 422
    session.commit()
    notice = f"Staff alerts go to {address}." if address else "Staff alerts are not emailed."
    return redirect_to("admin_settings.settings", notice=notice)


@blueprint.post("/admin/settings/exports")
@require_admin(Role.OWNER)
def export_orders():
    identity = current_identity()
    session = db_session()
    export = start_export(session, identity.shop_id, actor=identity.actor)
    session.commit()
    return redirect_to(
        "admin_settings.export_progress",
        export_id=export.id,
        notice="Exporting your orders: the file appears here when it is ready.",
    )


@blueprint.get("/admin/settings/exports/<int:export_id>")
@require_admin()
def export_progress(export_id: int):
    """One export's progress on a page of its own, which refreshes itself (a meta refresh,
    no JavaScript) while the export runs; the Settings page itself stays still."""
    return render_page(
        "admin/export_progress.html",
        title="Orders export",
        export=shop_record(OrderExport, export_id, "No such export in this shop."),
        is_owner=current_identity().role is Role.OWNER,
    )


@blueprint.get("/admin/settings/exports/<int:export_id>/orders.csv")
@require_admin(Role.OWNER)
def download_export(export_id: int):
    identity = current_identity()
    export = finished_export(db_session(), identity.shop_id, export_id)
    if export is None:
        abort(404, "No such export in this shop.")
    filename = f"orders-{identity.shop_domain.split('.')[0]}-{export.id}.csv"
    return Response(
        export.content,
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def _page(*, alert_email: str | None, errors: dict[str, str]):
    session = db_session()
    shop = current_shop()
    identity = current_identity()
    export = latest_export(session, shop.id)
    hosted = shop.mode is ShopMode.HOSTED
    return render_page(
        "admin/settings.html",
        title="Settings",
        mode_reason=MODE_REASONS[shop.mode],
        hosted=hosted,
        gateway=remembered_status(services().config) if hosted else None,
        check_interval=_duration(services().config.gateway_check_interval),
        handoff=effective_handoff(shop),
        handoff_choices=HANDOFF_CHOICES,
        alert_email=shop.alert_email if alert_email is None else alert_email,
        mail_enabled=bool(services().config.smtp_url),
        errors=errors,
        export=export,
        export_running=export is not None and export.status is ExportStatus.RUNNING,
        is_owner=identity.role is Role.OWNER,
    )


def _duration(seconds: float) -> str:
    """`seconds` for a person: "5 minutes", "1 minute", "30 seconds"."""
    count, unit = (round(seconds / 60), "minute") if seconds >= 60 else (round(seconds), "second")
    return f"{count} {unit}{'s' if count != 1 else ''}"
