"""What Shopify answered for a signed changeset, reported by our extension, and Shopify's
post-purchase limits: a payment that failed after the order was edited (partially_processed)
ends with no unpaid line, and no unpaid shipping line of a flat-shipping offer, on the
sandbox order, exactly once; at most the configured number of accepted offers; nothing
signed after the fulfilment hold."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import requests
from sqlalchemy import select

from analytics.models import AnalyticsEvent, EventKind
from core.models import Alert, Outbox, Platform
from core.services import services_of
from platforms.shopify.orders import EDIT_COMMIT, EDIT_SHIPPING, MANUAL_PAYMENT, _mutate
from platforms.shopify.unpaid_lines import (
    EDIT_BEGIN_LINES,
    EDIT_REMOVE_SHIPPING,
    remove_unpaid_line,
)
from tests.sandbox.test_shopify_post_purchase import DECLINES_LATER, buy, only_order, only_session
from tests.support.cartpath import SHOP, LiveCartpath, live_cartpath
from tests.support.shopify import ShopifySandbox
from tests.upsell.test_post_purchase import (
    _ask_offers,
    _offer,
    _product_of,
    _shopify_token,
    _shown,
    _sign,
    socks_then_cup,
    with_funnel,
)
from upsell.models import OfferStatus, ShownOffer
from upsell.native_outcomes import ALERT_KIND, settle_unreported, unpaid_line_of

GRAPHQL = r"/admin/api/[^/]+/graphql\.json$"
# A flat-shipping offer: its changeset adds the line ("Shipping", upsell.native) and this.
FLAT_SHIPPING = {"kind": "flat", "amount": "4.99"}


@pytest.fixture
def native(cartpath: LiveCartpath, sandbox) -> LiveCartpath:
    return socks_then_cup(cartpath, sandbox)


def _inventory(sandbox, sku: str) -> int:
    for product in sandbox.state()["shopify"]["shops"][SHOP]["products"]:
        for variant in product["variants"]:
            if variant["sku"] == sku:
                return variant["inventory_quantity"]
    raise AssertionError(sku)


def _report(live: LiveCartpath, reference: str, offer_id: str, status: Any, errors=()):
    return requests.post(
        f"{live.url}/post-purchase/changeset-result",
        json={"referenceId": reference, "offerId": offer_id, "status": status, "errors": errors},
        headers={"Authorization": f"Bearer {_shopify_token(reference)}"},
        timeout=10,
    )


def _shipping(order: dict[str, Any], *, removed: bool = False) -> list[tuple[str, str]]:
    """The order's shipping lines (REST), those an edit removed or the others."""
    lines = order["shipping_lines"]
    return [(line["title"], line["price"]) for line in lines if line["is_removed"] is removed]


def _apply_first_offer(live: LiveCartpath, sandbox) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """Sign and apply the newest purchase's first offer as our extension does, reporting
    nothing. Returns the reference, the offer and Shopify's ApplyChangesetResult."""
    shop = ShopifySandbox(sandbox.url)
    session = sandbox.state()["shopify"]["shops"][SHOP]["post_purchase"]["sessions"][-1]
    reference, offer = session["referenceId"], session["offers"][0]
    signed = _sign(live, reference, offer["id"], offer["changes"]).json()["token"]
    applied = requests.post(
        f"{shop.shop_url()}/post-purchase/apply",
        json={"referenceId": reference, "token": signed},
        timeout=10,
    ).json()
    return reference, offer, applied


def _events(live: LiveCartpath) -> list[tuple[EventKind, str | None]]:
    with services_of(live.app).database.session() as session:
        rows = session.execute(
            select(AnalyticsEvent.kind, AnalyticsEvent.reason).order_by(AnalyticsEvent.id)
        )
        return [tuple(row) for row in rows]


