"""The admin's Home page with 100,000 orders against the same page with 1,000 (issue 11).

Two shops in one PostgreSQL database get BENCH_ADMIN_ORDERS (default 100,000) and
1,000 paid orders spread over the last 90 days, bulk-inserted with what goes with
them: half as many abandoned checkouts again, offers shown for 40% of the orders (a
quarter of those paid), OFFER_INELIGIBLE events for a fifth, refunds on 5% and
cancellations on 2%. The periodic rollup runs once, as it would have every day;
then GET /admin?days=90 (the longest period) is timed in alternating rounds through
the in-process test client. Goal: p95 under 200 ms with 100,000 orders; the ratio to
the 1,000-order shop shows how much the database size still costs (about none: past
days are one rollup row each). The machine's load average is printed with it, since
other processes on the same cores stretch every wall-clock time alike.
"""

from __future__ import annotations

import os
import random
import tempfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from flask import Flask
from sqlalchemy import insert, text
from sqlalchemy.orm import Session

from analytics.models import AnalyticsEvent, EventKind
from analytics.rollups import daily_figures
from app import create_app
from auth.identity import AdminIdentity, admin_token_for
from auth.models import Role, StaffMember
from bench.harness import LatencyComparison, compare_latency
from checkout.models import Checkout, Order
from core.config import Config
from core.db import utcnow
from core.models import Platform, Shop
from core.services import services_of
from core.shop_calendar import ShopCalendar
from tests.support.database import throwaway_database
from upsell.models import Funnel, FunnelStatus, FunnelVersion, OfferStatus, ShownOffer

ORDERS = int(os.environ.get("BENCH_ADMIN_ORDERS", "100000"))
BASELINE_ORDERS = 1000
DAYS = 90
BATCH = 5000
BUDGET_MS = 200.0
TIMEZONE = "America/Los_Angeles"


def _shop(session: Session, domain: str) -> tuple[int, int, int]:
    """A hosted BigCommerce shop in Los Angeles (its days are not UTC days) with its owner
    and one funnel: (shop, staff, version) ids."""
    shop = Shop(
        platform=Platform.BIGCOMMERCE,
        domain=domain,
        installed_at=utcnow(),
        timezone=TIMEZONE,
    )
    session.add(shop)
    session.flush()
    owner = StaffMember(shop_id=shop.id, platform_user_id="1", role=Role.OWNER)
    funnel = Funnel(shop_id=shop.id, name="After checkout", status=FunnelStatus.ACTIVE)
    session.add_all([owner, funnel])
    session.flush()
    version = FunnelVersion(
        funnel_id=funnel.id,
        shop_id=shop.id,
        number=1,
        definition={"entry": "a", "offers": {"a": {"headline": "Add socks"}}},
    )
    session.add(version)
    session.flush()
    return shop.id, owner.id, version.id


def _checkouts(session: Session, shop_id: int, moments: list[Any]) -> list[int]:
    rows = [
        {
            "shop_id": shop_id,
            "items": [{"variant_id": "1", "quantity": 1}],
            "currency": "USD",
            "expires_at": at + timedelta(days=30),
            "created_at": at,
            "updated_at": at,
        }
        for at in moments
    ]
    return list(
        session.scalars(insert(Checkout).returning(Checkout.id, sort_by_parameter_order=True), rows)
    )


