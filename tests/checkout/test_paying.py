"""Paying a hosted checkout over HTTP, against the sandbox platforms and its Stripe:
declines, 3-D Secure, double submits, two tabs, the back button, replays, a total
changed by the platform, the attempt limits and the lock after a run of declines."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
import requests
from sqlalchemy import select

from checkout.models import Checkout, Order, OrderStatus, Payment, PaymentStatus
from core.models import Alert
from core.services import services_of
from sandbox.demo_credentials import STRIPE_PUBLISHABLE_KEY, STRIPE_SECRET_KEY
from tests.checkout.test_checkout_flow import US_ADDRESS, _post, _start_shopify, _variant_by_sku
from tests.payments import cards
from tests.payments.cards import intents, succeeded, tokenize
from tests.support import bigcommerce as bc
from tests.support.cartpath import STORE, LiveCartpath, live_cartpath
from tests.support.workers import wait_until


@pytest.fixture
def open_shop(make_config, sandbox) -> Iterator[Callable[..., LiveCartpath]]:
    """Cartpath in hosted mode on both sandbox platforms, paid through the sandbox's Stripe;
    settings overridable per test (the limits)."""
    opened = []

    def start(**settings: object) -> LiveCartpath:
        config = make_config(
            stripe_secret_key=STRIPE_SECRET_KEY,
            stripe_publishable_key=STRIPE_PUBLISHABLE_KEY,
            **settings,
        )
        context = live_cartpath(config, sandbox, shopify_distribution="custom")
        live = context.__enter__()
        opened.append(context)
        live.install_shopify()
        live.install_bigcommerce()
        return live

    yield start
    for context in opened:
        context.__exit__(None, None, None)


@pytest.fixture
def shop(open_shop) -> LiveCartpath:
    return open_shop()


def ready_checkout(live: LiveCartpath, variant: dict | None = None) -> tuple[requests.Session, str]:
    """A Shopify checkout with its address and delivery chosen: ready to pay."""
    browser, url = _start_shopify(live, variant=variant)
    page = _post(browser, url, action="contact", **US_ADDRESS)
    option = re.search(r'name="shipping_option" value="([^"]+)"', page.text).group(1)
    _post(browser, url, action="delivery", shipping_option=option)
    return browser, url


def shown_total(browser: requests.Session, url: str) -> str:
    page = browser.get(url, timeout=15)
    return re.search(r'name="shown_total" value="([^"]*)"', page.text).group(1)


def pay(
    browser: requests.Session, url: str, payment_method: str, total: str | None = None, **extra
) -> requests.Response:
    form = {"payment_method": payment_method, "shown_total": total or shown_total(browser, url)}
    return browser.post(f"{url}/pay", data={**form, **extra}, timeout=30, allow_redirects=False)


def payments_of(live: LiveCartpath, url: str) -> list[Payment]:
    token = url.rsplit("/", 1)[-1]
    with services_of(live.app).database.session() as session:
        checkout = session.scalar(select(Checkout).where(Checkout.token == token))
        return list(
            session.scalars(
                select(Payment).where(Payment.checkout_id == checkout.id).order_by(Payment.id)
            )
        )


def checkout_of(live: LiveCartpath, url: str) -> Checkout:
    with services_of(live.app).database.session() as session:
        return session.scalar(select(Checkout).where(Checkout.token == url.rsplit("/", 1)[-1]))


def paid(live: LiveCartpath, answer: requests.Response, url: str) -> None:
    assert answer.status_code == 303, answer.text
    assert answer.headers["Location"] == f"{url.removeprefix(live.url)}/thank-you"


@pytest.mark.parametrize(
    ("card", "says"),
    [
        (cards.DECLINED, "Your card was declined"),
        (cards.INSUFFICIENT_FUNDS, "insufficient funds"),
        (cards.EXPIRED, "Your card has expired"),
    ],
)
def test_a_decline_is_explained_beside_the_card_and_another_card_pays(shop, sandbox, card, says):
    browser, url = ready_checkout(shop)

    declined = pay(browser, url, tokenize(sandbox, card))

    assert declined.status_code == 402
    assert re.search(rf'id="payment-error" role="alert"[^>]*>[^<]*{says}', declined.text)
    assert [p.status for p in payments_of(shop, url)] == [PaymentStatus.FAILED]
    assert checkout_of(shop, url).payment_lease_until is None, "the lease is released"
    paid(shop, pay(browser, url, tokenize(sandbox, cards.GOOD)), url)
    assert len(succeeded(sandbox)) == 1


def test_3d_secure_abandoned_then_another_card_pays_once(shop, sandbox):
    browser, url = ready_checkout(shop)

    challenge = pay(browser, url, tokenize(sandbox, cards.THREE_D_SECURE))
    assert challenge.status_code == 303
    assert challenge.headers["Location"].startswith(f"{sandbox.url}/stripe/3ds/")
    # The shopper leaves the bank's page, comes back and pays with another card.
    paid(shop, pay(browser, url, tokenize(sandbox, cards.GOOD)), url)
    # Authenticating on the old page now cannot pay the abandoned charge.
    late = requests.post(challenge.headers["Location"], data={"outcome": "complete"}, timeout=15)

    assert late.status_code == 200
    assert [i["status"] for i in intents(sandbox)] == ["canceled", "succeeded"]
    statuses = [p.status for p in payments_of(shop, url)]
    assert statuses == [PaymentStatus.FAILED, PaymentStatus.SUCCEEDED]


def test_3d_secure_failed_comes_back_with_a_message_and_authenticated_pays(shop, sandbox):
    browser, url = ready_checkout(shop)
    challenge = pay(browser, url, tokenize(sandbox, cards.THREE_D_SECURE))

    failed = browser.post(challenge.headers["Location"], data={"outcome": "fail"}, timeout=30)
    assert failed.status_code == 402
    assert "Your bank could not confirm this payment" in failed.text

    again = pay(browser, url, tokenize(sandbox, cards.THREE_D_SECURE))
    done = browser.post(again.headers["Location"], data={"outcome": "complete"}, timeout=30)
    assert done.status_code == 200
    assert done.url == f"{url}/thank-you"
    assert len(succeeded(sandbox)) == 1


def _concurrently(*calls: Callable[[], requests.Response]) -> list[requests.Response]:
    start = threading.Barrier(len(calls))
    answers: list[requests.Response] = [None] * len(calls)  # type: ignore[list-item]

    def run(index: int) -> None:
        start.wait()
        answers[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return answers


def test_a_double_click_on_pay_charges_once(shop, sandbox):
    browser, url = ready_checkout(shop)
    card, total = tokenize(sandbox, cards.GOOD), shown_total(browser, url)

    answers = _concurrently(*[lambda: pay(requests.Session(), url, card, total)] * 2)

    assert sorted(a.status_code for a in answers) in ([303, 303], [303, 409])
    assert len(intents(sandbox)) == 1
    assert [p.status for p in payments_of(shop, url)] == [PaymentStatus.SUCCEEDED]


def test_two_tabs_paying_with_different_cards_charge_once(shop, sandbox):
    browser, url = ready_checkout(shop)
    total = shown_total(browser, url)
    first, second = tokenize(sandbox, cards.GOOD), tokenize(sandbox, "5555555555554444")

    answers = _concurrently(
        lambda: pay(requests.Session(), url, first, total),
        lambda: pay(requests.Session(), url, second, total),
    )

    assert len(succeeded(sandbox)) == 1
    refused = [a for a in answers if a.status_code != 303]
    for answer in refused:
        assert answer.status_code == 409
        assert "already in progress" in answer.text
    if len(refused) == 1:  # the other tab was told to wait, then lands on the order
        assert requests.get(url, timeout=15).url == f"{url}/thank-you"


def test_the_back_button_and_a_replayed_form_after_paying_charge_nothing(shop, sandbox):
    browser, url = ready_checkout(shop)
    card, total = tokenize(sandbox, cards.GOOD), shown_total(browser, url)
    paid(shop, pay(browser, url, card, total), url)

    back = browser.get(url, timeout=15, allow_redirects=False)
    replayed = pay(browser, url, card, total)
    another_card = pay(browser, url, tokenize(sandbox, cards.GOOD), total)

    for answer in (back, replayed, another_card):
        assert answer.status_code == 303
        assert answer.headers["Location"].endswith("/thank-you")
    assert len(intents(sandbox)) == 1
    thanks = browser.get(f"{url}/thank-you", timeout=15)
    assert thanks.status_code == 200
    assert "Thank you for your order" in thanks.text


def bigcommerce_checkout(live: LiveCartpath):
    """A one-line BigCommerce cart handed over, with address and delivery chosen: the
    shopper's browser, the checkout URL, and the store connection, product and variant."""
    browser, url, page, *store = bigcommerce_with_address(live)
    option = re.search(r'name="shipping_option" value="([^"]+)"', page.text).group(1)
    _post(browser, url, action="delivery", shipping_option=option)
    return browser, url, *store


