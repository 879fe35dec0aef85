"""Recorded webhooks are processed even when Redis forgets their jobs (a restart)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from redis import Redis
from sqlalchemy import select

from app import create_app
from core.db import utcnow
from core.models import Platform, Shop, WebhookEvent, WebhookStatus
from core.services import services_of
from tests.support.database import empty_all_tables
from tests.support.webhooks import shopify_delivery
from tests.support.workers import start_worker, stop_worker, wait_until

SECRET = "redis-loss-secret-" + "r" * 32
SHOP = "demo-shop.myshopify.com"


@pytest.fixture
def webhook_rq_app(make_config, redis_url) -> Iterator[Flask]:
    application = create_app(
        make_config(redis_url=redis_url, shopify_api_key="k", shopify_api_secret=SECRET)
    )
    with services_of(application).database.session() as session:
        session.add(Shop(platform=Platform.SHOPIFY, domain=SHOP, installed_at=utcnow()))
        session.commit()
    yield application
    svc = services_of(application)
    empty_all_tables(svc.database.engine)
    svc.close()


@pytest.mark.slow
def test_events_whose_jobs_redis_lost_are_swept_and_processed(webhook_rq_app, redis_url, tmp_path):
    # given: three deliveries acknowledged, then Redis restarts empty
    client = webhook_rq_app.test_client()
    for n in range(3):
        headers, body = shopify_delivery("products/delete", {"id": n}, shop=SHOP, secret=SECRET)
        assert client.post("/webhooks/shopify", data=body, headers=headers).status_code == 200
    Redis.from_url(redis_url).flushdb()

    # when: a worker starts; its sweeper finds the pending outbox rows
    worker = start_worker(services_of(webhook_rq_app).config, tmp_path / "worker.log")
    try:

        def processed() -> int:
            with services_of(webhook_rq_app).database.session() as session:
                return len(
                    session.scalars(
                        select(WebhookEvent).where(WebhookEvent.status == WebhookStatus.PROCESSED)
                    ).all()
                )

        # then
        wait_until(lambda: processed() == 3, 40, "the three events are processed")
    finally:
        stop_worker(worker)