def _fill(session: Session, shop_id: int, version_id: int, count: int, rng: random.Random) -> None:
    """`count` orders over the last DAYS days, with their checkouts, offers and events."""
    now = utcnow()
    for first in range(0, count, BATCH):
        size = min(BATCH, count - first)
        moments = sorted(now - timedelta(seconds=rng.uniform(0, DAYS * 86400)) for _ in range(size))
        checkout_ids = _checkouts(session, shop_id, moments)
        _checkouts(session, shop_id, moments[: size // 2])  # abandoned
        orders = []
        for n, (checkout_id, at) in enumerate(zip(checkout_ids, moments, strict=True)):
            total = Decimal(rng.randrange(1000, 20000)) / 100
            orders.append(
                {
                    "shop_id": shop_id,
                    "checkout_id": checkout_id,
                    "reference": f"CPB{shop_id}X{first + n}",
                    "currency": "USD",
                    "lines": [],
                    "subtotal": total,
                    "discount_total": Decimal(0),
                    "shipping_total": Decimal(0),
                    "tax_total": Decimal(0),
                    "total": total,
                    "refunded_total": total / 4 if rng.random() < 0.05 else Decimal(0),
                    "cancelled_at": at if rng.random() < 0.02 else None,
                    "created_at": at,
                    "updated_at": at,
                }
            )
        order_ids = list(
            session.scalars(insert(Order).returning(Order.id, sort_by_parameter_order=True), orders)
        )
        shown, events = [], []
        for order_id, order in zip(order_ids, orders, strict=True):
            draw = rng.random()
            if draw < 0.4:
                paid = draw < 0.1
                shown.append(
                    {
                        "shop_id": shop_id,
                        "order_id": order_id,
                        "order_reference": order["reference"],
                        "funnel_version_id": version_id,
                        "offer_key": "a",
                        "status": OfferStatus.PAID if paid else OfferStatus.DECLINED,
                        "currency": "USD",
                        "total": Decimal("12.00"),
                        "created_at": order["created_at"],
                        "updated_at": order["created_at"],
                    }
                )
                kind, reason = EventKind.OFFER_SHOWN, None
            elif draw < 0.6:
                kind, reason = EventKind.OFFER_INELIGIBLE, "no_match"
            else:
                continue
            events.append(
                {
                    "shop_id": shop_id,
                    "kind": kind,
                    "order_reference": order["reference"],
                    "funnel_version_id": version_id if reason is None else None,
                    "offer_key": "a" if reason is None else None,
                    "reason": reason,
                    "created_at": order["created_at"],
                }
            )
        session.execute(insert(ShownOffer), shown)
        session.execute(insert(AnalyticsEvent), events)
        session.commit()


def _home(app: Flask, shop_id: int, staff_id: int) -> Any:
    identity = AdminIdentity(
        shop_id=shop_id,
        shop_domain=f"bench-{shop_id}",
        platform=Platform.BIGCOMMERCE,
        staff_id=staff_id,
        role=Role.OWNER,
    )
    with app.test_request_context():
        token = admin_token_for(identity)
    client = app.test_client()

    def get() -> None:
        answer = client.get("/admin", query_string={"admin_token": token, "days": str(DAYS)})
        if answer.status_code != 200:
            raise RuntimeError(f"Home answered {answer.status_code}")

    return get


def run() -> list[LatencyComparison]:
    rng = random.Random(11)
    with (
        tempfile.TemporaryDirectory() as directory,
        throwaway_database("postgresql", Path(directory)) as database_url,
    ):
        config = Config(
            database_url=database_url,
            secret_key="b" * 40,
            encryption_keys=(Fernet.generate_key().decode(),),
            instance_path=Path(directory),
        )
        app = create_app(config)
        database = services_of(app).database
        shops = {}
        with database.session() as session:
            for name, count in (("small", BASELINE_ORDERS), ("large", ORDERS)):
                shop_id, staff_id, version_id = _shop(session, f"bench-{name}")
                session.commit()
                _fill(session, shop_id, version_id, count, rng)
                shops[name] = (shop_id, staff_id)
            session.execute(text("ANALYZE"))
            session.commit()
        with app.app_context(), database.session() as session:
            calendar = ShopCalendar.named(TIMEZONE)
            today = calendar.today()
            for shop_id, _staff in shops.values():  # the rollups the periodic job keeps
                first = today - timedelta(days=DAYS - 1)
                daily_figures(session, shop_id, first, today, calendar=calendar)
            session.commit()
        result = compare_latency(
            f"admin Home ({DAYS} days), {ORDERS:,} orders vs {BASELINE_ORDERS:,} "
            f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)",
            _home(app, *shops["small"]),
            _home(app, *shops["large"]),
            budget_ms=BUDGET_MS,
        )
        services_of(app).close()
    return [result]


if __name__ == "__main__":
    for comparison in run():
        print(comparison.line())  # noqa: T201
