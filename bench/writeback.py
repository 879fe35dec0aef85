"""Order write-back against the platform's rate limit, and placing an order against bare Flask.

1. BENCH_WRITEBACK_ORDERS (default 1,000) paid orders are placed one after the other
   (placing outruns the drain, so the queue fills at once) on the sandbox's Shopify
   demo shop (basic plan: the GraphQL bucket restores 100 points a second). The ratio
   is the query cost Shopify charged while they drained over what the limit allowed
   in that time (the bucket's points at the start plus its restore rate times the drain
   time), read from extensions.cost.throttleStatus
   (https://shopify.dev/docs/api/admin-graphql#rate-limits). Goal: at least 0.9, i.e.
   throttling is waited out as Shopify asks, not wasted.
2. place_order plus its commit (the Order, the payment link, the outbox row) per second,
   against a bare Flask request through the same in-process test client.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import func, select

from bench.bare_app import app as bare_app
from bench.harness import Comparison, compare
from checkout.models import Checkout, Order, OrderStatus, Payment
from checkout.placing import place_order
from core.config import Config
from core.models import Platform
from core.services import services_of
from platforms.shopify.admin import _GraphQL
from platforms.shopify.client import call
from sandbox.server import create_sandbox_app
from tests.checkout.test_writeback import pay_and_place, priced_checkout
from tests.checkout.test_writeback_faults import CLONED_FIELDS
from tests.support.cartpath import LiveCartpath, live_cartpath
from tests.support.database import throwaway_database
from tests.support.sandbox import SandboxControl
from tests.support.servers import serve

ORDERS = int(os.environ.get("BENCH_WRITEBACK_ORDERS", "1000"))
THROTTLE = "{ shop { name } }"


def _throttle(live: LiveCartpath, shop_id: int) -> dict[str, Any]:
    with live.app.app_context():
        payload = call(shop_id, lambda: _GraphQL().execute(THROTTLE))
    return payload["extensions"]["cost"]["throttleStatus"]


def _paid_clones(live: LiveCartpath, token: str, count: int) -> list[int]:
    """`count` checkouts like the priced one, each with its succeeded payment; checkout ids."""
    model_order = pay_and_place(live, token)
    with services_of(live.app).database.session() as session:
        model = session.get(Checkout, model_order.checkout_id)
        payment = session.scalar(select(Payment).where(Payment.order_id == model_order.id))
        ids = []
        for n in range(count):
            clone = Checkout(**{name: getattr(model, name) for name in CLONED_FIELDS})
            session.add(clone)
            session.flush()
            session.add(
                Payment(
                    shop_id=clone.shop_id,
                    checkout_id=clone.id,
                    gateway=payment.gateway,
                    idempotency_key=f"bench-{clone.id}-{n}",
                    amount=payment.amount,
                    currency=payment.currency,
                    status=payment.status,
                    intent_id=f"pi_bench_{clone.id}",
                )
            )
            ids.append(clone.id)
        session.commit()
        return ids


def _place(session: Any, checkout_id: int) -> Order:
    checkout = session.get(Checkout, checkout_id)
    payment = session.scalar(select(Payment).where(Payment.checkout_id == checkout_id))
    return place_order(session, checkout, payment)


def _written(live: LiveCartpath) -> int:
    with services_of(live.app).database.session() as session:
        return session.scalar(
            select(func.count()).select_from(Order).where(Order.status == OrderStatus.WRITTEN)
        )


def _drain(live: LiveCartpath, shop_id: int, checkout_ids: list[int]) -> Comparison:
    before = _throttle(live, shop_id)
    done_before = _written(live)
    started = time.perf_counter()
    for checkout_id in checkout_ids:
        with live.app.app_context(), services_of(live.app).database.session() as session:
            _place(session, checkout_id)
            session.commit()
    while _written(live) < done_before + len(checkout_ids):
        time.sleep(0.2)
    elapsed = time.perf_counter() - started
    after = _throttle(live, shop_id)
    rate = float(before["restoreRate"])
    allowed = float(before["currentlyAvailable"]) + rate * elapsed
    used = allowed - float(after["currentlyAvailable"])
    return Comparison(
        f"write-back of {len(checkout_ids)} orders: Shopify points used vs the limit's ceiling",
        allowed / elapsed,
        used / elapsed,
        elapsed / len(checkout_ids) * 1000,
        goal=0.9,
    )


def _placing(live: LiveCartpath, checkout_ids: list[int]) -> Comparison:
    remaining = iter(checkout_ids)
    bare = bare_app.test_client()

    def place() -> None:
        with live.app.app_context(), services_of(live.app).database.session() as session:
            _place(session, next(remaining))
            session.commit()

    return compare(
        "place_order+commit vs bare Flask request (in-process)",
        lambda: bare.get("/page"),
        place,
        rounds=3,
        per_round=len(checkout_ids) // 3,
    )


def run() -> list[Comparison]:
    sandbox_app = create_sandbox_app()
    with (
        tempfile.TemporaryDirectory() as directory,
        throwaway_database("postgresql", Path(directory)) as database_url,
        serve(sandbox_app) as served,
    ):
        sandbox_app.extensions["sandbox"].public_url = served.url
        sandbox = SandboxControl(served.url)
        sandbox.reset(seed="demo")
        config = Config(
            database_url=database_url,
            secret_key="b" * 40,
            encryption_keys=(Fernet.generate_key().decode(),),
            instance_path=Path(directory),
        )
        with live_cartpath(config, sandbox, shopify_distribution="custom") as live:
            shop_id = live.install_shopify()
            # The running cap keeps selling when out of stock, so 1,000 orders all go through.
            token = priced_checkout(live, Platform.SHOPIFY, sku="RC-1", quantity=1)
            drained = _paid_clones(live, token, ORDERS)
            placed = _paid_clones(live, token, 300)
            live.wait_for_jobs(timeout=60)
            results = [_drain(live, shop_id, drained), _placing(live, placed)]
            live.wait_for_jobs(timeout=600)
    return results


if __name__ == "__main__":
    for comparison in run():
        print(comparison.line())  # noqa: T201