@pytest.mark.parametrize("socks_shipping", [None, FLAT_SHIPPING], ids=["quoted", "flat"])
def test_a_failed_upsell_payment_ends_with_no_unpaid_line(cartpath, sandbox, socks_shipping):
    # given: socks shipped as the store quotes (nothing added), or at a flat 4.99 that the
    # changeset adds as a shipping line of its own
    native = socks_then_cup(cartpath, sandbox, socks_shipping)
    # ... and a card Shopify can charge once, not again (the sandbox's partially_processed)
    shopper, shop = requests.Session(), ShopifySandbox(sandbox.url)
    socks_before = _inventory(sandbox, "MS-1")
    page = buy(shop, shopper, int(_product_of(sandbox, "TRS-42")[1]), DECLINES_LATER)
    paid, shipped = only_order(sandbox)["total_price"], _shipping(only_order(sandbox))

    # when: the shopper accepts; Shopify edits the order, the charge fails
    shopper.post(page.url.replace("/post-purchase", "/post-purchase/accept"), timeout=10)
    native.wait_for_jobs()

    # then: the line Shopify could not charge for is gone, the order is paid as before
    assert only_session(sandbox)["applications"][0]["status"] == "partially_processed"
    order = only_order(sandbox)
    assert [line["sku"] for line in order["line_items"]] == ["TRS-42"]
    assert (order["financial_status"], order["total_price"]) == ("paid", paid)
    assert _shipping(order) == shipped, "no shipping line but the purchase's own"
    assert _shipping(order, removed=True) == ([("Shipping", "4.99")] if socks_shipping else [])
    assert order["total_discounts"] == "0.00", "the offer's discount left with its line"
    assert _inventory(sandbox, "MS-1") == socks_before, "restocked"
    socks, _cup = _shown(native)
    assert socks.status is OfferStatus.FAILED
    assert f"cpunpaid-{socks.id}" in order["tags"]
    assert (EventKind.OFFER_FAILED, "payment_required") in _events(native)


def test_a_lost_answer_to_the_order_edit_still_removes_the_line_once(native, sandbox):
    # given: Shopify edited the order and the charge failed (our extension's own calls)
    shopper, shop = requests.Session(), ShopifySandbox(sandbox.url)
    socks_before = _inventory(sandbox, "MS-1")
    buy(shop, shopper, int(_product_of(sandbox, "TRS-42")[1]), DECLINES_LATER)
    reference, socks, applied = _apply_first_offer(native, sandbox)
    assert applied["status"] == "partially_processed"
    # ... and the job's commit (its sixth GraphQL request) succeeds but its answer is lost
    sandbox.fault(kind="slow", path=GRAPHQL, seconds=0.0, count=5)
    sandbox.fault(kind="drop", path=GRAPHQL, count=1)

    # when: the extension reports it, twice (its first answer lost too)
    assert _report(native, reference, socks["id"], "partially_processed", applied["errors"]).ok
    again = _report(native, reference, socks["id"], "partially_processed", applied["errors"])
    native.wait_for_jobs(timeout=60)

    # then: one removal, one job row that took two attempts
    assert again.json() == {"recorded": "failed"}
    order = only_order(sandbox)
    assert [line["sku"] for line in order["line_items"]] == ["TRS-42"]
    assert order["financial_status"] == "paid"
    assert _inventory(sandbox, "MS-1") == socks_before
    with services_of(native.app).database.session() as db:
        (row,) = db.scalars(select(Outbox).where(Outbox.job.like("%take_off_unpaid_line")))
        assert (row.status.value, row.attempts) == ("done", 2), row.last_error
    kinds = [kind for kind, _ in _events(native)]
    assert kinds.count(EventKind.OFFER_FAILED) == 1


def _buy(sandbox, card: str) -> None:
    """The shopper buys trousers through Shopify's checkout, reaching the post-purchase page."""
    trousers = int(_product_of(sandbox, "TRS-42")[1])
    buy(ShopifySandbox(sandbox.url), requests.Session(), trousers, card)


def _staff_edit(
    live: LiveCartpath, mutation: str, name: str, variables: Callable[[dict], dict]
) -> None:
    """Staff change the order in one committed edit: `mutation` (`name`), with the variables
    made from the calculated order."""
    order_id = only_order(live.sandbox)["admin_graphql_api_id"]
    with live.app.app_context():
        shop_id = live.shop_id(Platform.SHOPIFY, SHOP)
        begun = _mutate(shop_id, EDIT_BEGIN_LINES, "orderEditBegin", {"id": order_id})
        edit_id = begun["calculatedOrder"]["id"]
        change = {"id": edit_id, **variables(begun["calculatedOrder"])}
        _mutate(shop_id, mutation, name, change)
        _mutate(shop_id, EDIT_COMMIT, "orderEditCommit", {"id": edit_id, "staffNote": "staff"})


