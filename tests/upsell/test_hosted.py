"""One-click offers after Cartpath's own checkout, over HTTP against the sandbox platforms
and its Stripe: offer -> accept -> second offer declined -> thank-you; the platform order
ends with the accepted item once; the ledger and Stripe agree to the cent; twenty clicks
charge once; every bad answer charges nothing and adds nothing."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import requests
from sqlalchemy import select

from analytics.models import AnalyticsEvent, EventKind
from checkout.models import Order, Payment, PaymentKind, PaymentStatus
from core.models import Platform
from core.money import Money
from core.services import services_of
from platforms.shopify.admin import graphql
from platforms.shopify.client import call
from tests.checkout.test_checkout_flow import US_ADDRESS, _post, _start_shopify
from tests.checkout.test_paying import (
    _concurrently,
    bigcommerce_checkout,
    bigcommerce_with_address,
    pay,
    ready_checkout,
)
from tests.payments import cards
from tests.payments.cards import succeeded, tokenize
from tests.support import bigcommerce as bc
from tests.support.cartpath import SHOP, STORE, LiveCartpath
from upsell.models import Funnel, FunnelStatus, OfferStatus, ShownOffer
from upsell.service import create_funnel, edit_funnel, set_status

CENT = Decimal("0.01")
OFFER = re.compile(r"/checkout/[^/]+/offers/([^/?#]+)$")


def _offer(product_id: str, variant_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "product_id": product_id,
        "variant_ids": [variant_id],
        "quantity": 1,
        "headline": "Add a second one",
        "body": "Half price, today only.",
        "discount": {"kind": "percent", "value": "50"},
        "shipping": {"kind": "free"},
        "on_accept": None,
        "on_decline": None,
        **extra,
    }


def _funnel(live: LiveCartpath, platform: Platform, domain: str, offers: dict, entry: str) -> int:
    with services_of(live.app).database.session() as session:
        funnel = create_funnel(
            session,
            shop_id=live.shop_id(platform, domain),
            actor="test",
            name="After checkout",
            definition={"trigger": {"kind": "always"}, "entry": entry, "offers": offers},
        )
        set_status(session, funnel, FunnelStatus.ACTIVE, actor="test")
        session.commit()
        return funnel.id


def _shopify_items(live: LiveCartpath) -> list[tuple[str, str]]:
    products = live.sandbox.state()["shopify"]["shops"][SHOP]["products"]
    return [(str(p["id"]), str(p["variants"][0]["id"])) for p in products[1:3]]


def _bigcommerce_items(live: LiveCartpath) -> list[tuple[str, str]]:
    connection = bc.connection(live.sandbox, bc.install(live.sandbox)["access_token"])
    products = list(live.sandbox.state()["bigcommerce"]["stores"][STORE]["products"])
    found = []
    for product_id in products[1:3]:
        variant = connection.get(f"catalog/products/{product_id}/variants")["data"][0]
        found.append((str(product_id), str(variant["id"])))
    return found


def _two_offer_funnel(live: LiveCartpath, platform: Platform, domain: str, items) -> None:
    (first, second) = items
    offers = {
        "main": _offer(*first, on_accept="more"),
        "more": _offer(*second, headline="One more?", shipping={"kind": "quoted"}),
    }
    _funnel(live, platform, domain, offers, "main")


def _paid_to_offer(live: LiveCartpath, browser: requests.Session, url: str) -> str:
    answer = pay(browser, url, tokenize(live.sandbox, cards.GOOD), save_card="yes")
    assert answer.status_code == 303, answer.text
    match = OFFER.search(answer.headers["Location"])
    assert match, f"a paid shopper goes to the offer, not {answer.headers['Location']}"
    return match.group(1)


def _total_on(page: str) -> Decimal:
    shown = re.search(r'data-testid="offer-total">[^0-9]*([0-9,]+\.[0-9]{2})', page)
    assert shown, "the offer page shows its total"
    return Decimal(shown.group(1).replace(",", ""))


def _post_offer(browser: requests.Session, url: str, offer: str, answer: str, **form: str):
    return browser.post(
        f"{url}/offers/{offer}/{answer}", data=form, timeout=30, allow_redirects=False
    )


def _shown(live: LiveCartpath, token: str) -> ShownOffer:
    with services_of(live.app).database.session() as session:
        return session.scalar(select(ShownOffer).where(ShownOffer.token == token))


def _ledger_matches_stripe(live: LiveCartpath) -> list[Payment]:
    with services_of(live.app).database.session() as session:
        paid = session.scalars(
            select(Payment).where(Payment.status == PaymentStatus.SUCCEEDED).order_by(Payment.id)
        ).all()
    charged = sorted(i["amount"] for i in succeeded(live.sandbox))
    assert sorted(Money.of(p.amount, p.currency).to_minor() for p in paid) == charged
    return list(paid)


@pytest.mark.parametrize("platform", [Platform.SHOPIFY, Platform.BIGCOMMERCE])
def test_accept_then_decline_adds_the_paid_item_to_the_platform_order_once(shop, platform):
    if platform is Platform.SHOPIFY:
        items, domain = _shopify_items(shop), SHOP
        browser, url = ready_checkout(shop)
    else:
        items, domain = _bigcommerce_items(shop), STORE
        browser, url, *_ = bigcommerce_checkout(shop)
    _two_offer_funnel(shop, platform, domain, items)

    first = _paid_to_offer(shop, browser, url)
    page = browser.get(f"{url}/offers/{first}", timeout=15)
    assert page.status_code == 200
    assert "Add a second one" in page.text
    shown = _shown(shop, first)
    assert _total_on(page.text) == shown.total == Decimal(shown.quote["total"])
    assert Decimal(shown.quote["unit_price"]) == Decimal(shown.quote["list_unit_price"]) / 2

    accepted = _post_offer(browser, url, first, "accept")
    assert accepted.status_code == 303, accepted.text
    second = OFFER.search(accepted.headers["Location"]).group(1)
    assert "One more?" in browser.get(f"{url}/offers/{second}", timeout=15).text
    declined = _post_offer(browser, url, second, "decline")
    assert declined.status_code == 303
    assert declined.headers["Location"].endswith("/thank-you")

    thanks = browser.get(f"{url}/thank-you", timeout=15)
    assert thanks.text.count('data-testid="added-line"') == 1
    assert _shown(shop, first).status is OfferStatus.PAID
    assert _shown(shop, second).status is OfferStatus.DECLINED
    payments = _ledger_matches_stripe(shop)
    assert [p.kind for p in payments] == [PaymentKind.CHECKOUT, PaymentKind.UPSELL]
    assert payments[1].amount == shown.total
    shop.wait_for_jobs(timeout=60)
    assert _platform_quantity(shop, platform, items[0]) == 1
    assert _platform_quantity(shop, platform, items[1]) == 0
    _platform_order_is_paid_in_full(shop, platform, payments, shown)
    with services_of(shop.app).database.session() as session:
        kinds = [
            e.kind for e in session.scalars(select(AnalyticsEvent).order_by(AnalyticsEvent.id))
        ]
    assert kinds == [
        EventKind.OFFER_SHOWN,
        EventKind.OFFER_ACCEPTED,
        EventKind.OFFER_PAID,
        EventKind.OFFER_SHOWN,
        EventKind.OFFER_DECLINED,
    ]


def _platform_quantity(live: LiveCartpath, platform: Platform, item: tuple[str, str]) -> int:
    """How many of the item the shop's only platform order holds."""
    state = live.sandbox.state()
    if platform is Platform.SHOPIFY:
        (order,) = state["shopify"]["shops"][SHOP]["orders"]
        return sum(li["quantity"] for li in order["line_items"] if str(li["variant_id"]) == item[1])
    (order,) = state["bigcommerce"]["stores"][STORE]["orders"].values()
    return sum(quantity for _p, variant, quantity in order["products"] if str(variant) == item[1])


