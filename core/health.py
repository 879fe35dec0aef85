"""GET /healthz (is this process able to serve?) and GET /metrics (Prometheus text)."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify

from core.outbox import status_counts
from core.services import services
from core.web import db_session

log = logging.getLogger(__name__)

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def healthz():
    """200 when the database and the job queue answer; 503 naming what does not."""
    svc = services()
    checks: dict[str, str] = {}
    for name, probe in (("database", svc.database.ping), ("jobs", svc.jobs.ping)):
        try:
            probe()
            checks[name] = "ok"
        except Exception as error:  # noqa: BLE001 - any failure means "not healthy"
            log.warning("health check %s failed: %s", name, error)
            checks[name] = "unavailable"
    healthy = all(value == "ok" for value in checks.values())
    return jsonify(
        status="ok" if healthy else "unavailable", checks=checks, jobs_backend=svc.jobs.backend
    ), (200 if healthy else 503)


@blueprint.get("/metrics")
def metrics():
    svc = services()
    outbox = status_counts(db_session())
    text = svc.metrics.render(
        job_outcomes=svc.jobs.outcomes(), queue_depth=svc.jobs.depth(), outbox_rows=outbox
    )
    return Response(text, mimetype="text/plain; version=0.0.4")
