"""The remembered gateway status, in Redis (the real server) and in one process's memory:
the same contract (one claim per interval, even among concurrent callers; Check again claims
anyway; the answer comes back as kept), and apps sharing a Redis ask the sandbox's Stripe
once between them."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from flask import Flask
from redis import Redis

from app import create_app
from core.services import services_of
from payments.connection import Connection, GatewayStatus
from payments.remembered_status import (
    ProcessStatusMemory,
    RedisStatusMemory,
    StatusMemory,
    account_fingerprint,
    remembered_status,
)
from sandbox.demo_credentials import STRIPE_PUBLISHABLE_KEY, STRIPE_SECRET_KEY

ANSWER = GatewayStatus(
    Connection.REFUSED, "stripe", "Keys refused.", datetime(2026, 5, 4, 3, 2, 1, tzinfo=UTC)
)


@pytest.fixture
def redis(redis_url) -> Iterator[Redis]:
    connection = Redis.from_url(redis_url)
    yield connection
    connection.close()


@pytest.fixture(params=["redis", "memory"])
def memory(request) -> StatusMemory:
    if request.param == "memory":
        return ProcessStatusMemory()
    return RedisStatusMemory(request.getfixturevalue("redis"), "account-a")


def test_one_claim_per_interval_then_another(memory):
    first, second = memory.claim(0.3), memory.claim(0.3)
    time.sleep(0.4)

    assert (first, second) == (True, False)
    assert memory.claim(0.3), "the interval is over"


def test_check_again_claims_inside_the_interval_and_starts_a_new_one(memory):
    memory.claim(60)

    forced = memory.claim(0.3, force=True)
    refused = memory.claim(0.3)
    time.sleep(0.4)

    assert forced
    assert not refused
    assert memory.claim(0.3), "the forced claim's interval replaced the minute"


def test_concurrent_callers_get_one_claim(memory):
    with ThreadPoolExecutor(max_workers=8) as pool:
        claims = list(pool.map(lambda _: memory.claim(60), range(24)))

    assert claims.count(True) == 1


def test_the_answer_comes_back_as_kept(memory):
    assert memory.recall() is None

    memory.keep(ANSWER)

    assert memory.recall() == ANSWER


def test_accounts_are_apart_and_an_unreadable_answer_is_no_answer(redis):
    account_a, account_b = RedisStatusMemory(redis, "a"), RedisStatusMemory(redis, "b")
    account_a.keep(ANSWER)
    account_a.claim(60)

    assert account_b.recall() is None
    assert account_b.claim(60)
    redis.set("cartpath:gateway-status:a", b"{not json")
    assert account_a.recall() is None


def test_the_fingerprint_names_the_account_without_its_key(make_config):
    config = make_config(stripe_secret_key=STRIPE_SECRET_KEY)

    fingerprint = account_fingerprint(config)

    assert STRIPE_SECRET_KEY not in fingerprint
    assert fingerprint == account_fingerprint(config.with_overrides())
    assert fingerprint != account_fingerprint(config.with_overrides(stripe_secret_key="sk_x"))


@pytest.fixture
def apps_sharing_redis(make_config, redis_url, sandbox) -> Iterator[list[Flask]]:
    """Two Cartpath processes (as two web servers) on one Redis and the sandbox's Stripe."""
    config = make_config(
        redis_url=redis_url,
        stripe_secret_key=STRIPE_SECRET_KEY,
        stripe_publishable_key=STRIPE_PUBLISHABLE_KEY,
        stripe_api_base=f"{sandbox.url}/stripe",
    )
    apps = [create_app(config), create_app(config)]
    yield apps
    for application in apps:
        services_of(application).close()


def test_processes_sharing_redis_ask_stripe_once(apps_sharing_redis, sandbox):
    calls = sandbox.count_requests(r"^/stripe/v1/balance$")

    answers = []
    for application in apps_sharing_redis * 2:
        with application.app_context():
            answers.append(remembered_status(services_of(application).config))

    assert calls() == 1
    assert {answer.connection for answer in answers} == {Connection.CONNECTED}
    assert len({answer.checked_at for answer in answers}) == 1, "one answer, read by all"