ORDER_MONEY = """
query Paid($query: String!) {
  orders(first: 1, query: $query) { nodes {
    displayFinancialStatus
    totalPriceSet { shopMoney { amount } }
    totalReceivedSet { shopMoney { amount } }
    totalOutstandingSet { shopMoney { amount } }
    transactions(first: 10) { gateway amountSet { shopMoney { amount } } }
  } }
}
"""


def _platform_order_is_paid_in_full(
    live: LiveCartpath, platform: Platform, payments: list[Payment], shown: ShownOffer
) -> None:
    """The platform order holds the item at the offer's price and is paid: its total is
    what the gateway took for the order and the offer (Shopify: two payments recorded,
    nothing outstanding; BigCommerce, which has no payments to record: the total)."""
    charged = sum(p.amount for p in payments)
    unit, list_unit = Decimal(shown.quote["unit_price"]), Decimal(shown.quote["list_unit_price"])
    with services_of(live.app).database.session() as session:
        ordered = session.get(Order, shown.order_id)
    shipping = ordered.shipping_total + Decimal(shown.quote["shipping"])  # the offer's added
    if platform is Platform.SHOPIFY:
        (order,) = live.sandbox.state()["shopify"]["shops"][SHOP]["orders"]
        added = [li for li in order["line_items"] if str(li["variant_id"]) == shown.variant_id]
        assert [Decimal(li["total_discount"]) for li in added] == [list_unit - unit]
        assert sum(Decimal(line["price"]) for line in order["shipping_lines"]) == shipping
        with live.app.app_context():
            shop_id = live.shop_id(platform, SHOP)
            query = {"query": f"tag:cartpath-{shown.order_reference}"}
            (paid,) = call(shop_id, lambda: graphql(ORDER_MONEY, query))["orders"]["nodes"]
        assert paid["displayFinancialStatus"] == "PAID"
        assert Decimal(paid["totalOutstandingSet"]["shopMoney"]["amount"]) == 0
        recorded = [Decimal(t["amountSet"]["shopMoney"]["amount"]) for t in paid["transactions"]]
        assert len(recorded) == 2, "the order's payment and the offer's, none twice"
        assert recorded[0] == payments[0].amount
        # Shopify recomputes the edited order's tax on the whole order; Cartpath quoted the
        # item's tax alone, so the two can round a cent apart (see ShopifyOrders.add_line);
        # a shipping rate the store does not tax must not be taxed (that was 29 cents).
        assert abs(recorded[1] - payments[1].amount) <= CENT
        assert abs(Decimal(paid["totalPriceSet"]["shopMoney"]["amount"]) - charged) <= CENT
        return
    api = bc.v2_api(live.sandbox, bc.install(live.sandbox)["access_token"])
    (order,) = api.Orders.all()
    lines = api.OrderProducts.all(parentid=order.id)
    added = [li for li in lines if str(li.variant_id) == shown.variant_id]
    assert [Decimal(li.price_ex_tax) for li in added] == [unit]
    assert Decimal(order.shipping_cost_ex_tax) == shipping
    # BigCommerce, too, rounds the tax of the whole order (see the Shopify case above).
    assert abs(Decimal(order.total_inc_tax) - charged) <= CENT
    assert f"cpupsell-{shown.id} (paid {shown.total:.2f}" in order.staff_notes


