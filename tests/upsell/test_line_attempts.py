"""Each try at adding a paid offer's item to the platform order is recorded, like the
order's own write-back tries: the store failing, an answer lost (the next try finds the
item already there, by its marker), and a store that never takes it (given up, staff
alerted). Over HTTP against the sandbox BigCommerce and its Stripe."""

from __future__ import annotations

import requests
from sqlalchemy import select

from checkout.models import AttemptOutcome, Order, WritebackAttempt
from core.models import Alert, Platform
from core.services import services_of
from tests.checkout.test_paying import bigcommerce_checkout
from tests.support.cartpath import STORE, LiveCartpath
from tests.upsell.test_hosted import (
    _bigcommerce_items,
    _funnel,
    _offer,
    _paid_to_offer,
    _platform_quantity,
    _post_offer,
    _shown,
)
from upsell.lines import ALERT_KIND

# add_line reads the order (GET /v2/orders/{id}), then updates it (PUT): nothing else
# updates it once the order's own write-back is done (webhook jobs read it too).
ORDER = r"/v2/orders/\d+$"


def bigcommerce_offer(live: LiveCartpath) -> tuple[requests.Session, str, str, tuple[str, str]]:
    """A paid BigCommerce checkout whose shopper is on a one-offer funnel's page: the
    browser, the checkout URL, the offer's token and the offered (product, variant)."""
    item = _bigcommerce_items(live)[0]
    _funnel(live, Platform.BIGCOMMERCE, STORE, {"main": _offer(*item)}, "main")
    browser, url, *_ = bigcommerce_checkout(live)
    return browser, url, _paid_to_offer(live, browser, url), item


def item_attempts(live: LiveCartpath, offer: str) -> list[WritebackAttempt]:
    """The tries at adding the offer's item, oldest first."""
    shown = _shown(live, offer)
    with services_of(live.app).database.session() as session:
        return list(
            session.scalars(
                select(WritebackAttempt)
                .where(WritebackAttempt.shown_offer_id == shown.id)
                .order_by(WritebackAttempt.id)
            )
        )


def item_alerts(live: LiveCartpath) -> list[Alert]:
    with services_of(live.app).database.session() as session:
        return list(session.scalars(select(Alert).where(Alert.kind == ALERT_KIND)))


def test_a_failed_and_a_lost_try_are_recorded_and_the_item_added_once(open_shop):
    shop = open_shop(writeback_backoff_scale=0.001)
    browser, url, offer, item = bigcommerce_offer(shop)
    shop.wait_for_jobs(timeout=60)  # the order is on the platform: the item waits for nothing
    # given: the store answers 503 to the first update of the order, then makes the next
    # but its answer is lost
    shop.sandbox.fault(kind="status", status=503, path=ORDER, method="PUT", count=1)
    shop.sandbox.fault(kind="drop", path=ORDER, method="PUT", count=1)

    assert _post_offer(browser, url, offer, "accept").status_code == 303
    shop.wait_for_jobs(timeout=60)

    attempts = item_attempts(shop, offer)
    assert [(a.number, a.outcome, a.platform_status) for a in attempts] == [
        (1, AttemptOutcome.RETRYING, 503),
        (2, AttemptOutcome.RETRYING, None),
        (3, AttemptOutcome.ALREADY_THERE, None),
    ]
    assert attempts[0].error == "RetriableError: BigCommerce answered 503"
    assert attempts[1].error.startswith("RetriableError: BigCommerce unreachable")
    assert attempts[2].error is None
    assert all(a.finished_at for a in attempts)
    assert _platform_quantity(shop, Platform.BIGCOMMERCE, item) == 1, "added once"
    assert item_alerts(shop) == []
    with services_of(shop.app).database.session() as session:
        order = session.get(Order, _shown(shop, offer).order_id)
        own = session.scalars(
            select(WritebackAttempt.outcome).where(
                WritebackAttempt.order_id == order.id, WritebackAttempt.shown_offer_id.is_(None)
            )
        ).all()
    assert own == [AttemptOutcome.WRITTEN], "the order's own write-back is told apart"


def test_an_item_the_store_never_takes_is_given_up_and_staff_are_alerted(open_shop):
    shop = open_shop(writeback_backoff_scale=0.001)
    browser, url, offer, item = bigcommerce_offer(shop)
    shop.wait_for_jobs(timeout=60)
    shop.sandbox.fault(kind="status", status=503, path=ORDER, method="PUT", count=None)

    assert _post_offer(browser, url, offer, "accept").status_code == 303
    shop.wait_for_jobs(timeout=90)

    attempts = item_attempts(shop, offer)
    assert [a.number for a in attempts] == list(range(1, 10)), "every try the policy allows"
    assert [a.outcome for a in attempts] == [AttemptOutcome.RETRYING] * 8 + [AttemptOutcome.FAILED]
    assert all(a.platform_status == 503 and a.finished_at for a in attempts)
    assert attempts[-1].error == "RetriableError: BigCommerce answered 503"
    (alert,) = item_alerts(shop)
    assert alert.subject == f"order:{_shown(shop, offer).order_reference}"
    assert "could not be added to the platform order" in alert.message
    assert _platform_quantity(shop, Platform.BIGCOMMERCE, item) == 0