def test_a_lost_answer_takes_the_offers_shipping_off_once(cartpath, sandbox):
    # given: socks at a flat 4.99 shipping; an order that staff had already charged 4.99
    # more for shipping under the same title, paid
    native = socks_then_cup(cartpath, sandbox, FLAT_SHIPPING)
    _buy(sandbox, DECLINES_LATER)
    price = {"amount": "4.99", "currencyCode": "USD"}
    shipping = {"shippingLine": {"title": "Shipping", "price": price}}
    _staff_edit(native, EDIT_SHIPPING, "orderEditAddShippingLine", lambda _order: shipping)
    with native.app.app_context():
        payment = {
            "id": only_order(sandbox)["admin_graphql_api_id"],
            "amount": price,
            "paymentMethodName": "cash",
        }
        shop_id = native.shop_id(Platform.SHOPIFY, SHOP)
        _mutate(shop_id, MANUAL_PAYMENT, "orderCreateManualPayment", payment)
    paid, shipped = only_order(sandbox)["total_price"], _shipping(only_order(sandbox))
    assert (only_order(sandbox)["financial_status"], shipped[-1]) == ("paid", ("Shipping", "4.99"))
    # ... then Shopify added the socks and their shipping, and could not charge for them
    reference, socks, applied = _apply_first_offer(native, sandbox)
    assert applied["status"] == "partially_processed"
    assert _shipping(only_order(sandbox)) == [*shipped, ("Shipping", "4.99")]
    # ... and the job's commit (its seventh GraphQL request, after taking the line and the
    # shipping off) succeeds but its answer is lost
    sandbox.fault(kind="slow", path=GRAPHQL, seconds=0.0, count=6)
    sandbox.fault(kind="drop", path=GRAPHQL, count=1)

    # when: the extension reports the failure; the job is retried
    assert _report(native, reference, socks["id"], "partially_processed", applied["errors"]).ok
    native.wait_for_jobs(timeout=60)

    # then: one shipping line went, the changeset's (the last of that title and price); the
    # retry took nothing more, so the order is paid in full as before the offer
    order = only_order(sandbox)
    assert [line["sku"] for line in order["line_items"]] == ["TRS-42"]
    assert _shipping(order) == shipped
    assert _shipping(order, removed=True) == [("Shipping", "4.99")]
    assert (order["financial_status"], order["total_price"]) == ("paid", paid)
    with services_of(native.app).database.session() as db:
        (row,) = db.scalars(select(Outbox).where(Outbox.job.like("%take_off_unpaid_line")))
        assert (row.status.value, row.attempts) == ("done", 2), row.last_error


def _failed_offer_whose_shipping_staff_took_off(cartpath, sandbox) -> LiveCartpath:
    """A flat-shipping offer Shopify could not charge for (unreported), whose shipping line
    staff have taken off the order by hand."""
    native = socks_then_cup(cartpath, sandbox, FLAT_SHIPPING)
    _reference, status = _accept_without_report(native, sandbox, DECLINES_LATER)
    assert status == "partially_processed"
    _staff_edit(
        native,
        EDIT_REMOVE_SHIPPING,
        "orderEditRemoveShippingLine",
        lambda order: {"shippingLineId": order["shippingLines"][-1]["id"]},
    )
    return native


def test_offer_shipping_gone_before_the_job_leaves_the_line_removed_and_says_so(cartpath, sandbox):
    # given: a failed flat-shipping offer whose shipping staff have taken off already
    native = _failed_offer_whose_shipping_staff_took_off(cartpath, sandbox)
    socks = next(s for s in _shown(native) if s.offer_key == "socks")

    # when: the unpaid line is taken off
    with native.app.app_context():
        hold = services_of(native.app).config.post_purchase_hold
        shop_id = native.shop_id(Platform.SHOPIFY, SHOP)
        removal = remove_unpaid_line(shop_id, unpaid_line_of(socks, hold))

    # then: the item went; the outcome names the shipping it did not find, nothing is owed
    assert str(removal) == (
        "removed the line only; no shipping line 'Shipping' at 4.99 on the order"
    )
    assert removal.still_owed == 0
    order = only_order(sandbox)
    assert [line["sku"] for line in order["line_items"]] == ["TRS-42"]
    assert order["financial_status"] == "paid"


