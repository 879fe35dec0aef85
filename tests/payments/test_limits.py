"""Sliding windows of payment attempts, in Redis (the real server) and in memory: the
same contract, and Redis agrees across concurrent callers."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from redis import Redis

from payments.limits import MemoryWindows, RedisWindows, Window


@pytest.fixture(params=["redis", "memory"])
def windows(request, redis_url):
    if request.param == "memory":
        yield MemoryWindows()
        return
    connection = Redis.from_url(redis_url)
    yield RedisWindows(connection)
    connection.close()


def test_a_window_admits_its_limit_then_says_how_long_to_wait(windows):
    window = [Window("cartpath:pay:checkout:1", 3, 60)]

    admitted = [windows.hit(window, now=1000.0 + i) for i in range(3)]
    refused = windows.hit(window, now=1010.0)

    assert admitted == [None, None, None]
    assert refused == pytest.approx(50.0), "the oldest attempt leaves the window at 1060"
    assert windows.hit(window, now=1060.5) is None, "the window slides"


def test_a_full_window_refuses_without_counting_in_the_others(windows):
    checkout = Window("cartpath:pay:checkout:2", 1, 60)
    shop = Window("cartpath:pay:shop:1", 5, 60)
    windows.hit([checkout, shop], now=0.0)

    for _ in range(3):
        assert windows.hit([checkout, shop], now=1.0) is not None
    other_checkout = Window("cartpath:pay:checkout:3", 1, 60)

    assert windows.hit([other_checkout, shop], now=2.0) is None
    assert windows.hit([Window("cartpath:pay:checkout:4", 9, 60), shop], now=3.0) is None
    assert windows.hit([Window("cartpath:pay:checkout:5", 9, 60), shop], now=4.0) is None
    assert windows.hit([Window("cartpath:pay:checkout:6", 9, 60), shop], now=5.0) is None
    assert windows.hit([Window("cartpath:pay:checkout:7", 9, 60), shop], now=6.0) is not None, (
        "the shop saw five admitted attempts; the refused ones did not count"
    )


def test_concurrent_attempts_never_exceed_the_limit(redis_url):
    window = [Window("cartpath:pay:ip:203.0.113.9", 10, 60)]

    def attempt(i: int) -> bool:
        connection = Redis.from_url(redis_url)
        try:
            return RedisWindows(connection).hit(window, now=500.0 + i / 1000) is None
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        admitted = sum(pool.map(attempt, range(40)))

    assert admitted == 10