def bigcommerce_with_address(live: LiveCartpath):
    """A one-line BigCommerce cart handed over with its address: the browser, the checkout
    URL, the page listing the delivery options, and the store connection, product and variant."""
    connection = bc.connection(live.sandbox, bc.install(live.sandbox)["access_token"])
    product_id = int(next(iter(live.sandbox.state()["bigcommerce"]["stores"][STORE]["products"])))
    variant = connection.get(f"catalog/products/{product_id}/variants")["data"][0]
    cart = connection.post(
        "carts",
        {"line_items": [{"product_id": product_id, "variant_id": variant["id"], "quantity": 1}]},
    )["data"]
    browser = requests.Session()
    started = browser.post(
        f"{live.url}/checkout/start",
        json={"platform": "bigcommerce", "shop": STORE, "cart_id": cart["id"]},
        timeout=15,
    )
    url = live.url + started.json()["checkout_url"]
    page = _post(browser, url, action="contact", **US_ADDRESS)
    return browser, url, page, connection, product_id, variant


def test_a_total_changed_by_the_platform_is_shown_and_nothing_is_charged(shop, sandbox):
    browser, url, connection, product_id, variant = bigcommerce_checkout(shop)
    old_total = shown_total(browser, url)

    # given: the merchant raises the price after the shopper saw the total
    new_price = Decimal(str(variant["price"] or variant["calculated_price"])) + 10
    connection.put(
        f"catalog/products/{product_id}/variants/{variant['id']}", {"price": str(new_price)}
    )
    # when
    changed = pay(browser, url, tokenize(sandbox, cards.GOOD), old_total)

    # then
    assert changed.status_code == 409
    assert "The store updated your total" in changed.text
    assert intents(sandbox) == []
    new_total = shown_total(browser, url)
    assert Decimal(new_total) > Decimal(old_total)
    paid(shop, pay(browser, url, tokenize(sandbox, cards.GOOD), new_total), url)
    (intent,) = intents(sandbox)
    assert intent["amount_received"] == int(Decimal(new_total) * 100)


