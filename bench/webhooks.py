"""Webhook intake against a bare Flask endpoint, and an RQ worker's memory over many events.

Both servers run under gunicorn with the same settings; the load comes from this
process with a fixed number of concurrent clients. Cartpath verifies the HMAC,
records the event in PostgreSQL and enqueues its processing on Redis; the baseline
only reads the body. Goals (issue 6): at least half the baseline's throughput, p99
under 50 ms at that load, and a worker whose memory does not grow with the events
it has processed. BENCH_WEBHOOK_EVENTS sets how many events the worker processes.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from cryptography.fernet import Fernet
from redis import Redis
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from bench.harness import Comparison
from bench.processes import python, rss_kib, running
from core.db import utcnow
from core.models import Platform, Shop, WebhookEvent, WebhookStatus
from sandbox.shopify.signing import webhook_hmac
from tests.support.cartpath import free_port
from tests.support.database import throwaway_database

SECRET = "bench-shopify-secret-" + "b" * 32
SHOP = "bench-shop.myshopify.com"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")
CLIENTS = 8
REQUESTS_PER_ROUND = 600
ROUNDS = 2


def _order_payload(n: int) -> bytes:
    lines = [
        {
            "id": 10_000 + i,
            "variant_id": 40_000 + i,
            "title": f"Item {i}",
            "quantity": 1,
            "price": "19.99",
            "sku": f"SKU-{i}",
        }
        for i in range(8)
    ]
    return json.dumps(
        {
            "id": n,
            "name": f"#{n}",
            "email": f"buyer{n}@example.com",
            "currency": "USD",
            "total_price": "159.92",
            "financial_status": "paid",
            "updated_at": "2026-11-20T10:00:00Z",
            "line_items": lines,
        }
    ).encode()


def _delivery(n: int) -> tuple[dict[str, str], bytes]:
    body = _order_payload(n)
    return {
        "Content-Type": "application/json",
        "X-Shopify-Topic": "orders/paid",
        "X-Shopify-Hmac-Sha256": webhook_hmac(body, SECRET),
        "X-Shopify-Shop-Domain": SHOP,
        "X-Shopify-Webhook-Id": str(uuid.uuid4()),
        "X-Shopify-Event-Id": str(uuid.uuid4()),
        "X-Shopify-API-Version": "2025-10",
    }, body


def _load(url: str, count: int, start: int) -> tuple[float, list[float]]:
    """Send `count` deliveries with CLIENTS concurrent sessions: (requests/s, latencies)."""
    deliveries = [_delivery(start + n) for n in range(count)]
    sessions = [requests.Session() for _ in range(CLIENTS)]

    def send(index: int) -> float:
        headers, body = deliveries[index]
        began = time.perf_counter()
        answer = sessions[index % CLIENTS].post(url, data=body, headers=headers, timeout=10)
        elapsed = time.perf_counter() - began
        if answer.status_code != 200:
            raise RuntimeError(f"{url} answered {answer.status_code}")
        return elapsed

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        latencies = list(pool.map(send, range(count)))
    return count / (time.perf_counter() - began), latencies


def _seed(url: str) -> None:
    engine = create_engine(url)
    with Session(engine) as session:
        session.add(Shop(platform=Platform.SHOPIFY, domain=SHOP, installed_at=utcnow()))
        session.commit()
    engine.dispose()


def _processed(url: str) -> int:
    engine = create_engine(url)
    with Session(engine) as session:
        count = (
            session.scalar(
                select(func.count())
                .select_from(WebhookEvent)
                .where(WebhookEvent.status == WebhookStatus.PROCESSED)
            )
            or 0
        )
    engine.dispose()
    return count


def run() -> list[Comparison]:
    Redis.from_url(REDIS_URL).flushdb()
    with (
        tempfile.TemporaryDirectory() as directory,
        throwaway_database("postgresql", Path(directory)) as database_url,
    ):
        _seed(database_url)
        env = {
            "DATABASE_URL": database_url,
            "REDIS_URL": REDIS_URL,
            "CARTPATH_SECRET_KEY": "bench-secret-key-" + "k" * 32,
            "CARTPATH_ENCRYPTION_KEY": Fernet.generate_key().decode(),
            "SHOPIFY_API_KEY": "bench-key",
            "SHOPIFY_API_SECRET": SECRET,
            "CARTPATH_LOG_LEVEL": "WARNING",
            "CARTPATH_INSTANCE_PATH": directory,
        }
        cartpath_port, bare_port = free_port(), free_port()
        gunicorn = ["--workers", "2", "--threads", "4"]
        with (
            running(
                python(
                    "-m",
                    "gunicorn",
                    "-b",
                    f"127.0.0.1:{bare_port}",
                    *gunicorn,
                    "bench.bare_app:app",
                ),
                env,
                f"http://127.0.0.1:{bare_port}/",
            ),
            running(
                python(
                    "-m",
                    "gunicorn",
                    "-b",
                    f"127.0.0.1:{cartpath_port}",
                    *gunicorn,
                    "app:create_app()",
                ),
                env,
                f"http://127.0.0.1:{cartpath_port}/",
            ),
        ):
            bare_rates, ours_rates, ours_latencies = [], [], []
            for round_number in range(ROUNDS):
                start = round_number * REQUESTS_PER_ROUND
                rate, _ = _load(
                    f"http://127.0.0.1:{bare_port}/webhooks/shopify", REQUESTS_PER_ROUND, start
                )
                bare_rates.append(rate)
                rate, latencies = _load(
                    f"http://127.0.0.1:{cartpath_port}/webhooks/shopify",
                    REQUESTS_PER_ROUND,
                    1_000_000 + start,
                )
                ours_rates.append(rate)
                ours_latencies += latencies
        p99 = statistics.quantiles(ours_latencies, n=100)[98] * 1000
        intake = Comparison(
            "webhook intake (verify+record+enqueue) vs bare Flask",
            statistics.mean(bare_rates),
            statistics.mean(ours_rates),
            p99,
            0.5,
        )
        print_p99_goal(p99)
        _worker_memory(env, database_url)
    return [intake]


def print_p99_goal(p99_ms: float) -> None:
    verdict = "met" if p99_ms < 50 else "MISSED"
    print(f"webhook intake p99: {p99_ms:.1f} ms (goal < 50 ms: {verdict})")  # noqa: T201


def _worker_memory(env: dict[str, str], database_url: str) -> None:
    """Feed a worker BENCH_WEBHOOK_EVENTS events and compare its memory early and late."""
    target = int(os.environ.get("BENCH_WEBHOOK_EVENTS", "10000"))
    already = ROUNDS * REQUESTS_PER_ROUND
    port = free_port()
    with running(
        python(
            "-m",
            "gunicorn",
            "-b",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "app:create_app()",
        ),
        env,
        f"http://127.0.0.1:{port}/",
    ):
        sent = already
        while sent < target:
            batch = min(1000, target - sent)
            _load(f"http://127.0.0.1:{port}/webhooks/shopify", batch, 5_000_000 + sent)
            sent += batch
    with running(python("-c", "from app import main; main()", "worker"), env) as worker:
        samples: list[tuple[int, int]] = []
        deadline = time.monotonic() + 3600
        while time.monotonic() < deadline:
            done = _processed(database_url)
            samples.append((done, rss_kib(worker.pid)))
            if done >= target:
                break
            time.sleep(2)
    early = next(rss for done, rss in samples if done >= min(1000, target // 10))
    late = samples[-1][1]
    print(
        f"RQ worker memory after {samples[-1][0]:,} events: {late / 1024:.1f} MiB, "  # noqa: T201
        f"{late / early:.2f}x its size after the first {min(1000, target // 10):,} "
        f"(goal: no growth, about 1.0x)"
    )