def _single_offer(live: LiveCartpath, **extra: Any) -> tuple[requests.Session, str, str]:
    """A paid Shopify checkout whose shopper is on a one-offer funnel's page."""
    items = _shopify_items(live)
    _funnel(live, Platform.SHOPIFY, SHOP, {"main": _offer(*items[0], **extra)}, "main")
    browser, url = ready_checkout(live)
    offer = _paid_to_offer(live, browser, url)
    assert browser.get(f"{url}/offers/{offer}", timeout=15).status_code == 200
    return browser, url, offer


def _nothing_more_charged(live: LiveCartpath) -> None:
    assert len(succeeded(live.sandbox)) == 1, "only the checkout was charged"
    with services_of(live.app).database.session() as session:
        upsells = session.scalars(select(Payment).where(Payment.kind == PaymentKind.UPSELL))
        assert upsells.all() == []


def test_twenty_clicks_on_accept_charge_once_and_add_one_line(shop):
    browser, url, offer = _single_offer(shop)
    cookies = browser.cookies.get_dict()

    def click() -> requests.Response:
        return requests.post(
            f"{url}/offers/{offer}/accept", cookies=cookies, timeout=60, allow_redirects=False
        )

    answers = _concurrently(*[click for _ in range(20)])

    assert sorted(a.status_code for a in answers).count(303) >= 1
    assert {a.status_code for a in answers} <= {303, 409}
    assert len(succeeded(shop.sandbox)) == 2, "the checkout and the offer, once"
    _ledger_matches_stripe(shop)
    shop.wait_for_jobs(timeout=60)
    assert _platform_quantity(shop, Platform.SHOPIFY, _shopify_items(shop)[0]) == 1