def test_offer_shipping_still_owed_under_another_title_alerts_staff(cartpath, sandbox):
    # given: a failed flat-shipping offer whose 4.99 shipping the order shows under another
    # title than the offer's
    native = _failed_offer_whose_shipping_staff_took_off(cartpath, sandbox)
    price = {"amount": "4.99", "currencyCode": "USD"}
    delivery = {"shippingLine": {"title": "Delivery", "price": price}}
    _staff_edit(native, EDIT_SHIPPING, "orderEditAddShippingLine", lambda _order: delivery)

    # when: the periodic check finds the failed payment and takes the unpaid line off
    _after_the_hold(native)

    # then: the item went, the 4.99 is still due, and staff are told to settle it
    order = only_order(sandbox)
    assert [line["sku"] for line in order["line_items"]] == ["TRS-42"]
    assert order["financial_status"] == "partially_paid"
    with services_of(native.app).database.session() as db:
        (alert,) = db.scalars(select(Alert).where(Alert.kind == ALERT_KIND)).all()
    assert "still shows 4.99 due" in alert.message
    assert "'Shipping' at 4.99" in alert.message


def test_a_paid_changeset_is_recorded_and_a_false_failure_report_removes_nothing(native, sandbox):
    shopper, shop = requests.Session(), ShopifySandbox(sandbox.url)
    page = buy(shop, shopper, int(_product_of(sandbox, "TRS-42")[1]))
    shopper.post(page.url.replace("/post-purchase", "/post-purchase/accept"), timeout=10)
    reference = only_session(sandbox)["referenceId"]
    socks, cup = _shown(native)

    conflicting = _report(native, reference, socks.token, "partially_processed")
    never_accepted = _report(native, reference, cup.token, "processed")
    native.wait_for_jobs()

    assert socks.status is OfferStatus.PAID
    assert conflicting.status_code == 409
    assert never_accepted.status_code == 409
    assert [line["sku"] for line in only_order(sandbox)["line_items"]] == ["TRS-42", "MS-1"]


@pytest.mark.parametrize(
    ("status", "offer", "token", "expected"),
    [
        ("declined", "socks", None, 400),
        (None, "socks", None, 400),
        ("processed", "no-such-offer", None, 404),
        ("processed", "socks", "bad", 401),
    ],
)
def test_bad_reports_change_nothing(native, sandbox, status, offer, token, expected):
    offers = _ask_offers(native, "purchase-r")
    offer_id = offers[0]["id"] if offer == "socks" else offer
    _sign(native, "purchase-r", offers[0]["id"], offers[0]["changes"]).raise_for_status()
    headers = {"Authorization": f"Bearer {token or _shopify_token('purchase-r')}"}

    answer = requests.post(
        f"{native.url}/post-purchase/changeset-result",
        json={"referenceId": "purchase-r", "offerId": offer_id, "status": status},
        headers=headers,
        timeout=10,
    )

    assert answer.status_code == expected
    assert answer.json()["message"]
    assert _shown(native)[0].status is OfferStatus.ACCEPTED


def test_no_offer_is_signed_after_shopifys_fulfilment_hold(native):
    socks = _ask_offers(native, "purchase-held")[0]
    with services_of(native.app).database.session() as session:
        for shown in session.scalars(select(ShownOffer)):
            shown.created_at -= timedelta(hours=2)  # Shopify has released the order since
        session.commit()

    refused = _sign(native, "purchase-held", socks["id"], socks["changes"])

    assert refused.status_code == 409
    assert "fulfilment" in refused.json()["message"]


