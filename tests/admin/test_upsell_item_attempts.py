"""The order page over HTTP, as support reads it: the tries at adding a paid upsell's item
to the platform order are on the order's timeline next to the order's own write-back
tries, each named by what it was writing; an item that was given up stays with staff
(the write-back retry does not add it again)."""

from __future__ import annotations

import re

from auth.models import Role
from core.models import Platform
from tests.checkout.test_paying import open_shop  # noqa: F401 - the fixture
from tests.support.admin import admin_client
from tests.support.cartpath import STORE
from tests.upsell.test_hosted import _platform_quantity, _post_offer, _shown
from tests.upsell.test_line_attempts import ORDER, bigcommerce_offer

CREATE_ORDER = r"/v3/checkouts/.+/orders$"
STORE_503 = "HTTP 503 · RetriableError: BigCommerce answered 503"


def attempt_titles(page: str) -> list[str]:
    return [t for t in re.findall(r"<strong>([^<]+)</strong>", page) if " attempt " in t]


def test_support_tells_the_item_tries_from_the_order_write_back_tries(open_shop):  # noqa: F811
    shop = open_shop(writeback_backoff_scale=0.001)
    # given: the store fails the order's first write-back, and the first update adding
    # the paid offer's item to it
    shop.sandbox.fault(kind="status", status=503, path=CREATE_ORDER, count=1)
    browser, url, offer, _item = bigcommerce_offer(shop)
    shop.wait_for_jobs(timeout=60)
    shop.sandbox.fault(kind="status", status=503, path=ORDER, method="PUT", count=1)
    assert _post_offer(browser, url, offer, "accept").status_code == 303
    shop.wait_for_jobs(timeout=60)
    shown = _shown(shop, offer)
    support = admin_client(shop, shop=STORE, user_id="3", role=Role.SUPPORT)

    page = support.get(f"/admin/orders/{shown.order_id}")

    assert page.status_code == 200
    item = shown.quote["title"]
    assert attempt_titles(page.text) == [
        "Write-back attempt 1: retrying",
        "Write-back attempt 2: written",
        f"Upsell item {item} attempt 1: retrying",
        f"Upsell item {item} attempt 2: added",
    ]
    assert page.text.count(STORE_503) == 2, "each failed try with the store's answer"
    assert "Retry write-back" not in page.text


def test_an_item_given_up_is_on_the_timeline_and_left_to_staff_by_the_retry(open_shop):  # noqa: F811
    shop = open_shop(writeback_backoff_scale=0.001)
    # given: the store's order API is down, so the order is never written, nor its item
    shop.sandbox.fault(kind="status", status=503, path=CREATE_ORDER, count=None)
    browser, url, offer, offered = bigcommerce_offer(shop)
    assert _post_offer(browser, url, offer, "accept").status_code == 303
    shop.wait_for_jobs(timeout=90)
    shop.sandbox.clear_faults()
    shown = _shown(shop, offer)
    item = shown.quote["title"]
    support = admin_client(shop, shop=STORE, user_id="3", role=Role.SUPPORT)

    page = support.get(f"/admin/orders/{shown.order_id}")

    titles = attempt_titles(page.text)
    assert titles.count("Write-back attempt 8: failed") == 1
    assert [t for t in titles if t.startswith("Upsell item")] == [
        *(f"Upsell item {item} attempt {n}: retrying" for n in range(1, 9)),
        f"Upsell item {item} attempt 9: failed",
    ]
    assert "RetriableError: the order is not on the platform yet" in page.text
    assert "could not be added to the platform order" in page.text, "the alert, too"
    assert "Retry write-back" in page.text

    # when: support retries the order's write-back, the store being back
    assert support.post(f"/admin/orders/{shown.order_id}/retry").status_code == 303
    shop.wait_for_jobs(timeout=60)

    # then: the order is written; the item is not added again (a hand-added one has no
    # marker to find), its tries and alert stay for staff
    page = support.get(f"/admin/orders/{shown.order_id}")
    titles = attempt_titles(page.text)
    assert "Write-back attempt 9: written" in titles
    assert sum(t.startswith("Upsell item") for t in titles) == 9
    assert _platform_quantity(shop, Platform.BIGCOMMERCE, offered) == 0
