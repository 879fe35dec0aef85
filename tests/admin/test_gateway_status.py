"""The payments status in the admin asks the sandbox's Stripe (GET /v1/balance) at most once
per interval, whatever Settings, Home and a watched export load; Check again asks at once;
Home's checklist ticks the gateway only when the answer Settings shows is "connected"."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from auth.models import Role
from checkout.models import OrderExport
from core.services import services_of
from sandbox.demo_credentials import STRIPE_PUBLISHABLE_KEY, STRIPE_SECRET_KEY
from tests.support.admin import AdminClient, admin_client
from tests.support.cartpath import STORE, LiveCartpath, live_cartpath
from tests.support.sandbox import SandboxControl

BALANCE = r"^/stripe/v1/balance$"


@contextmanager
def _hosted(make_config, sandbox: SandboxControl, **config: object) -> Iterator[LiveCartpath]:
    """A hosted Shopify shop and a BigCommerce store on one Cartpath with Stripe keys set."""
    settings = make_config(
        stripe_secret_key=STRIPE_SECRET_KEY, stripe_publishable_key=STRIPE_PUBLISHABLE_KEY, **config
    )
    with live_cartpath(settings, sandbox, shopify_distribution="custom") as live:
        live.install_shopify()
        live.install_bigcommerce()
        yield live


@pytest.fixture
def balance_calls(sandbox) -> Callable[[], int]:
    """GET /v1/balance requests since the test began, installs included."""
    return sandbox.count_requests(BALANCE)


@pytest.fixture
def hosted(make_config, sandbox, balance_calls) -> Iterator[LiveCartpath]:
    with _hosted(make_config, sandbox) as live:
        yield live


def _text(page: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</', page, re.S)
    assert found, f"no {testid} on the page"
    return html.unescape(found.group(1)).strip()


def _gateway_step(page: str) -> str:
    found = re.search(r'data-testid="step-gateway" data-done="(yes|no)"', page)
    assert found, "no gateway step on Home"
    return found.group(1)


def _check_again(client: AdminClient) -> str:
    answer = client.post("/admin/settings/gateway-check")
    assert answer.status_code == 303, answer.text
    return client.get(answer.headers["Location"].split("?")[0], notice=_notice(answer)).text


def _notice(answer) -> str:
    return re.search(r"notice=([^&]+)", answer.headers["Location"]).group(1)


def test_page_views_of_every_shop_and_a_watched_export_ask_stripe_once(hosted, balance_calls):
    owner, other_shop = admin_client(hosted), admin_client(hosted, shop=STORE)
    with services_of(hosted.app).database.session() as session:
        export = OrderExport(shop_id=owner.identity.shop_id, requested_by="t", total=9, done=3)
        session.add(export)
        session.commit()
        export_id = export.id

    # when: Settings and Home, in both shops, and a running export watched for a while
    pages = [owner.get("/admin/settings").text for _ in range(3)]
    pages += [other_shop.get("/admin/settings").text]
    homes = [owner.get("/admin").text, other_shop.get("/admin").text]
    for _ in range(5):
        assert "Exporting: 3 of 9 orders" in owner.get(f"/admin/settings/exports/{export_id}").text

    # then: one question to Stripe, and every page shows its answer and when it was asked
    assert balance_calls() == 1
    assert {_text(page, "gateway-status") for page in pages} == {"connected"}
    assert len({_text(page, "gateway-checked") for page in pages}) == 1, "the same answer"
    assert "Check again</button>" in pages[0]
    assert "keeps the answer for 5 minutes" in pages[0]
    assert [_gateway_step(home) for home in homes] == ["yes", "yes"]


def test_after_the_interval_the_next_view_asks_again(make_config, sandbox, balance_calls):
    with _hosted(make_config, sandbox, gateway_check_interval=1.0) as live:
        owner = admin_client(live)
        first = owner.get("/admin/settings").text
        asked = balance_calls()
        owner.get("/admin/settings")
        within = balance_calls()
        time.sleep(1.2)
        later = owner.get("/admin/settings").text

    assert within == asked == 1, "a second view within the second reads the answer"
    assert balance_calls() == 2
    assert _text(later, "gateway-checked") != _text(first, "gateway-checked")


def test_check_again_asks_stripe_once_for_anyone_in_a_hosted_shop(hosted, balance_calls):
    owner = admin_client(hosted)
    before = _text(owner.get("/admin/settings").text, "gateway-checked")
    asked = balance_calls()
    time.sleep(1)  # the time shown is to the second

    page = _check_again(owner)
    support_page = _check_again(admin_client(hosted, user_id="3", role=Role.SUPPORT))

    assert balance_calls() == asked + 2, "one call per Check again, none for the pages after"
    assert "The card gateway was checked: connected." in page
    assert _text(page, "gateway-checked") != before
    assert "The card gateway was checked: connected." in support_page


def test_a_native_shop_has_no_gateway_to_check(cartpath, sandbox):
    cartpath.install_shopify()  # a public install: Shopify's checkout
    calls = sandbox.count_requests(BALANCE)

    refused = admin_client(cartpath).post("/admin/settings/gateway-check")

    assert refused.status_code == 409
    assert "there is no gateway to check" in refused.text
    assert calls() == 0


def test_home_agrees_with_settings_when_stripe_fails_and_when_it_recovers(hosted, sandbox):
    owner = admin_client(hosted)
    # given: Stripe answers the next balance request with a 500; later ones are counted
    sandbox.clear_faults()
    sandbox.fault(kind="status", status=500, path=BALANCE, count=1)
    calls = sandbox.count_requests(BALANCE)

    # when: the owner checks the gateway again from Settings, then opens Home
    failed = _check_again(owner)
    home = owner.get("/admin").text

    # then: both say the gateway is not connected, from the one failed answer
    assert _text(failed, "gateway-status") == "unreachable"
    assert "did not answer" in _text(failed, "gateway-detail")
    assert _gateway_step(home) == "no"
    assert "did not answer" in re.search(r'data-testid="step-gateway".*?</li>', home, re.S)[0]
    assert calls() == 0, "Home asked nothing: a fresh question would have been answered"

    # when: Stripe answers again and the owner checks again
    recovered = _check_again(owner)

    # then: Settings and Home agree again
    assert calls() == 1
    assert _text(recovered, "gateway-status") == "connected"
    assert _gateway_step(owner.get("/admin").text) == "yes"
