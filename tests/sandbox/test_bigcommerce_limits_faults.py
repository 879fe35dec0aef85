"""The store quota (headers, 429, window on the sandbox clock) and injected faults."""

from __future__ import annotations

import pytest
import requests
from bigcommerce.exception import RateLimitingException, ServerException

from tests.support.bigcommerce import (
    BILLING,
    DEMO_STORE,
    OTHER_STORE,
    connection,
    install,
    v2_api,
)


@pytest.fixture
def token(sandbox):
    return install(sandbox)["access_token"]


def test_every_answer_carries_the_quota_headers(sandbox, token):
    conn = connection(sandbox, token)

    conn.get("catalog/products", limit=1)
    first = dict(conn.rate_limit)
    conn.get("catalog/products", limit=1)

    assert first["window_size_ms"] == 30000
    assert first["requests_quota"] == 150, "Plus plan"
    assert conn.rate_limit["requests_remaining"] == first["requests_remaining"] - 1
    assert 0 < conn.rate_limit["ms_until_reset"] <= 30000
    other = connection(sandbox, install(sandbox, OTHER_STORE)["access_token"], OTHER_STORE)
    other.get("catalog/products")
    assert other.rate_limit["requests_quota"] == 450, "Pro plan"


def test_quota_used_up_answers_429_until_the_window_ends(sandbox, token):
    sandbox.call("POST", f"/bigcommerce/stores/{DEMO_STORE}/quota", {"quota": 3})
    conn = connection(sandbox, token)
    for _ in range(3):
        conn.get("catalog/products/111")

    with pytest.raises(RateLimitingException) as limited:
        conn.get("catalog/products/111")

    assert limited.value.response.status_code == 429
    assert limited.value.response.headers["X-Rate-Limit-Requests-Left"] == "0"
    assert 0 < int(limited.value.retry_after) <= 30000
    assert limited.value.response.json()["status"] == 429
    sandbox.clock(advance=30)
    assert conn.get("catalog/products/111")["data"]["id"] == 111


def test_the_clients_own_rate_limit_management_sees_the_headers(sandbox, token):
    sandbox.call("POST", f"/bigcommerce/stores/{DEMO_STORE}/quota", {"quota": 5})
    warned: list[dict] = []
    conn = connection(
        sandbox,
        token,
        rate_limiting_management={
            "min_requests_remaining": 2,
            "wait": False,
            "callback_function": warned.append,
            "callback_args": {"store": DEMO_STORE},
        },
    )

    for _ in range(3):
        conn.get("catalog/products/111")

    assert warned == [{"store": DEMO_STORE}]


def test_injected_500_and_429(sandbox, token):
    api = v2_api(sandbox, token)
    sandbox.fault(kind="status", path=f"^/bigcommerce/stores/{DEMO_STORE}/v2/orders$", status=500)
    with pytest.raises(ServerException):
        api.Orders.all()
    sandbox.fault(kind="status", path="/v2/orders$", status=429, retry_after=2)
    with pytest.raises(RateLimitingException) as busy:
        api.Orders.all()
    assert busy.value.response.headers["Retry-After"] == "2"
    assert "X-Rate-Limit-Requests-Left" not in busy.value.response.headers, (
        "platform load, not quota"
    )


def test_timeout_does_no_work(sandbox, token):
    conn = connection(sandbox, token)
    conn.timeout = 0.3
    sandbox.fault(kind="timeout", path="/v3/carts$", method="POST", seconds=1.0)

    with pytest.raises(requests.Timeout):
        conn.post("carts", {"line_items": [{"product_id": 112, "quantity": 1}]})

    assert sandbox.state()["bigcommerce"]["stores"][DEMO_STORE]["carts"] == []


def test_dropped_answer_still_created_the_order(sandbox, token):
    api = v2_api(sandbox, token)
    sandbox.fault(kind="drop", path="/v2/orders$", method="POST")

    with pytest.raises(requests.ConnectionError):
        api.Orders.create(
            billing_address=BILLING,
            products=[{"product_id": 112, "quantity": 1}],
            external_id="cp_lost",
        )

    orders = sandbox.state()["bigcommerce"]["stores"][DEMO_STORE]["orders"]
    assert [o["external_id"] for o in orders.values()] == ["cp_lost"]
    found = api.Orders.all(email=BILLING["email"])
    assert [o.external_id for o in found] == ["cp_lost"], (
        "a retry can find it before creating again"
    )
