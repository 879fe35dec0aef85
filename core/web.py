"""Request plumbing every blueprint relies on: request ids, one DB session per
request, request metrics, and error pages that never leak internals.
"""

from __future__ import annotations

import logging
import time

from flask import Flask, g, jsonify, request
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException, InternalServerError

from core.logs import request_id_from, reset_log_context, set_log_context
from core.services import services

log = logging.getLogger(__name__)


def db_session() -> Session:
    """This request's session, opened on first use and closed at teardown."""
    if "db_session" not in g:
        g.db_session = services().database.sessions()
    return g.db_session


def init_app(app: Flask) -> None:
    app.before_request(_start_request)
    app.after_request(_finish_request)
    app.teardown_request(_close_session)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected_error)


def _start_request() -> None:
    g.request_id = request_id_from(request.headers.get("X-Request-Id"))
    g.log_token = set_log_context(request_id=g.request_id)
    g.started = time.perf_counter()


def _finish_request(response):
    response.headers["X-Request-Id"] = g.get("request_id", "")
    if response.mimetype == "text/html":
        # Only embedded admin pages may be framed, and they say by whom (admin/embedding.py).
        response.headers.setdefault("Content-Security-Policy", "frame-ancestors 'none'")
    route = request.url_rule.rule if request.url_rule else "<unmatched>"
    services().metrics.observe_request(
        route,
        request.method,
        response.status_code,
        time.perf_counter() - g.get("started", time.perf_counter()),
    )
    return response


def _close_session(_error: BaseException | None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()
    token = g.pop("log_token", None)
    if token is not None:
        reset_log_context(token)


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return request.is_json or best == "application/json" or not request.accept_mimetypes


def _http_error(error: HTTPException):
    message = error.description or error.name
    if _wants_json():
        response = jsonify(error=error.name, message=message)
    else:
        response = app_error_page(error.code or 500, error.name, message)
    response.status_code = error.code or 500
    return response


def _unexpected_error(error: Exception):
    log.exception("unhandled error")
    return _http_error(
        InternalServerError(
            f"Something went wrong on our side. Reference: {g.get('request_id', 'unknown')}"
        )
    )


def app_error_page(status: int, title: str, message: str):
    from flask import make_response, render_template

    return make_response(
        render_template("error.html", status=status, title=title, message=message), status
    )