def test_the_platform_down_while_placing_charges_once_and_the_order_catches_up(open_shop, sandbox):
    live = open_shop(writeback_backoff_scale=0.01)
    browser, url, *_ = bigcommerce_checkout(live)
    # given: the store still quotes, but its order API is down
    sandbox.fault(
        kind="status", status=503, path=r"/v3/checkouts/[^/]+/orders$|/v2/orders", count=None
    )

    # when: the shopper pays
    paid(live, pay(browser, url, tokenize(sandbox, cards.GOOD)), url)

    # then: charged once, thanked, told the order is being confirmed, and it is retried
    assert len(succeeded(sandbox)) == 1
    assert 'data-testid="order-pending"' in browser.get(f"{url}/thank-you", timeout=15).text
    wait_until(lambda: _order_of(live, url).writeback_attempts >= 2, 20, "the write-back retries")
    assert "503" in _order_of(live, url).writeback_error
    cart_id = checkout_of(live, url).platform_ref
    assert _store_orders_of_cart(sandbox, cart_id) == []

    # when: the store is back, the write-back catches up: one order, the charge unchanged
    sandbox.clear_faults()
    wait_until(lambda: _order_of(live, url).status is OrderStatus.WRITTEN, 60, "it is written")
    order = _order_of(live, url)
    assert _store_orders_of_cart(sandbox, cart_id) == [order.platform_order_id]
    thanks = browser.get(f"{url}/thank-you", timeout=15).text
    assert f'data-testid="order-number">{order.platform_order_number}<' in thanks
    assert len(intents(sandbox)) == 1
    assert intents(sandbox)[0]["amount_received"] == int(order.total * 100)


def _order_of(live: LiveCartpath, url: str) -> Order:
    with services_of(live.app).database.session() as session:
        return session.scalar(select(Order).where(Order.checkout_id == checkout_of(live, url).id))


def _store_orders_of_cart(sandbox, cart_id: str) -> list[str]:
    orders = sandbox.state()["bigcommerce"]["stores"][STORE]["orders"]
    return [order_id for order_id, o in orders.items() if o["cart_id"] == cart_id]


def test_the_platform_not_answering_the_re_quote_charges_nothing(shop, sandbox):
    browser, url = ready_checkout(shop)
    total = shown_total(browser, url)
    sandbox.fault(kind="status", status=503, path=r"/graphql\.json$", count=None)

    answer = pay(browser, url, tokenize(sandbox, cards.GOOD), total)

    assert answer.status_code == 503
    assert "The store did not answer in time. Please try again" in answer.text
    assert intents(sandbox) == []
    sandbox.clear_faults()
    paid(shop, pay(browser, url, tokenize(sandbox, cards.GOOD), total), url)
    assert len(succeeded(sandbox)) == 1