def test_a_countdown_never_outlasts_the_hold(make_config, sandbox):
    with live_cartpath(make_config(), sandbox, post_purchase_hold=600.0) as live:
        offer = {**_offer(sandbox, "MS-1", "Socks?"), "countdown_seconds": 3600}
        with_funnel(live, sandbox, {"socks": offer}, "socks")

        (socks,) = _ask_offers(live, "purchase-clock")

        (shown,) = _shown(live)
        assert (shown.expires_at - shown.created_at) <= timedelta(seconds=601)
        assert socks["expiresAt"].endswith("Z")


def test_the_accepted_offers_setting_caps_an_order(make_config, sandbox):
    with live_cartpath(make_config(), sandbox, upsell_max_accepted=1) as live:
        offers = {
            "socks": _offer(sandbox, "MS-1", "Socks?", on_accept="cup"),
            "cup": _offer(sandbox, "EG-6", "And an egg cup?"),
        }
        with_funnel(live, sandbox, offers, "socks")
        socks, cup = _ask_offers(live, "purchase-cap")

        first = _sign(live, "purchase-cap", socks["id"], socks["changes"])
        second = _sign(live, "purchase-cap", cup["id"], cup["changes"])

        assert first.status_code == 200
        assert second.status_code == 409
        assert "all the offers" in second.json()["message"]


def _decline(live: LiveCartpath, reference: str, offer_id: str):
    return requests.post(
        f"{live.url}/post-purchase/decline",
        json={"referenceId": reference, "offerId": offer_id},
        headers={"Authorization": f"Bearer {_shopify_token(reference)}"},
        timeout=10,
    )


def test_a_decline_is_recorded_once_and_never_undoes_an_accept(native):
    socks, cup = _ask_offers(native, "purchase-d")
    _sign(native, "purchase-d", socks["id"], socks["changes"]).raise_for_status()

    twice = [_decline(native, "purchase-d", cup["id"]) for _ in range(2)]
    accepted = _decline(native, "purchase-d", socks["id"])
    elsewhere = _decline(native, "purchase-e", cup["id"])

    assert [a.json() for a in twice] == [{"recorded": "declined"}] * 2
    assert (accepted.status_code, elsewhere.status_code) == (409, 404)
    kinds = [kind for kind, _ in _events(native)]
    assert kinds.count(EventKind.OFFER_DECLINED) == 1
    assert _sign(native, "purchase-d", cup["id"], cup["changes"]).status_code == 409


def _accept_without_report(live: LiveCartpath, sandbox, card: str) -> tuple[str, str]:
    """Buy, then sign and apply the first offer as our extension does, but report nothing
    (the shopper closed the page first). Returns the reference and Shopify's status."""
    _buy(sandbox, card)
    reference, _, applied = _apply_first_offer(live, sandbox)
    return reference, applied["status"]


def _after_the_hold(live: LiveCartpath) -> None:
    """Accepted offers age past Shopify's hold; the periodic check runs."""
    svc = services_of(live.app)
    with svc.database.session() as session:
        for shown in session.scalars(select(ShownOffer)):
            if shown.decided_at is not None:
                shown.decided_at -= timedelta(hours=2)
        session.commit()
    with live.app.app_context():
        settle_unreported(svc)
    live.wait_for_jobs()


def test_an_unreported_failed_payment_is_found_after_the_hold(native, sandbox):
    # given: a paid upsell whose result never reached Cartpath
    paid_ref, paid = _accept_without_report(native, sandbox, "4242424242424242")
    _after_the_hold(native)
    # ... and then one whose charge failed, also unreported
    failed_ref, failed = _accept_without_report(native, sandbox, DECLINES_LATER)

    # when: the periodic check runs again
    _after_the_hold(native)

    # then: the unpaid line is gone; the paid one stays, accepted (the order cannot tell more)
    assert (paid, failed) == ("processed", "partially_processed")
    orders = sandbox.state()["shopify"]["shops"][SHOP]["orders"]
    assert [[line["sku"] for line in o["line_items"]] for o in orders] == [
        ["TRS-42", "MS-1"],
        ["TRS-42"],
    ]
    assert all(o["financial_status"] == "paid" for o in orders)
    status = {s.order_reference: s.status for s in _shown(native) if s.offer_key == "socks"}
    assert status == {paid_ref: OfferStatus.ACCEPTED, failed_ref: OfferStatus.FAILED}
