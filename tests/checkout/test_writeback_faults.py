"""200 orders written back to a Shopify shop (basic plan, so orderCreate's 5-a-minute limit
for development stores does not apply) while the sandbox answers 10% of calls with 500,
drops 5% of responses after committing and throttles in 429 bursts, and one RQ worker is
SIGKILLed in the middle of a write: the shop ends with exactly 200 orders, one per
ledger order, and the reconciliation finds nothing to repair.

The checkouts are one real hand-off and quote, cloned; the card charge is helper P's
part (payments/), recorded here as the gateway reports it. Everything after is real:
RQ on Redis, `cartpath worker` processes, the outbox, HTTP to the sandbox.
"""

from __future__ import annotations

import os
import signal
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace

import pytest
from rq import Worker
from sqlalchemy import func, select

from app import create_app
from checkout.models import Checkout, Order, OrderStatus
from checkout.reconcile import reconcile
from core.models import Outbox, OutboxStatus, Platform
from core.services import services_of
from platforms.shopify.admin import graphql
from platforms.shopify.client import call
from tests.checkout.test_writeback import pay_and_place, priced_checkout
from tests.support.cartpath import SHOP, LiveCartpath, live_cartpath
from tests.support.workers import start_cartpath, stop_worker, wait_until, worker_env

ORDERS = 200
WORKERS = 3
GRAPHQL = r"/graphql\.json$"
CLONED_FIELDS = (
    "shop_id",
    "items",
    "platform_ref",
    "currency",
    "lines",
    "email",
    "marketing_consent",
    "shipping_address",
    "shipping_option",
    "discount_code",
    "quote",
    "quoted_at",
    "attribution",
    "expires_at",
)


@pytest.fixture
def shop(make_config, sandbox, redis_url) -> Iterator[tuple[LiveCartpath, LiveCartpath]]:
    """The Shopify shop installed (in-process jobs), and the same app with RQ on Redis."""
    config = make_config(writeback_backoff_scale=0.01, writeback_throttle_wait_max=5.0)
    with live_cartpath(config, sandbox, shopify_distribution="custom") as installed:
        installed.install_shopify()
        rq_app = create_app(installed.config.with_overrides(redis_url=redis_url))
        try:
            yield installed, replace(installed, app=rq_app)
        finally:
            services_of(rq_app).close()


def _env(live: LiveCartpath) -> dict[str, str]:
    """A worker with the app's settings: the sandbox as the platforms, fast retries."""
    config = live.config
    env = worker_env(config)
    env.update(
        SHOPIFY_API_BASE=config.shopify_api_base,
        SHOPIFY_API_KEY=config.shopify_api_key,
        SHOPIFY_API_SECRET=config.shopify_api_secret,
        SHOPIFY_DISTRIBUTION=config.shopify_distribution,
        CARTPATH_BASE_URL=config.base_url,
        CARTPATH_WRITEBACK_BACKOFF_SCALE=str(config.writeback_backoff_scale),
        CARTPATH_WRITEBACK_THROTTLE_WAIT_MAX=str(config.writeback_throttle_wait_max),
    )
    return env


def _clone(live: LiveCartpath, token: str, copies: int) -> list[str]:
    """More checkouts exactly like the one the platform priced; their tokens."""
    with services_of(live.app).database.session() as session:
        model = session.scalar(select(Checkout).where(Checkout.token == token))
        clones = [
            Checkout(**{name: getattr(model, name) for name in CLONED_FIELDS})
            for _ in range(copies)
        ]
        session.add_all(clones)
        session.commit()
        return [clone.token for clone in clones]


def _written(live: LiveCartpath) -> int:
    with services_of(live.app).database.session() as session:
        return session.scalar(
            select(func.count()).select_from(Order).where(Order.status == OrderStatus.WRITTEN)
        )


def _unsubscribe(live: LiveCartpath) -> None:
    """Stop the shop's order webhooks: 400 deliveries would be processed in this test's
    process, beside the sandbox, and the write-back does not depend on them."""
    listing = "{ webhookSubscriptions(first: 50) { nodes { id } } }"
    delete = "mutation($id: ID!) { webhookSubscriptionDelete(id: $id) { userErrors { message } } }"
    with live.app.app_context():
        shop_id = live.shop_id(Platform.SHOPIFY, SHOP)
        nodes = call(shop_id, lambda: graphql(listing))["webhookSubscriptions"]["nodes"]
        for node in nodes:
            call(shop_id, lambda n=node: graphql(delete, {"id": n["id"]}))


