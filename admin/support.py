"""Support: the search box, the webhook log with its dedupe verdicts and replays (one, or
every failed one as a job with progress), and the audit log of staff actions.

Support staff may use all of it: a replay re-runs what the platform already sent, it
changes no merchant setting.
"""

from __future__ import annotations

from flask import Blueprint, abort, request
from sqlalchemy import func, select

from admin.paging import paginate
from admin.search import search as find
from admin.shell import current_shop, record_action, redirect_to, render_page, shop_record
from admin.timeline import staff_names
from auth.identity import current_identity, require_admin
from core.models import AuditLog, Outbox, WebhookEvent, WebhookStatus
from core.web import db_session
from webhooks import bulk_replay
from webhooks.process import replay

blueprint = Blueprint("admin_support", __name__, template_folder="templates")

SEARCH_HELP = "an email, an order number, a checkout token or a platform order id"
REPLAY_ALL = "webhooks.replay_all_failed"
STATUS_TONES = {
    WebhookStatus.RECEIVED: "info",
    WebhookStatus.PROCESSED: "success",
    WebhookStatus.IGNORED: "",
    WebhookStatus.FAILED: "critical",
}


@blueprint.get("/admin/support")
@require_admin()
def search():
    text = request.args.get("q")
    error, hits = None, None
    if text is not None:
        if not text.strip():
            error = f"Type {SEARCH_HELP} to search for."
        elif len(text) > 320:
            error = "That is too long to be an email, order number, token or id."
        else:
            hits = find(db_session(), current_shop(), text)
    response = render_page(
        "admin/support.html",
        title="Support",
        query=text or "",
        error=error,
        hits=hits,
        search_help=SEARCH_HELP,
    )
    if error:
        response.status_code = 400
    return response


@blueprint.get("/admin/support/webhooks")
@require_admin()
def webhooks():
    session, shop = db_session(), current_shop()
    status = request.args.get("status", "").strip()
    if status and status not in {s.value for s in WebhookStatus}:
        abort(400, f"Status must be one of: {', '.join(s.value for s in WebhookStatus)}.")
    event_id = request.args.get("event", "").strip()
    if event_id and not event_id.isdigit():
        abort(400, "Event must be a webhook event's number.")
    query = (
        select(WebhookEvent)
        .where(WebhookEvent.shop_id == shop.id)
        .order_by(WebhookEvent.received_at.desc(), WebhookEvent.id.desc())
    )
    if status:
        query = query.where(WebhookEvent.status == WebhookStatus(status))
    if event_id:
        query = query.where(WebhookEvent.id == int(event_id))
    failed = session.scalar(
        select(func.count(WebhookEvent.id)).where(
            WebhookEvent.shop_id == shop.id, WebhookEvent.status == WebhookStatus.FAILED
        )
    )
    return render_page(
        "admin/webhooks.html",
        title="Webhook log",
        page=paginate(session, query),
        filters={"status": status} if status else {},
        statuses=list(WebhookStatus),
        status_filter=status,
        tones=STATUS_TONES,
        failed=failed,
    )


@blueprint.post("/admin/support/webhooks/<int:event_id>/replay")
@require_admin()
def replay_one(event_id: int):
    session = db_session()
    event = shop_record(WebhookEvent, event_id, f"This shop has no webhook event {event_id}.")
    try:
        replay(session, event_id)
    except ValueError:
        abort(409, f"Webhook event {event_id} is {event.status.value}: only a failed one replays.")
    record_action(session, "webhook.replayed", f"webhook:{event_id}", {"topic": event.topic})
    session.commit()
    return redirect_to(
        "admin_support.webhooks", notice=f"Webhook {event.topic} ({event_id}) is being replayed."
    )


@blueprint.post("/admin/support/webhooks/replay-failed")
@require_admin()
def replay_failed():
    identity, session = current_identity(), db_session()
    event_ids = bulk_replay.failed_events(session, identity.shop_id)
    if not event_ids:
        return redirect_to("admin_support.webhooks", notice="No failed webhooks to replay.")
    outbox_id = bulk_replay.start(session, identity.shop_id, event_ids)
    entry = record_action(
        session, REPLAY_ALL, f"outbox:{outbox_id}", {"events": event_ids, "outbox": outbox_id}
    )
    session.commit()
    return redirect_to(
        "admin_support.replay_progress",
        run_id=entry.id,
        notice=f"Replaying {len(event_ids)} failed webhooks.",
    )


@blueprint.get("/admin/support/webhooks/replays/<int:run_id>")
@require_admin()
def replay_progress(run_id: int):
    """How far a replay-all run has got, read from its job and its events' statuses."""
    session, shop = db_session(), current_shop()
    run = session.get(AuditLog, run_id)
    if run is None or run.shop_id != shop.id or run.action != REPLAY_ALL:
        abort(404, f"This shop has no webhook replay {run_id}.")
    event_ids = run.details.get("events", [])
    counts = dict(
        session.execute(
            select(WebhookEvent.status, func.count())
            .where(WebhookEvent.shop_id == shop.id, WebhookEvent.id.in_(event_ids))
            .group_by(WebhookEvent.status)
        ).all()
    )
    job = session.get(Outbox, run.details.get("outbox"))
    finished = sum(counts.get(s, 0) for s in (WebhookStatus.PROCESSED, WebhookStatus.IGNORED))
    return render_page(
        "admin/replay_progress.html",
        title="Webhook replay",
        run=run,
        total=len(event_ids),
        finished=finished,
        waiting=counts.get(WebhookStatus.RECEIVED, 0),
        still_failed=counts.get(WebhookStatus.FAILED, 0),
        job_status=job.status.value if job else "unknown",
    )


@blueprint.get("/admin/support/audit")
@require_admin()
def audit_log():
    session, shop = db_session(), current_shop()
    action = request.args.get("action", "").strip()
    actions = session.scalars(
        select(AuditLog.action)
        .where(AuditLog.shop_id == shop.id)
        .distinct()
        .order_by(AuditLog.action)
    ).all()
    if action and action not in actions:
        abort(400, f"No staff action is called {action[:100]!r} in this shop's audit log.")
    query = (
        select(AuditLog)
        .where(AuditLog.shop_id == shop.id)
        .order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
    )
    if action:
        query = query.where(AuditLog.action == action)
    return render_page(
        "admin/audit.html",
        title="Audit log",
        page=paginate(session, query),
        filters={"action": action} if action else {},
        actions=actions,
        action_filter=action,
        staff=staff_names(session, shop.id),
    )