def test_a_replayed_accept_after_paying_charges_nothing_more(shop):
    browser, url, offer = _single_offer(shop)
    assert _post_offer(browser, url, offer, "accept").status_code == 303

    again = _post_offer(browser, url, offer, "accept")
    declined_after = _post_offer(browser, url, offer, "decline")

    assert again.status_code == 303
    assert again.headers["Location"].endswith("/thank-you")
    assert declined_after.status_code == 409
    assert len(succeeded(shop.sandbox)) == 2


def test_another_checkout_s_or_shop_s_offer_is_not_found(shop):
    browser, url, offer = _single_offer(shop)
    _other_browser, other_url = ready_checkout(shop)  # another checkout of the same shop
    _bc_browser, bc_url, *_ = bigcommerce_checkout(shop)  # a checkout of another shop

    for checkout_url in (other_url, bc_url):
        assert browser.get(f"{checkout_url}/offers/{offer}", timeout=15).status_code == 404
        refused = _post_offer(browser, checkout_url, offer, "accept")
        assert refused.status_code == 404
        assert "does not exist for your order" in refused.text
    assert _post_offer(browser, url, "no-such-offer", "accept").status_code == 404
    # Tokens Cartpath could never have issued (PostgreSQL refuses a NUL outright).
    for bad in ("%00offer", "x" * 65):
        assert browser.get(f"{url}/offers/{bad}", timeout=15).status_code == 404
        assert _post_offer(browser, url, bad, "accept").status_code == 404
    _nothing_more_charged(shop)
    assert _shown(shop, offer).status is OfferStatus.SHOWN


def test_an_expired_offer_is_refused_and_its_countdown_does_not_restart(shop):
    browser, url, offer = _single_offer(shop, countdown_seconds=600)
    first = _shown(shop, offer).expires_at
    assert first is not None
    assert 'data-testid="countdown"' in browser.get(f"{url}/offers/{offer}", timeout=15).text
    assert _shown(shop, offer).expires_at == first, "a reload does not reset the countdown"
    with services_of(shop.app).database.session() as session:
        row = session.scalar(select(ShownOffer).where(ShownOffer.token == offer))
        row.expires_at = first - timedelta(seconds=601)
        session.commit()

    refused = _post_offer(browser, url, offer, "accept")

    assert refused.status_code == 409
    assert "This offer has expired" in refused.text
    _nothing_more_charged(shop)