def _progress(live: LiveCartpath) -> str:
    """Where the write-backs stand, for a failure message."""
    with services_of(live.app).database.session() as session:
        orders = Counter(session.scalars(select(Order.status)).all())
        rows = session.execute(select(Outbox.status, Outbox.attempts, Outbox.last_error)).all()
        pending = session.execute(
            select(Outbox.id, Outbox.available_at).where(Outbox.status == OutboxStatus.PENDING)
        ).all()
    outbox = Counter((status.value, attempts) for status, attempts, _ in rows)
    errors = Counter(str(error)[:60] for _, _, error in rows if error)
    return f"orders {dict(orders)}; outbox {dict(outbox)}; errors {dict(errors)}; pending {pending}"


def _kill_mid_write(live: LiveCartpath, workers: list) -> int:
    """SIGKILL a worker (its whole process group) while its work-horse waits on Shopify in
    a claimed write-back; returns that write-back's outbox row id."""
    jobs = services_of(live.app).jobs
    pids = {process.pid: process for process in workers}
    live.sandbox.fault(kind="slow", path=GRAPHQL, seconds=3, count=2)
    end = time.monotonic() + 20
    while time.monotonic() < end:
        for worker in Worker.all(connection=jobs.redis):
            job_id = worker.get_current_job_id() if worker.pid in pids else None
            if job_id and _running(live, int(job_id.removeprefix("outbox-"))):
                os.killpg(worker.pid, signal.SIGKILL)
                pids[worker.pid].wait(timeout=5)
                return int(job_id.removeprefix("outbox-"))
        time.sleep(0.05)
    raise AssertionError("no worker was ever in the middle of a write-back")


def _running(live: LiveCartpath, outbox_id: int) -> bool:
    with services_of(live.app).database.session() as session:
        row = session.get(Outbox, outbox_id)
        return (
            row is not None
            and row.job.endswith(":write_back_order")
            and (row.status is OutboxStatus.RUNNING)
        )


@pytest.mark.slow
def test_200_orders_through_faults_and_a_killed_worker_end_as_200_platform_orders(shop, tmp_path):
    installed, rq = shop
    sandbox = installed.sandbox
    # given: 200 paid checkouts of one pair of socks (the shop stocks exactly 200)
    first = priced_checkout(installed, Platform.SHOPIFY, sku="MS-1", quantity=1)
    _unsubscribe(installed)
    tokens = [first, *_clone(installed, first, ORDERS - 1)]
    sandbox.fault(kind="status", status=500, path=GRAPHQL, probability=0.10, count=None)
    sandbox.fault(kind="drop", path=GRAPHQL, probability=0.05, count=None)
    sandbox.fault(kind="status", status=429, retry_after=1, path=GRAPHQL, count=15)
    env = _env(rq)
    workers = [
        start_cartpath("worker", env=env, log_path=tmp_path / f"worker{n}.log")
        for n in range(WORKERS)
    ]
    try:
        # when: the orders are placed while the workers write them back
        orders = [pay_and_place(rq, token) for token in tokens[: ORDERS // 2]]
        killed = _kill_mid_write(rq, workers)
        workers.append(start_cartpath("worker", env=env, log_path=tmp_path / "worker-late.log"))
        sandbox.fault(kind="status", status=429, retry_after=1, path=GRAPHQL, count=15)
        orders += [pay_and_place(rq, token) for token in tokens[ORDERS // 2 :]]
        try:
            wait_until(lambda: _written(rq) == ORDERS, 180, "every order is written back")
        except AssertionError as late:
            raise AssertionError(f"{late}: {_progress(rq)}") from None
    finally:
        for process in workers:
            stop_worker(process)
    sandbox.clear_faults()

    # then: one platform order per ledger order, none twice, none missing
    platform_orders = sandbox.state()["shopify"]["shops"][SHOP]["orders"]
    tags = Counter(
        tag for o in platform_orders for tag in o["tags"].split(", ") if tag.startswith("cartpath-")
    )
    assert len(platform_orders) == ORDERS
    assert tags == Counter(f"cartpath-{o.reference}" for o in orders)
    socks = next(
        v
        for p in sandbox.state()["shopify"]["shops"][SHOP]["products"]
        for v in p["variants"]
        if v["sku"] == "MS-1"
    )
    assert socks["inventory_quantity"] == 0, "stock taken once per order"
    with services_of(rq.app).database.session() as session:
        assert session.get(Outbox, killed).attempts >= 2, "the killed attempt was run again"
    with rq.app.app_context():
        assert reconcile(orders[0].shop_id).count == 0
