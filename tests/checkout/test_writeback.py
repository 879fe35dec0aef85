"""The write-back on both sandbox platforms over HTTP: a checkout priced by the platform,
paid, placed, and written back as exactly one paid order with the quoted lines, tax,
shipping and discount, also when a response is lost, the platform throttles, or it
refuses until the last try.

The card charge is helper P's part (payments/); here the Payment row is recorded as
the gateway reports a succeeded charge, and everything after it is real.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterator
from decimal import Decimal

import pytest
import requests
from sqlalchemy import select

from checkout.models import Checkout, Order, OrderStatus, Payment, PaymentStatus
from checkout.placing import place_order
from checkout.reconcile import reconcile
from core.models import Alert, Platform, Shop
from core.services import services_of
from platforms.shopify.admin import graphql
from platforms.shopify.client import call
from tests.checkout.test_checkout_flow import US_ADDRESS
from tests.support import bigcommerce as bc
from tests.support.cartpath import SHOP, STORE, LiveCartpath, live_cartpath
from tests.support.workers import wait_until
from webhooks.models import PlatformOrder

CODES = {Platform.SHOPIFY: "WELCOME10", Platform.BIGCOMMERCE: "SAVE10"}
_intents = itertools.count(1)


@pytest.fixture
def hosted(make_config, sandbox) -> Iterator[LiveCartpath]:
    """Both shops installed in hosted mode; write-back retries a thousand times faster."""
    config = make_config(writeback_backoff_scale=0.001, writeback_throttle_wait_max=5.0)
    with live_cartpath(config, sandbox, shopify_distribution="custom") as live:
        live.install_shopify()
        live.install_bigcommerce()
        yield live


def start_checkout(
    live: LiveCartpath, platform: Platform, sku: str = "TRS-42", quantity: int = 2
) -> tuple[requests.Session, str]:
    """Hand a cart over as the storefront does; returns the shopper's session and page."""
    browser = requests.Session()
    if platform is Platform.SHOPIFY:
        products = live.sandbox.state()["shopify"]["shops"][SHOP]["products"]
        variant = next(v for p in products for v in p["variants"] if v["sku"] == sku)
        cart = {
            "platform": "shopify",
            "shop": SHOP,
            "items": [{"id": variant["id"], "quantity": quantity}],
        }
        answer = browser.post(
            f"{live.url}/checkout/start",
            data={"cart": json.dumps(cart)},
            timeout=15,
            allow_redirects=False,
        )
    else:
        connection = bc.connection(live.sandbox, bc.install(live.sandbox)["access_token"])
        line = {"product_id": 111, "variant_id": 11101, "quantity": 2}
        cart_id = connection.post("carts", {"line_items": [line]})["data"]["id"]
        answer = browser.post(
            f"{live.url}/checkout/start",
            json={"platform": "bigcommerce", "shop": STORE, "cart_id": cart_id},
            timeout=15,
            allow_redirects=False,
        )
    assert answer.status_code in (201, 303), answer.text
    path = answer.headers.get("Location") or answer.json()["checkout_url"]
    return browser, live.url + path


def priced_checkout(live: LiveCartpath, platform: Platform, **cart: str | int) -> str:
    """A checkout with address, delivery and discount, priced by the platform; its token."""
    browser, url = start_checkout(live, platform, **cart)
    page = browser.post(url, data={"action": "contact", **US_ADDRESS}, timeout=15)
    assert page.status_code == 200, page.text
    option = re.search(r'name="shipping_option" value="([^"]+)"', page.text).group(1)
    for form in (
        {"action": "delivery", "shipping_option": option},
        {"action": "discount", "discount_code": CODES[platform]},
    ):
        answer = browser.post(url, data=form, timeout=15)
        assert answer.status_code == 200, answer.text
    return url.rsplit("/", 1)[-1]


def pay_and_place(live: LiveCartpath, token: str) -> Order:
    """Record the succeeded charge for the quoted total and place the order (one commit)."""
    with live.app.app_context(), services_of(live.app).database.session() as session:
        checkout = session.scalar(select(Checkout).where(Checkout.token == token))
        intent = f"pi_test_{next(_intents)}_{checkout.id}"
        payment = Payment(
            shop_id=checkout.shop_id,
            checkout_id=checkout.id,
            gateway="stripe",
            idempotency_key=f"checkout-{checkout.id}-{intent}",
            amount=Decimal(checkout.quote["total"]),
            currency=checkout.quote["currency"],
            status=PaymentStatus.SUCCEEDED,
            intent_id=intent,
        )
        session.add(payment)
        session.flush()
        order = place_order(session, checkout, payment)
        session.commit()
        session.refresh(order)
        session.expunge(order)
        return order


def ledger_order(live: LiveCartpath, order_id: int) -> Order:
    with services_of(live.app).database.session() as session:
        order = session.get(Order, order_id)
        session.expunge(order)
        return order


def shopify_orders(live: LiveCartpath, reference: str) -> list[dict]:
    orders = live.sandbox.state()["shopify"]["shops"][SHOP]["orders"]
    return [o for o in orders if f"cartpath-{reference}" in o["tags"].split(", ")]