def test_a_cart_the_platform_no_longer_has_is_refused_and_charges_nothing(shop, sandbox):
    browser, url, connection, *_ = bigcommerce_checkout(shop)
    total = shown_total(browser, url)
    # given: the store deleted the cart after the shopper saw the total
    connection.delete(f"carts/{checkout_of(shop, url).platform_ref}")

    answer = pay(browser, url, tokenize(sandbox, cards.GOOD), total)

    assert answer.status_code == 409
    assert "The store could not confirm your order, so nothing was charged" in answer.text
    assert intents(sandbox) == []
    assert payments_of(shop, url) == []


def test_too_many_attempts_get_429_with_retry_after(open_shop, sandbox):
    live = open_shop(payment_limit_checkout=(2, 600.0))
    browser, url = ready_checkout(live)
    for _ in range(2):
        assert pay(browser, url, tokenize(sandbox, cards.DECLINED)).status_code == 402

    limited = pay(browser, url, tokenize(sandbox, cards.GOOD))

    assert limited.status_code == 429
    assert 0 < int(limited.headers["Retry-After"]) <= 600
    assert "Too many payment attempts" in limited.text
    assert len(intents(sandbox)) == 2, "the refused attempt reached no gateway"


def test_a_run_of_declines_locks_the_checkout_and_alerts_staff(open_shop, sandbox):
    live = open_shop(payment_decline_lock=3)
    browser, url = ready_checkout(live)
    for _ in range(2):
        assert pay(browser, url, tokenize(sandbox, cards.DECLINED)).status_code == 402

    third = pay(browser, url, tokenize(sandbox, cards.DECLINED))
    good_card = pay(browser, url, tokenize(sandbox, cards.GOOD))

    for answer in (third, good_card):
        assert answer.status_code == 423
        assert "Please contact the store" in answer.text
    assert len(intents(sandbox)) == 3
    with services_of(live.app).database.session() as session:
        (alert,) = session.scalars(select(Alert).where(Alert.kind == "card_testing")).all()
    assert alert.subject == f"checkout:{checkout_of(live, url).id}"


def test_an_item_out_of_stock_is_not_charged(shop, sandbox):
    sold_out = _variant_by_sku(shop, "TRS-44")  # none in stock, and the shop does not oversell
    browser, url = ready_checkout(shop, variant=sold_out)

    answer = pay(browser, url, tokenize(sandbox, cards.GOOD))

    assert answer.status_code == 422
    assert "Some items are no longer available" in answer.text
    assert intents(sandbox) == []
    assert payments_of(shop, url) == []


@pytest.mark.parametrize(
    ("form", "headers", "status", "says"),
    [
        ({"payment_method": ""}, {}, 422, "Paying by card needs JavaScript"),
        ({"payment_method": "pm_<script>"}, {}, 422, "could not be read"),
        ({"shown_total": "lots"}, {}, 422, "incomplete"),
        ({}, {"Origin": "https://evil.example"}, 403, "came from another site"),
    ],
    ids=["no-card", "bad-card-id", "bad-total", "other-origin"],
)
def test_bad_payment_forms_are_refused_and_charge_nothing(
    shop, sandbox, form, headers, status, says
):
    browser, url = ready_checkout(shop)
    data = {
        "payment_method": tokenize(sandbox, cards.GOOD),
        "shown_total": shown_total(browser, url),
        **form,
    }

    answer = browser.post(f"{url}/pay", data=data, headers=headers, timeout=15)

    assert answer.status_code == status
    assert says in answer.text
    assert intents(sandbox) == []


def test_the_thank_you_page_shows_the_ledger_order(shop, sandbox):
    browser, url = ready_checkout(shop)
    total = shown_total(browser, url)
    paid(shop, pay(browser, url, tokenize(sandbox, cards.GOOD), total, save_card="yes"), url)

    thanks = browser.get(f"{url}/thank-you", timeout=15)

    with services_of(shop.app).database.session() as session:
        order = session.scalar(select(Order))
        (payment,) = session.scalars(select(Payment)).all()
    assert order.total == Decimal(total)
    assert payment.order_id == order.id
    assert payment.customer_id, "the consented card is saved on a gateway customer"
    assert order.reference in thanks.text
    # The write-back runs meanwhile and may land between the page and this read.
    if order.platform_order_number is None:
        assert "order-pending" in thanks.text, "not written yet: the page says it is coming"
    elif "order-pending" not in thanks.text:
        assert order.platform_order_number in thanks.text