def test_an_offer_whose_funnel_changed_since_it_was_shown_is_refused(shop):
    browser, url, offer = _single_offer(shop)
    items = _shopify_items(shop)
    with services_of(shop.app).database.session() as session:
        funnel = session.scalar(select(Funnel))
        changed = {"main": _offer(*items[0], headline="Now twice the price")}
        definition = {"trigger": {"kind": "always"}, "entry": "main", "offers": changed}
        edit_funnel(session, funnel, actor="test", definition=definition)
        session.commit()

    refused = _post_offer(browser, url, offer, "accept")

    assert refused.status_code == 409
    assert "changed this offer after it was shown" in refused.text
    _nothing_more_charged(shop)


def test_an_item_no_longer_sold_is_refused_with_a_clear_page(shop):
    items = _bigcommerce_items(shop)
    _funnel(shop, Platform.BIGCOMMERCE, STORE, {"main": _offer(*items[0])}, "main")
    browser, url, *_ = bigcommerce_checkout(shop)
    offer = _paid_to_offer(shop, browser, url)
    connection = bc.connection(shop.sandbox, bc.install(shop.sandbox)["access_token"])
    connection.put(f"catalog/products/{items[0][0]}", {"inventory_tracking": "variant"})
    connection.put(f"catalog/products/{items[0][0]}/variants/{items[0][1]}", {"inventory_level": 0})

    refused = _post_offer(browser, url, offer, "accept")

    assert refused.status_code == 409
    assert "just sold out" in refused.text
    assert 'data-testid="continue"' in refused.text
    _nothing_more_charged(shop)
    assert _shown(shop, offer).status is OfferStatus.SHOWN


def test_no_saved_card_means_no_offer(shop):
    items = _shopify_items(shop)
    _funnel(shop, Platform.SHOPIFY, SHOP, {"main": _offer(*items[0])}, "main")
    browser, url = ready_checkout(shop)

    answer = pay(browser, url, tokenize(shop.sandbox, cards.GOOD))

    assert answer.headers["Location"].endswith("/thank-you")
    with services_of(shop.app).database.session() as session:
        (event,) = session.scalars(select(AnalyticsEvent)).all()
    assert (event.kind, event.reason) == (EventKind.OFFER_INELIGIBLE, "no_saved_card")


def test_3d_secure_failed_on_an_offer_adds_nothing_and_the_downsell_pays(shop):
    """The bank asks to authenticate every charge of this card: the checkout's and each
    offer's; failing it on the offer declines it and the decline path goes on."""
    sandbox = shop.sandbox
    first_item, second_item = _shopify_items(shop)
    offers = {"main": _offer(*first_item, on_decline="down"), "down": _offer(*second_item)}
    _funnel(shop, Platform.SHOPIFY, SHOP, offers, "main")
    browser, url = ready_checkout(shop)
    challenge = pay(browser, url, tokenize(sandbox, cards.THREE_D_SECURE), save_card="yes")
    done = browser.post(challenge.headers["Location"], data={"outcome": "complete"}, timeout=30)
    main = OFFER.search(done.url).group(1)

    bank = _post_offer(browser, url, main, "accept")
    assert bank.headers["Location"].startswith(f"{sandbox.url}/stripe/3ds/")
    failed = browser.post(bank.headers["Location"], data={"outcome": "fail"}, timeout=30)

    assert failed.status_code == 402
    assert "Your bank could not confirm this payment" in failed.text
    down = re.search(r'href="[^"]*/offers/([^"/]+)" data-testid="continue"', failed.text).group(1)
    assert _shown(shop, main).status is OfferStatus.FAILED
    bank = _post_offer(browser, url, down, "accept")
    paid = browser.post(bank.headers["Location"], data={"outcome": "complete"}, timeout=30)
    assert paid.url == f"{url}/thank-you"
    _ledger_matches_stripe(shop)
    shop.wait_for_jobs(timeout=60)
    assert _platform_quantity(shop, Platform.SHOPIFY, first_item) == 0
    assert _platform_quantity(shop, Platform.SHOPIFY, second_item) == 1