def bigcommerce_orders(live: LiveCartpath, cart_id: str) -> list[dict]:
    orders = live.sandbox.state()["bigcommerce"]["stores"][STORE]["orders"]
    return [o for o in orders.values() if o["cart_id"] == cart_id]


def cart_of(live: LiveCartpath, order: Order) -> str:
    with services_of(live.app).database.session() as session:
        return session.get(Checkout, order.checkout_id).platform_ref


def mirrored_reference(live: LiveCartpath, platform_id: object) -> str | None:
    """The reference Cartpath read from the platform's order webhooks (its mirror row)."""
    with services_of(live.app).database.session() as session:
        return session.scalar(
            select(PlatformOrder.cartpath_reference).where(
                PlatformOrder.platform_id == str(platform_id)
            )
        )


def assert_written_as_in_the_ledger(live: LiveCartpath, order_id: int) -> None:
    """The ledger order is WRITTEN, and the platform holds exactly one order for it, paid,
    with its lines, tax, shipping, discount and total to the cent."""
    order = ledger_order(live, order_id)
    assert order.status is OrderStatus.WRITTEN
    with services_of(live.app).database.session() as session:
        platform = session.get(Shop, order.shop_id).platform
    if platform is Platform.SHOPIFY:
        [written] = shopify_orders(live, order.reference)
        assert order.platform_order_number == written["name"]
        assert [
            (str(li["variant_id"]), li["quantity"], Decimal(li["price"]))
            for li in written["line_items"]
        ] == [
            (str(line["variant_id"]), line["quantity"], Decimal(line["unit_price"]))
            for line in order.lines
        ]
        assert Decimal(written["total_price"]) == order.total
        assert Decimal(written["total_tax"]) == order.tax_total
        assert Decimal(written["total_discounts"]) == order.discount_total
        assert [c["code"] for c in written["discount_codes"]] == order.discount_codes
        assert Decimal(written["shipping_lines"][0]["price"]) == order.shipping_total
        assert written["financial_status"] == "paid"
        return
    [written] = bigcommerce_orders(live, cart_of(live, order))
    assert written["status_id"] == 11, "Awaiting Fulfillment: paid"
    assert written["products"] == [
        [int(line["product_id"]), int(line["variant_id"]), line["quantity"]] for line in order.lines
    ]
    api = bc.v2_api(live.sandbox, bc.install(live.sandbox)["access_token"])
    placed = api.Orders.get(int(order.platform_order_id))
    assert Decimal(placed.subtotal_ex_tax) == order.subtotal
    assert Decimal(placed.total_inc_tax) == order.total
    assert Decimal(placed.total_tax) == order.tax_total
    assert Decimal(placed.discount_amount) == order.discount_total
    assert Decimal(placed.shipping_cost_ex_tax) == order.shipping_total
    assert f"cartpath-{order.reference}" in placed.staff_notes


def test_shopify_gets_one_paid_order_as_quoted(hosted):
    order = pay_and_place(hosted, priced_checkout(hosted, Platform.SHOPIFY))
    hosted.wait_for_jobs()

    assert_written_as_in_the_ledger(hosted, order.id)
    assert min(order.tax_total, order.shipping_total, order.discount_total) > 0
    assert order.discount_codes == ["WELCOME10"]
    [written] = shopify_orders(hosted, order.reference)
    with hosted.app.app_context():
        gid = f"gid://shopify/Order/{written['id']}"
        query = (
            "query($id: ID!) { order(id: $id) { transactions"
            " { kind gateway authorizationCode amountSet { shopMoney { amount } } } } }"
        )
        [sale] = call(order.shop_id, lambda: graphql(query, {"id": gid}))["order"]["transactions"]
    assert (sale["kind"], sale["gateway"]) == ("SALE", "stripe")
    assert sale["authorizationCode"].startswith("pi_test_")
    assert Decimal(sale["amountSet"]["shopMoney"]["amount"]) == order.total


def test_bigcommerce_gets_one_paid_order_from_its_checkout(hosted):
    order = pay_and_place(hosted, priced_checkout(hosted, Platform.BIGCOMMERCE))
    hosted.wait_for_jobs()

    assert_written_as_in_the_ledger(hosted, order.id)
    assert min(order.tax_total, order.shipping_total, order.discount_total) > 0
    [written] = bigcommerce_orders(hosted, cart_of(hosted, order))
    assert written["external_source"] == hosted.config.bigcommerce_app_id
    assert written["products"] == [[111, 11101, 2]]
    api = bc.v2_api(hosted.sandbox, bc.install(hosted.sandbox)["access_token"])
    placed = api.Orders.get(int(ledger_order(hosted, order.id).platform_order_id))
    assert placed.payment_method == "stripe"
    assert placed.payment_provider_id.startswith("pi_test_")
    # the store's order webhooks, read back, name the order Cartpath wrote
    wait_until(
        lambda: mirrored_reference(hosted, placed.id) == order.reference,
        20,
        "the order's webhook names its Cartpath reference",
    )


