"""Logs are one JSON object a line, carrying the request or job they belong to."""

from __future__ import annotations

import json
import logging

from core.logs import JsonFormatter, bind_log_context, configure_logging


def _format(message: str) -> dict:
    configure_logging("INFO")
    record = logging.getLogRecordFactory()(
        "cartpath.test", logging.WARNING, __file__, 1, message, (), None
    )
    return json.loads(JsonFormatter().format(record))


def test_a_line_is_json_with_its_context():
    with bind_log_context(request_id="req-12345678", shop="a.myshopify.com"):
        entry = _format("charged")
    assert entry["message"] == "charged"
    assert entry["level"] == "warning"
    assert entry["request_id"] == "req-12345678"
    assert entry["shop"] == "a.myshopify.com"
    assert "request_id" not in _format("outside")


def test_request_logs_carry_the_request_id(app, caplog):
    @app.get("/log-something")
    def log_something():
        logging.getLogger("cartpath.test").warning("inside the request")
        return "ok"

    formatter = JsonFormatter()
    with caplog.at_level(logging.WARNING, logger="cartpath.test"):
        response = app.test_client().get(
            "/log-something", headers={"X-Request-Id": "trace-abcdef12"}
        )
        lines = [
            json.loads(formatter.format(r)) for r in caplog.records if r.name == "cartpath.test"
        ]

    assert response.headers["X-Request-Id"] == "trace-abcdef12"
    assert lines[0]["request_id"] == "trace-abcdef12"
