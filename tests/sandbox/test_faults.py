"""Fault injection and the control API, on a probe route added for the test."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests

from sandbox.server import create_sandbox_app
from tests.support.sandbox import SandboxControl
from tests.support.servers import serve


@pytest.fixture
def probe() -> Iterator[tuple[SandboxControl, list[str]]]:
    """A sandbox with one extra route that records each time its work is done."""
    app = create_sandbox_app()
    done: list[str] = []

    @app.post("/probe/orders")
    def create_order():
        done.append("order")
        return {"order": len(done)}, 201

    with serve(app) as served:
        yield SandboxControl(served.url), done


def test_status_fault_answers_without_doing_the_work(probe):
    control, done = probe
    control.fault(kind="status", path="^/probe/", status=429, retry_after=2, count=2)

    answers = [requests.post(f"{control.url}/probe/orders", timeout=5) for _ in range(3)]

    assert [a.status_code for a in answers] == [429, 429, 201]
    assert answers[0].headers["Retry-After"] == "2"
    assert done == ["order"]


def test_drop_does_the_work_and_the_client_sees_no_answer(probe):
    control, done = probe
    control.fault(kind="drop", path="^/probe/orders$", count=1)

    with pytest.raises(requests.ConnectionError):
        requests.post(f"{control.url}/probe/orders", timeout=5)

    assert done == ["order"], "the platform performed the request whose answer was lost"
    assert requests.post(f"{control.url}/probe/orders", timeout=5).status_code == 201


def test_timeout_holds_the_connection_past_the_client_deadline(probe):
    control, done = probe
    control.fault(kind="timeout", path="^/probe/", seconds=1.0)

    with pytest.raises(requests.Timeout):
        requests.post(f"{control.url}/probe/orders", timeout=0.3)

    time.sleep(1.0)
    assert done == []


def test_slow_answers_late_but_answers(probe):
    control, done = probe
    control.fault(kind="slow", path="^/probe/", seconds=0.3)

    started = time.monotonic()
    answer = requests.post(f"{control.url}/probe/orders", timeout=5)

    assert answer.status_code == 201
    assert time.monotonic() - started >= 0.3
    assert done == ["order"]


def test_probability_and_listing(probe):
    control, _ = probe
    rule = control.fault(kind="status", path="^/probe/", count=None, probability=0.5)

    statuses = [
        requests.post(f"{control.url}/probe/orders", timeout=5).status_code for _ in range(40)
    ]

    assert 5 < statuses.count(500) < 35
    listed = requests.get(f"{control.url}/_control/faults", timeout=5).json()["faults"]
    assert listed[0]["id"] == rule["id"]
    assert listed[0]["fired"] == statuses.count(500)
    control.clear_faults()
    assert requests.post(f"{control.url}/probe/orders", timeout=5).status_code == 201


@pytest.mark.parametrize(
    "rule",
    [
        {"kind": "explode"},
        {"kind": "status", "count": 0},
        {"kind": "status", "path": "("},
        {"kind": "status", "probability": 2},
        {"kind": "status", "colour": "red"},
    ],
)
def test_bad_fault_rules_are_refused_with_a_reason(probe, rule):
    control, _ = probe
    answer = requests.post(f"{control.url}/_control/faults", json=rule, timeout=5)
    assert answer.status_code == 400
    assert answer.json()["error"]
    assert requests.get(f"{control.url}/_control/faults", timeout=5).json()["faults"] == []


def test_clock_scales_and_advances(probe):
    control, _ = probe
    before = control.clock()["now"]
    control.clock(advance=3600)
    after_advance = control.clock(scale=0.01)["now"]
    time.sleep(0.2)
    later = requests.get(f"{control.url}/_control/clock", timeout=5).json()["now"]

    assert after_advance - before >= 3600
    assert later - after_advance >= 15, "0.2 s of real time is 20 s of platform time at 0.01"


def test_injected_errors_take_the_platform_s_shape_on_its_paths(sandbox):
    sandbox.fault(kind="status", status=503, path="graphql.json$")
    sandbox.fault(kind="status", status=503, path="^/stripe/")

    graphql = requests.post(
        f"{sandbox.url}/shopify/demo-shop.myshopify.com/admin/api/2025-10/graphql.json",
        json={"query": "{ shop { name } }"},
        timeout=5,
    )
    stripe = requests.get(f"{sandbox.url}/stripe/v1/customers", timeout=5)

    assert graphql.json()["errors"][0]["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert stripe.json()["error"]["type"] == "api_error"