@pytest.mark.parametrize("platform", [Platform.SHOPIFY, Platform.BIGCOMMERCE], ids=str)
def test_a_lost_response_then_a_retry_makes_no_second_order(hosted, platform):
    token = priced_checkout(hosted, platform)
    # given: the creating request succeeds on the platform but its answer is lost
    if platform is Platform.SHOPIFY:
        # The first attempt has nothing to look up: its first GraphQL request is the create.
        hosted.sandbox.fault(kind="drop", path=r"/graphql\.json$", count=1)
    else:
        hosted.sandbox.fault(kind="drop", path=r"/v3/checkouts/.+/orders$", method="POST")

    order = pay_and_place(hosted, token)
    hosted.wait_for_jobs()

    written = ledger_order(hosted, order.id)
    assert written.status is OrderStatus.WRITTEN
    assert written.writeback_attempts == 2, "the first attempt lost its answer"
    if platform is Platform.SHOPIFY:
        assert len(shopify_orders(hosted, order.reference)) == 1
    else:
        assert len(bigcommerce_orders(hosted, cart_of(hosted, order))) == 1


def test_the_first_attempt_sends_only_the_create(hosted):
    token = priced_checkout(hosted, Platform.SHOPIFY)
    graphql_requests = hosted.sandbox.count_requests(r"/graphql\.json$")

    order = pay_and_place(hosted, token)
    hosted.wait_for_jobs()

    assert ledger_order(hosted, order.id).writeback_attempts == 1
    assert len(shopify_orders(hosted, order.reference)) == 1
    assert graphql_requests() == 1, "orderCreate alone: no lookup before the first create"


def test_many_short_throttles_are_waited_out_within_one_attempt(hosted):
    token = priced_checkout(hosted, Platform.SHOPIFY)
    # eight waits of a tenth of a second: far less than the attempt's 5 s to wait in all
    hosted.sandbox.fault(
        kind="status", status=429, retry_after=0.1, path=r"/graphql\.json$", count=8
    )

    order = pay_and_place(hosted, token)
    hosted.wait_for_jobs()

    written = ledger_order(hosted, order.id)
    assert written.status is OrderStatus.WRITTEN
    assert written.writeback_attempts == 1, "short throttles do not fail the attempt"
    assert len(shopify_orders(hosted, order.reference)) == 1


def test_a_429_burst_is_waited_out_as_retry_after_asks(hosted):
    token = priced_checkout(hosted, Platform.SHOPIFY)
    hosted.sandbox.fault(
        kind="status", status=429, retry_after=0.5, path=r"/graphql\.json$", count=3
    )

    order = pay_and_place(hosted, token)
    hosted.wait_for_jobs()

    written = ledger_order(hosted, order.id)
    assert written.status is OrderStatus.WRITTEN
    assert written.writeback_attempts == 1, "throttling is waited out, not counted as a failure"
    assert len(shopify_orders(hosted, order.reference)) == 1


def test_after_the_last_try_staff_get_an_alert(hosted):
    token = priced_checkout(hosted, Platform.BIGCOMMERCE)
    hosted.sandbox.fault(kind="status", status=503, path=r"/v3/checkouts/", count=None)

    order = pay_and_place(hosted, token)
    hosted.wait_for_jobs(timeout=60)

    failed = ledger_order(hosted, order.id)
    assert failed.status is OrderStatus.FAILED
    assert failed.writeback_attempts == 8
    assert "503" in failed.writeback_error
    with services_of(hosted.app).database.session() as session:
        alert = session.scalar(select(Alert).where(Alert.subject == f"order:{order.reference}"))
    assert alert.kind == "writeback_failed"
    assert alert.resolved_at is None
    assert bigcommerce_orders(hosted, cart_of(hosted, order)) == []


def test_reconciliation_agrees_after_a_clean_run_and_repairs_a_missing_order(hosted):
    written = pay_and_place(hosted, priced_checkout(hosted, Platform.SHOPIFY))
    hosted.wait_for_jobs()
    with hosted.app.app_context():
        assert reconcile(written.shop_id).count == 0

    # given: an order whose write-back gave up while Shopify was down
    token = priced_checkout(hosted, Platform.SHOPIFY)
    hosted.sandbox.fault(kind="status", status=500, path=r"/graphql\.json$", count=None)
    missing = pay_and_place(hosted, token)
    hosted.wait_for_jobs(timeout=60)
    assert ledger_order(hosted, missing.id).status is OrderStatus.FAILED
    hosted.sandbox.clear_faults()

    with hosted.app.app_context():
        report = reconcile(missing.shop_id)
    hosted.wait_for_jobs()

    assert [(d.reference, d.kind) for d in report.differences] == [(missing.reference, "requeued")]
    assert ledger_order(hosted, missing.id).status is OrderStatus.WRITTEN
    assert len(shopify_orders(hosted, missing.reference)) == 1
    with hosted.app.app_context():
        assert reconcile(missing.shop_id).count == 0