def test_the_shopper_chooses_the_variant_and_is_charged_its_platform_price(shop):
    products = shop.sandbox.state()["shopify"]["shops"][SHOP]["products"]
    bottle = next(p for p in products if len(p["variants"]) == 2)  # 500 ml and 1 l
    variants = [str(v["id"]) for v in bottle["variants"]]
    offer = _offer(str(bottle["id"]), variants[0], variant_ids=variants)
    _funnel(shop, Platform.SHOPIFY, SHOP, {"main": offer}, "main")
    browser, url = ready_checkout(shop)
    token = _paid_to_offer(shop, browser, url)
    page = browser.get(f"{url}/offers/{token}", timeout=15).text
    choices = _shown(shop, token).quote["choices"]
    assert [c["variant_id"] for c in choices] == variants
    assert [Decimal(c["list_unit_price"]) for c in choices] == [
        Decimal(v["price"]) for v in bottle["variants"]
    ], "each variant priced by the platform"
    assert page.count('data-testid="variant"') == 2

    refused = _post_offer(browser, url, token, "accept", variant="no-such-variant")
    assert refused.status_code == 400
    assert "choose one of the options" in refused.text
    _nothing_more_charged(shop)
    assert _shown(shop, token).status is OfferStatus.SHOWN

    accepted = _post_offer(browser, url, token, "accept", variant=variants[1])

    assert accepted.status_code == 303
    paid = _shown(shop, token)
    assert (paid.status, paid.variant_id) == (OfferStatus.PAID, variants[1])
    assert paid.total == Decimal(choices[1]["total"]) > Decimal(choices[0]["total"])
    payments = _ledger_matches_stripe(shop)
    assert payments[1].amount == paid.total
    shop.wait_for_jobs(timeout=60)
    assert _platform_quantity(shop, Platform.SHOPIFY, (str(bottle["id"]), variants[1])) == 1
    assert _platform_quantity(shop, Platform.SHOPIFY, (str(bottle["id"]), variants[0])) == 0


def _pickup_checkout(live: LiveCartpath, platform: Platform) -> tuple[requests.Session, str]:
    """A checkout whose shopper chose to collect the order, ready to pay."""
    if platform is Platform.SHOPIFY:
        browser, url = _start_shopify(live)
        page = _post(browser, url, action="contact", **US_ADDRESS).text
    else:
        browser, url, answer, *_ = bigcommerce_with_address(live)
        page = answer.text
    pickup = re.search(r'name="shipping_option" value="([^"]+)"[^>]*>\s*<label[^>]*>Pickup:', page)
    assert pickup, "the platform offers pickup"
    _post(browser, url, action="delivery", shipping_option=pickup.group(1))
    return browser, url


@pytest.mark.parametrize("platform", [Platform.SHOPIFY, Platform.BIGCOMMERCE])
def test_an_offer_on_an_order_to_collect_is_collected_with_it(shop, platform):
    """No shipping is charged for the item, and the platform's order, still one to collect,
    is paid in full."""
    items = _shopify_items(shop) if platform is Platform.SHOPIFY else _bigcommerce_items(shop)
    domain = SHOP if platform is Platform.SHOPIFY else STORE
    offer = _offer(*items[0], shipping={"kind": "flat", "amount": "4.00"})
    _funnel(shop, platform, domain, {"main": offer}, "main")
    browser, url = _pickup_checkout(shop, platform)

    token = _paid_to_offer(shop, browser, url)
    shown = _shown(shop, token)
    page = browser.get(f"{url}/offers/{token}", timeout=15).text
    accepted = _post_offer(browser, url, token, "accept")

    assert accepted.status_code == 303, accepted.text
    assert Decimal(shown.quote["shipping"]) == 0, "collected with the order"
    assert 'data-testid="shipping">None: collected with your order<' in page
    payments = _ledger_matches_stripe(shop)
    assert payments[1].amount == shown.total
    shop.wait_for_jobs(timeout=60)
    assert _platform_quantity(shop, platform, items[0]) == 1
    _platform_order_is_paid_in_full(shop, platform, payments, shown)
