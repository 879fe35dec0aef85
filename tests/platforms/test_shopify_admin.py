"""The Shopify Admin API client against the sandbox: one shop per thread, never mixed."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import shopify

from platforms.errors import RetriableError
from platforms.shopify.admin import GraphQLError, UnauthorizedError, activated, graphql
from platforms.shopify.admin import _check as check_answer

VERSION = "2025-10"
SHOPS = ("demo-shop.myshopify.com", "other-shop.myshopify.com")
QUERY = "{ shop { name myshopifyDomain } }"


@pytest.fixture
def tokens(sandbox) -> dict[str, str]:
    return {
        shop: sandbox.call("POST", "/shopify/install", {"shop": shop, "expiring": True})[
            "access_token"
        ]
        for shop in SHOPS
    }


def _domain(sandbox, shop: str, token: str) -> str:
    with activated(
        shop_base=f"{sandbox.url}/shopify/{shop}", api_version=VERSION, access_token=token
    ):
        return graphql(QUERY)["shop"]["myshopifyDomain"]


def test_a_query_reaches_the_shop_and_leaves_no_session_behind(sandbox, tokens):
    assert _domain(sandbox, SHOPS[0], tokens[SHOPS[0]]) == SHOPS[0]
    assert shopify.ShopifyResource.get_site() is None
    assert "X-Shopify-Access-Token" not in shopify.ShopifyResource.get_headers()


def test_many_threads_two_shops_each_call_reaches_its_own_shop(sandbox, tokens):
    # Each shop's token only works on that shop, so a mixed-up session would fail with
    # 401 or answer with the other shop's domain.
    calls = [SHOPS[i % 2] for i in range(120)]
    with ThreadPoolExecutor(max_workers=12) as pool:
        answers = list(pool.map(lambda shop: (shop, _domain(sandbox, shop, tokens[shop])), calls))

    assert all(asked == answered for asked, answered in answers)
    seen: list[object] = []
    fresh = threading.Thread(target=lambda: seen.append(shopify.ShopifyResource.get_site()))
    fresh.start()
    fresh.join()
    assert seen == [None], "a fresh thread inherits no shop's session"


def test_the_session_is_cleared_even_when_the_call_fails(sandbox, tokens):
    with pytest.raises(GraphQLError):
        with activated(
            shop_base=f"{sandbox.url}/shopify/{SHOPS[0]}",
            api_version=VERSION,
            access_token=tokens[SHOPS[0]],
        ):
            graphql("{ noSuchField }")
    assert shopify.ShopifyResource.get_site() is None


def test_another_shop_s_token_is_refused(sandbox, tokens):
    with pytest.raises(UnauthorizedError):
        _domain(sandbox, SHOPS[0], tokens[SHOPS[1]])


@pytest.mark.parametrize(
    "fault",
    [
        {"kind": "status", "status": 503},
        {"kind": "status", "status": 429, "retry_after": 2},
        {"kind": "drop"},
    ],
)
def test_transient_failures_are_retriable(sandbox, tokens, fault):
    sandbox.fault(path="graphql.json$", **fault)
    with pytest.raises(RetriableError) as raised:
        _domain(sandbox, SHOPS[0], tokens[SHOPS[0]])
    if fault.get("retry_after"):
        assert raised.value.retry_after == 2
    assert _domain(sandbox, SHOPS[0], tokens[SHOPS[0]]) == SHOPS[0]


def test_a_throttled_query_waits_until_the_bucket_holds_its_cost_and_no_longer():
    # A THROTTLED answer as Shopify sends it: HTTP 200, the cost and the bucket's state
    # (https://shopify.dev/docs/api/admin-graphql#rate-limits). 10 points missing at 100
    # points a second is a tenth of a second, not a whole one.
    throttled = {
        "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
        "extensions": {
            "cost": {
                "requestedQueryCost": 17,
                "actualQueryCost": None,
                "throttleStatus": {
                    "maximumAvailable": 2000.0,
                    "currentlyAvailable": 7,
                    "restoreRate": 100.0,
                },
            }
        },
    }
    with pytest.raises(RetriableError) as raised:
        check_answer(throttled)
    assert raised.value.retry_after == pytest.approx(0.1)
