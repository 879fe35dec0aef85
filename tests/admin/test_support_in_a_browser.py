"""Issue #11's support story in Chromium, inside each platform's own admin frame: a shopper
pays while the platform refuses the write-back, so the order fails; a SUPPORT member
finds it by the shopper's email, reads the failed attempts with their error on its
timeline, presses Retry, sees the platform's order number, and finds the retry in the
audit log."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from checkout.models import Order, OrderStatus
from core.services import services_of
from tests.checkout.test_checkout_flow import US_ADDRESS
from tests.checkout.test_paying import (  # noqa: F401 - the fixture
    bigcommerce_checkout,
    open_shop,
    paid,
    pay,
    ready_checkout,
)
from tests.checkout.test_writeback import ledger_order
from tests.payments import cards
from tests.payments.cards import tokenize
from tests.support.admin_browser import open_admin_as_support
from tests.support.cartpath import LiveCartpath

# Each platform's write-back request.
WRITE_BACK_PATHS = {"shopify": r"/graphql\.json$", "bigcommerce": r"/v3/checkouts/.+/orders$"}


def _pay_while_the_write_back_fails(live: LiveCartpath, platform: str) -> Order:
    """Pay with a good card; the platform answers 500 to every write-back request.

    Shopify's pricing and its write-back share one GraphQL endpoint, so the fault is armed
    while the card charge is in flight: after the pay step's re-quote, before the order
    is placed (the charge is held half a second by the sandbox for that).
    """
    if platform == "shopify":
        browser, url = ready_checkout(live)
    else:
        browser, url, *_ = bigcommerce_checkout(live)
    card = tokenize(live.sandbox, cards.GOOD)
    live.sandbox.fault(kind="slow", path=r"/v1/payment_intents$", method="POST", seconds=0.5)
    answers: list = []
    paying = threading.Thread(target=lambda: answers.append(pay(browser, url, card)))
    paying.start()
    _until(
        lambda: (
            not any(
                rule["kind"] == "slow" for rule in live.sandbox.call("GET", "/faults")["faults"]
            )
        )
    )
    live.sandbox.fault(kind="status", status=500, path=WRITE_BACK_PATHS[platform], count=None)
    paying.join(timeout=30)
    paid(live, answers[0], url)
    live.wait_for_jobs(timeout=60)
    live.sandbox.clear_faults()
    with services_of(live.app).database.session() as session:
        order = session.scalars(select(Order)).one()
        session.expunge(order)
    assert order.status is OrderStatus.FAILED
    return order


def _until(condition: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the sandbox never saw the charge"
        time.sleep(0.02)


@pytest.mark.slow
@pytest.mark.parametrize("platform", ["shopify", "bigcommerce"])
def test_support_finds_a_failed_order_by_email_retries_it_and_sees_it_audited(
    open_shop,  # noqa: F811
    page,
    platform,
):
    live = open_shop(writeback_backoff_scale=0.001)
    order = _pay_while_the_write_back_fails(live, platform)

    admin = open_admin_as_support(page, live, platform)
    expect(admin.get_by_test_id("role")).to_have_text("support")
    admin.get_by_role("link", name="Support").click()
    admin.get_by_label("Find a checkout or order").fill(US_ADDRESS["email"])
    admin.get_by_role("button", name="Search").click()
    admin.get_by_role("link", name=f"Order {order.reference}").click()

    expect(admin.get_by_role("heading", name=f"Order {order.reference}")).to_be_visible()
    expect(admin.get_by_test_id("writeback-status")).to_have_text("Write-back failed")
    timeline = admin.get_by_test_id("timeline")
    expect(timeline).to_contain_text("Write-back attempt 8: failed")
    expect(timeline).to_contain_text("HTTP 500")
    expect(timeline).to_contain_text("answered 500")

    admin.get_by_role("button", name="Retry write-back").click()
    expect(admin.get_by_test_id("notice")).to_have_text(
        f"Write-back of order {order.reference} queued again."
    )
    live.wait_for_jobs()
    admin.get_by_role("link", name="Orders").click()
    admin.get_by_role("link", name=order.reference).click()
    written = ledger_order(live, order.id)
    assert written.status is OrderStatus.WRITTEN
    expect(admin.get_by_test_id("writeback-status")).to_have_text("Written")
    expect(admin.get_by_test_id("platform-order")).to_have_text(written.platform_order_number)
    expect(admin.get_by_test_id("timeline")).to_contain_text("Write-back attempt 9: written")

    admin.get_by_role("link", name="Support").click()
    admin.get_by_role("link", name="Audit log").click()
    admin.get_by_label("Action").select_option("order.writeback_retried")
    admin.get_by_role("button", name="Filter").click()
    row = admin.get_by_test_id("audit-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(f"order:{order.id} ({order.reference})")
    expect(row).to_contain_text(re.compile(r"user (2|9002)|staff@demo1abc\.example"))
