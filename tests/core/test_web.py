"""The request plumbing: health, metrics, request ids, errors that leak nothing."""

from __future__ import annotations

from flask import Flask

from app import create_app
from core.services import services_of


def test_healthz_reports_database_and_jobs(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json == {
        "status": "ok",
        "checks": {"database": "ok", "jobs": "ok"},
        "jobs_backend": "in-process",
    }


def test_healthz_is_503_when_the_database_is_gone(make_config, tmp_path):
    app = create_app(make_config(database_url=f"sqlite:///{tmp_path}/missing/dir/x.db"))
    try:
        response = app.test_client().get("/healthz")
        assert response.status_code == 503
        assert response.json["checks"]["database"] == "unavailable"
    finally:
        services_of(app).close()


def test_metrics_count_requests_by_route_and_status(client):
    client.get("/healthz")
    client.get("/healthz")
    client.get("/no-such-page")

    text = client.get("/metrics").get_data(as_text=True)

    assert 'cartpath_http_requests_total{route="/healthz",method="GET",status="200"} 2' in text
    assert 'cartpath_http_requests_total{route="<unmatched>",method="GET",status="404"} 1' in text
    assert 'cartpath_outbox_rows{status="pending"} 0' in text
    assert "# TYPE cartpath_queue_jobs gauge" in text


def test_request_ids_are_echoed_or_made(client):
    given = client.get("/healthz", headers={"X-Request-Id": "abc123-request"})
    made = client.get("/healthz", headers={"X-Request-Id": "<script>"})

    assert given.headers["X-Request-Id"] == "abc123-request"
    assert len(made.headers["X-Request-Id"]) == 32
    assert "<" not in made.headers["X-Request-Id"]


def test_errors_are_json_for_apis_and_html_for_people(client):
    as_json = client.get("/nowhere", headers={"Accept": "application/json"})
    as_html = client.get("/nowhere", headers={"Accept": "text/html"})

    assert as_json.status_code == as_html.status_code == 404
    assert as_json.json["error"] == "Not Found"
    assert b"<h1>Not Found</h1>" in as_html.data


def test_an_unexpected_error_leaks_nothing(app: Flask):
    @app.get("/explode")
    def explode():
        raise RuntimeError("database password is hunter2")

    response = app.test_client().get("/explode", headers={"Accept": "application/json"})

    assert response.status_code == 500
    assert "hunter2" not in response.get_data(as_text=True)
    assert response.headers["X-Request-Id"] in response.json["message"]
