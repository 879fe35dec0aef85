"""The Support page over HTTP: one search box over the shop's checkouts, orders and
webhooks; the webhook log with its dedupe verdicts and replays (one, or all failed as a
job with progress); the audit log. Support staff may do all of it, for their shop only."""

from __future__ import annotations

import re

import pytest
import requests
from sqlalchemy import select, update

from auth.models import Role
from checkout.models import Checkout, Order, OrderStatus
from core.db import utcnow
from core.models import AuditLog, WebhookEvent, WebhookStatus
from core.services import services_of
from tests.admin.test_orders import ledger
from tests.support.admin import admin_client
from tests.support.cartpath import SHOP, SHOPIFY_SECRET, STORE, LiveCartpath
from tests.support.webhooks import shopify_delivery


@pytest.fixture
def shops(cartpath) -> tuple[int, int]:
    return cartpath.install_shopify(), cartpath.install_bigcommerce()


def deliver(live: LiveCartpath, topic: str, payload: dict, **options: str) -> requests.Response:
    headers, body = shopify_delivery(topic, payload, shop=SHOP, secret=SHOPIFY_SECRET, **options)
    answer = requests.post(f"{live.url}/webhooks/shopify", data=body, headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer


def order_payload(order_id: int, reference: str = "CPNONE") -> dict:
    return {
        "id": order_id,
        "name": f"#{order_id}",
        "email": "ann@example.com",
        "currency": "USD",
        "total_price": "10.00",
        "financial_status": "paid",
        "cancelled_at": None,
        "updated_at": "2026-11-20T10:00:00Z",
        "tags": f"cartpath-{reference}",
        "refunds": [],
    }


def labels(page: requests.Response) -> list[str]:
    return re.findall(r'<a href="/admin/[^"]+">([^<]+)</a>\s*<span class="subdued">', page.text)


def written_order(live: LiveCartpath, shop_id: int, platform_id: str, number: str) -> Order:
    [order_id] = ledger(live, shop_id, 1)
    with services_of(live.app).database.session() as session:
        order = session.get(Order, order_id)
        order.platform_order_id, order.platform_order_number = platform_id, number
        session.commit()
        session.refresh(order)
        session.expunge(order)
        return order


def test_one_box_finds_by_email_reference_number_token_and_platform_id(cartpath, shops):
    shopify, bigcommerce = shops
    order = written_order(cartpath, shopify, "gid://shopify/Order/5001", "#1001")
    deliver(cartpath, "orders/updated", order_payload(5001, order.reference))
    with services_of(cartpath.app).database.session() as session:
        token = session.get(Checkout, order.checkout_id).token
        walked = Checkout(shop_id=shopify, items=[], email="ann@example.com", expires_at=utcnow())
        elsewhere = Checkout(
            shop_id=bigcommerce, items=[], email="ann@example.com", expires_at=utcnow()
        )
        session.add_all([walked, elsewhere])
        session.commit()
    cartpath.wait_for_jobs()
    support = admin_client(cartpath, user_id="3", role=Role.SUPPORT)
    mine = f"Order {order.reference}"

    by_email = support.get("/admin/support", q=" Ann@Example.com ")
    assert labels(by_email)[0] == mine
    assert sum(label.startswith("Checkout started") for label in labels(by_email)) == 1, (
        "the abandoned checkout of this shop, not the other shop's"
    )
    assert "Webhook orders/updated" in labels(by_email)
    for query in (order.reference, order.reference.lower(), "#1001", "1001", token, "5001"):
        assert mine in labels(support.get("/admin/support", q=query)), query
    page = support.get("/admin/support", q="5001")
    order_link = re.search(rf'href="([^"]+)">{mine}<', page.text).group(1).replace("&amp;", "&")
    timeline = requests.get(cartpath.url + order_link, timeout=10)
    assert "Webhook orders/updated processed" in timeline.text, "the order's webhooks are on it"


def test_empty_and_unmatched_searches_say_what_to_type(cartpath, shops):
    support = admin_client(cartpath, user_id="3", role=Role.SUPPORT)

    empty = support.get("/admin/support", q="   ")
    unmatched = support.get("/admin/support", q="nobody@example.com")
    fresh = support.get("/admin/support")
    too_long = support.get("/admin/support", q="x" * 400)

    assert empty.status_code == 400
    assert "Type an email, an order number, a checkout token or a platform order id" in empty.text
    assert 'aria-invalid="true"' in empty.text
    assert unmatched.status_code == 200
    assert "Nothing in this shop matches “nobody@example.com”" in unmatched.text
    assert fresh.status_code == 200
    assert too_long.status_code == 400
    assert "too long to be an email" in too_long.text
    assert "Results for" not in fresh.text


def test_the_webhook_log_shows_duplicates_and_support_replays_a_failed_event(cartpath, shops):
    deliver(cartpath, "orders/create", order_payload(7001), event_id="evt-7001")
    deliver(cartpath, "orders/create", order_payload(7001), event_id="evt-7001")
    deliver(cartpath, "orders/create", {"name": "no id"})
    cartpath.wait_for_jobs()
    support = admin_client(cartpath, user_id="3", role=Role.SUPPORT)

    log = support.get("/admin/support/webhooks")

    assert "Recorded once; 1 duplicate ignored" in log.text
    assert log.text.count(">Replay<") == 1, "only the failed event can be replayed"
    with services_of(cartpath.app).database.session() as session:
        failed = session.scalar(select(WebhookEvent).where(WebhookEvent.status == "failed"))
    replayed = support.post(f"/admin/support/webhooks/{failed.id}/replay")
    assert replayed.status_code == 303
    cartpath.wait_for_jobs()
    with services_of(cartpath.app).database.session() as session:
        assert session.get(WebhookEvent, failed.id).status is WebhookStatus.FAILED, (
            "its payload is still unreadable: replayed and failed again"
        )
        audited = session.scalar(select(AuditLog).where(AuditLog.action == "webhook.replayed"))
    assert (audited.actor, audited.target) == (support.identity.actor, f"webhook:{failed.id}")
    processed = support.get("/admin/support/webhooks", status="processed")
    assert processed.text.count('data-testid="webhook-row"') == 1


def test_webhook_replays_refuse_other_shops_and_events_that_did_not_fail(cartpath, shops):
    deliver(cartpath, "orders/create", order_payload(7002))
    cartpath.wait_for_jobs()
    with services_of(cartpath.app).database.session() as session:
        event_id = session.scalar(select(WebhookEvent.id))
    theirs = admin_client(cartpath, shop=STORE, user_id="1", role=Role.SUPPORT)
    mine = admin_client(cartpath, user_id="3", role=Role.SUPPORT)

    assert theirs.post(f"/admin/support/webhooks/{event_id}/replay").status_code == 404
    assert (
        theirs.get("/admin/support/webhooks", event=str(event_id)).text.count(
            'data-testid="webhook-row"'
        )
        == 0
    )
    not_failed = mine.post(f"/admin/support/webhooks/{event_id}/replay")
    assert not_failed.status_code == 409
    assert "is processed: only a failed one replays" in not_failed.text
    assert mine.post("/admin/support/webhooks/999999/replay").status_code == 404
    assert mine.get("/admin/support/webhooks", status="lost").status_code == 400
    assert mine.get("/admin/support/webhooks", page="-1").status_code == 400
    assert mine.get("/admin/support/webhooks", event="first").status_code == 400


def test_replay_all_failed_runs_as_a_job_and_shows_its_progress(cartpath, shops):
    for n in range(3):
        deliver(cartpath, "orders/create", order_payload(8000 + n))
    cartpath.wait_for_jobs()
    with services_of(cartpath.app).database.session() as session:
        # given: three events that failed while the platform was unreachable
        session.execute(
            update(WebhookEvent).values(status=WebhookStatus.FAILED, error="RetriableError: 503")
        )
        session.commit()
    support = admin_client(cartpath, user_id="3", role=Role.SUPPORT)
    assert "Replay all 3 failed" in support.get("/admin/support/webhooks").text

    started = support.post("/admin/support/webhooks/replay-failed")
    cartpath.wait_for_jobs()

    assert started.status_code == 303
    progress = requests.get(cartpath.url + started.headers["Location"], timeout=10)
    assert "Replaying 3 failed webhooks." in progress.text
    assert "3 processed, 0 waiting, 0 failed." in progress.text
    assert 'data-testid="job-status">done<' in progress.text
    run_id = re.search(r"/replays/(\d+)", started.headers["Location"]).group(1)
    other = admin_client(cartpath, shop=STORE, user_id="1")
    assert other.get(f"/admin/support/webhooks/replays/{run_id}").status_code == 404
    nothing = support.post("/admin/support/webhooks/replay-failed")
    landing = requests.get(cartpath.url + nothing.headers["Location"], timeout=10)
    assert "No failed webhooks to replay." in landing.text


def test_the_audit_log_lists_staff_actions_with_who_and_filters_by_action(cartpath, shops):
    shopify, bigcommerce = shops
    [order] = ledger(cartpath, shopify, 1, status=OrderStatus.FAILED)
    [theirs] = ledger(cartpath, bigcommerce, 1, status=OrderStatus.FAILED)
    support = admin_client(cartpath, user_id="3", role=Role.SUPPORT)
    support.post(f"/admin/orders/{order}/retry")
    admin_client(cartpath, shop=STORE, user_id="1").post(f"/admin/orders/{theirs}/retry")
    support.post(f"/admin/staff/{support.identity.staff_id}/role", {"role": "owner"})

    everything = support.get("/admin/support/audit")
    retries = support.get("/admin/support/audit", action="order.writeback_retried")

    assert "access.denied" in everything.text
    assert "order.writeback_retried" in everything.text
    assert retries.text.count('data-testid="audit-row"') == 1, "this shop's retry only"
    assert "user 3" in retries.text, "who, by name rather than id"
    assert f"order:{order}" in retries.text
    bad = support.get("/admin/support/audit", action="drop.tables")
    assert bad.status_code == 400
    assert "No staff action is called 'drop.tables'" in bad.text
    assert support.get("/admin/support/audit", page="x").status_code == 400
