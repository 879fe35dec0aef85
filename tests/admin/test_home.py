"""Home: the setup checklist worked out from the database, and the numbers for a period
of the shop's own days from known orders, offers, events and refunds, for this shop only.

The sandbox's demo Shopify shop is in New York (its timezone is read on install), its
BigCommerce store in Chicago, the other shop in Berlin."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import select

from auth.models import Role, StaffMember
from checkout.models import CheckoutDesign
from core.db import utcnow
from core.models import Platform, Shop, StorefrontHandoff
from core.services import services_of
from core.shop_calendar import ShopCalendar
from sandbox import demo_credentials as demo
from tests.support.admin import admin_client, staff_member
from tests.support.cartpath import OTHER_SHOP, SHOP, STORE, LiveCartpath, live_cartpath
from tests.support.ledger import known_day, placed_order
from upsell.models import Funnel, FunnelStatus


@pytest.fixture
def hosted(make_config, sandbox) -> Iterator[LiveCartpath]:
    """Cartpath as an authorized custom Shopify app (hosted mode), with no gateway yet."""
    with live_cartpath(make_config(), sandbox, shopify_distribution="custom") as live:
        yield live


NEW_YORK = ShopCalendar.named("America/New_York")


def _yesterday_noon() -> datetime:
    """Noon yesterday in New York: yesterday for the demo shop and the Chicago store."""
    return datetime.combine(NEW_YORK.today() - timedelta(days=1), time(12), NEW_YORK.zone)


def _text(page, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</', page.text, re.S)
    assert found, f"no {testid} on the page"
    return html.unescape(found.group(1)).strip()


def _step(page, key: str) -> str:
    found = re.search(rf'data-testid="step-{key}" data-done="(yes|no)"', page.text)
    assert found, f"no checklist step {key}"
    return found.group(1)


def _step_html(page, key: str) -> str:
    found = re.search(rf'data-testid="step-{key}".*?</li>', page.text, re.S)
    assert found, f"no checklist step {key}"
    return found.group(0)


def _with_ledger(live: LiveCartpath, fill) -> None:
    with services_of(live.app).database.session() as session:
        fill(session)
        session.commit()


def test_a_new_hosted_shop_sees_what_to_do_first(hosted):
    hosted.install_shopify()

    page = admin_client(hosted).get("/admin")

    assert page.status_code == 200
    assert _text(page, "mode") == "hosted"
    assert {
        key: _step(page, key) for key in ("mode", "gateway", "design", "funnel", "handoff")
    } == {
        "mode": "yes",
        "gateway": "no",
        "design": "no",
        "funnel": "no",
        "handoff": "no",
    }
    assert _text(page, "setup-progress") == "1 of 5 done"
    assert "Start with “Card gateway connected”" in page.text
    assert "No orders through Cartpath yet" in page.text
    # Each step not done links to the page that completes it, signed in as this person.
    for key, path in (
        ("gateway", "/admin/settings"),
        ("design", "/admin/design"),
        ("funnel", "/admin/funnels"),
        ("handoff", "/admin/settings"),
    ):
        assert re.search(rf'href="{path}\?admin_token=[^"]+"', _step_html(page, key)), key


def _finish_setup(session, shop_id: int) -> None:
    """A design published, a funnel active and the hand-off on, as the admin's pages leave them."""
    session.add(
        CheckoutDesign(
            shop_id=shop_id, draft={}, published={"accent": "#123"}, published_at=utcnow()
        )
    )
    session.add(Funnel(shop_id=shop_id, name="Socks", status=FunnelStatus.ACTIVE))
    session.get(Shop, shop_id).storefront_handoff = StorefrontHandoff.ON


def test_the_checklist_follows_the_database(make_config, sandbox):
    config = make_config(
        stripe_secret_key=demo.STRIPE_SECRET_KEY,
        stripe_publishable_key=demo.STRIPE_PUBLISHABLE_KEY,
    )
    with live_cartpath(config, sandbox, shopify_distribution="custom") as live:
        shop_id = live.install_shopify()

        _with_ledger(live, lambda session: _finish_setup(session, shop_id))
        page = admin_client(live).get("/admin")

    assert [_step(page, k) for k in ("mode", "gateway", "design", "funnel", "handoff")] == [
        "yes"
    ] * 5
    assert _text(page, "setup-progress") == "All done"


def test_half_done_steps_and_another_shops_setup_tick_nothing(hosted):
    shop_id = hosted.install_shopify()
    other_id = hosted.install_shopify(OTHER_SHOP)

    def half_done(session):
        # this shop: a design saved but not published, a draft and a paused funnel, the
        # hand-off only in test mode
        session.add(CheckoutDesign(shop_id=shop_id, draft={"accent": "#123"}, published=None))
        session.add(Funnel(shop_id=shop_id, name="Draft", status=FunnelStatus.DRAFT))
        session.add(Funnel(shop_id=shop_id, name="Paused", status=FunnelStatus.PAUSED))
        session.get(Shop, shop_id).storefront_handoff = StorefrontHandoff.TEST
        _finish_setup(session, other_id)  # the other shop: all of it done

    _with_ledger(hosted, half_done)
    page = admin_client(hosted).get("/admin")

    assert [_step(page, k) for k in ("design", "funnel", "handoff")] == ["no"] * 3
    assert "Test mode: only test visitors" in _step_html(page, "handoff")
    assert _text(page, "setup-progress") == "1 of 5 done"


def test_a_native_shop_needs_no_gateway_nor_hand_off(cartpath):
    cartpath.install_shopify()  # a public install: Shopify's checkout

    page = admin_client(cartpath).get("/admin")

    assert _text(page, "mode") == "native"
    assert _step(page, "gateway") == "yes"
    assert 'data-testid="step-handoff"' not in page.text
    assert "No upsells yet" in page.text


def test_the_numbers_come_from_the_shops_orders_net_of_refunds_and_cancellations(hosted):
    shop_id = hosted.install_shopify()
    other_id = hosted.install_shopify(OTHER_SHOP)
    _with_ledger(hosted, lambda session: known_day(session, shop_id, _yesterday_noon()))
    _with_ledger(
        hosted, lambda session: placed_order(session, other_id, "777.77", at=_yesterday_noon())
    )

    page = admin_client(hosted).get("/admin", days="7")

    assert page.status_code == 200
    assert _text(page, "revenue") == "$180.00"
    assert _text(page, "orders") == "4"  # 3 in USD, 1 in EUR; the cancelled one is out
    assert _text(page, "aov-with") == "$60.00"
    assert _text(page, "aov-without") == "$53.33"
    assert _text(page, "upsell-revenue") == "$20.00"
    assert _text(page, "take-rate") == "50.0%"
    assert _text(page, "conversion") == "57.1%"  # 4 orders of 7 checkouts
    assert _text(page, "eligibility") == "50.0%"  # 2 offered, 2 ineligible
    assert "After checkout (v1): Add socks" in page.text
    assert "no saved card" in page.text
    assert "no match" in page.text
    assert "€70.00" in page.text  # the EUR orders, apart
    assert "$777.77" not in page.text  # another shop's order
    assert "<svg" in page.text
    assert 'role="img"' in page.text
    assert "$180.00, 4 orders" not in page.text  # the chart is per currency: USD has 3
    assert f"{(NEW_YORK.today() - timedelta(days=1)).isoformat()}: $180.00, 3 orders" in page.text


def test_the_days_are_the_shops_own_from_its_midnight_to_the_next(hosted):
    shop_id = hosted.install_shopify()
    today = NEW_YORK.today()
    yesterday, first = today - timedelta(days=1), today - timedelta(days=6)  # 7 days
    late = datetime.combine(yesterday, time(23, 30), NEW_YORK.zone)  # the next day in UTC
    midnight = datetime.combine(first, time(0), NEW_YORK.zone)
    placed: list[int] = []

    def fill(session) -> None:
        placed.append(placed_order(session, shop_id, "42.00", at=late).id)
        placed_order(session, shop_id, "5.00", at=midnight)
        placed_order(session, shop_id, "900.00", at=midnight - timedelta(seconds=1))  # before

    _with_ledger(hosted, fill)
    owner = admin_client(hosted)

    page = owner.get("/admin", days="7")
    listed = owner.get("/admin/orders")
    order = owner.get(f"/admin/orders/{placed[0]}")

    assert f"{yesterday.isoformat()}: $42.00, 1 orders" in page.text
    assert f"{today.isoformat()}: $0.00, 0 orders" in page.text
    assert f"{first.isoformat()}: $5.00, 1 orders" in page.text
    assert _text(page, "revenue") == "$47.00"
    assert f"{first.isoformat()} to {today.isoformat()}, America/New_York" in page.text
    # The orders list and the order's timeline show it on the same day, the shop's clock.
    assert late.strftime("%Y-%m-%d 23:30 %Z") in listed.text
    assert late.strftime("%Y-%m-%d 23:30:00 %Z") in order.text


def test_the_period_switch_chooses_the_days_and_refuses_others(hosted):
    shop_id = hosted.install_shopify()
    _with_ledger(
        hosted,
        lambda session: placed_order(
            session, shop_id, "25.00", at=_yesterday_noon() - timedelta(days=20)
        ),
    )
    owner = admin_client(hosted)

    week, month = owner.get("/admin", days="7"), owner.get("/admin", days="30")
    default = owner.get("/admin")
    refused = owner.get("/admin", days="365")

    assert "No orders through Cartpath yet" in week.text
    assert _text(month, "revenue") == "$25.00"
    assert _text(default, "revenue") == "$25.00"  # 30 days unless asked
    assert 'value="30" selected' in default.text
    assert refused.status_code == 400
    assert "Choose a period of 7, 30 or 90 days." in refused.text


def test_support_staff_see_the_numbers_but_no_role_form(hosted):
    shop_id = hosted.install_shopify()
    _with_ledger(
        hosted, lambda session: placed_order(session, shop_id, "9.99", at=_yesterday_noon())
    )

    page = admin_client(hosted, user_id="7", role=Role.SUPPORT).get("/admin")

    assert page.status_code == 200
    assert _text(page, "revenue") == "$9.99"
    assert "/role" not in page.text


def test_a_role_change_for_another_shops_staff_member_is_not_found(hosted):
    hosted.install_shopify()
    hosted.install_shopify(OTHER_SHOP)
    stranger = staff_member(hosted, shop=OTHER_SHOP, user_id="2", role=Role.STAFF)

    answer = admin_client(hosted).post(
        f"/admin/staff/{stranger.staff_id}/role",
        {"role": "owner"},
        Origin=hosted.url,
    )

    assert answer.status_code == 404
    with services_of(hosted.app).database.session() as session:
        assert (
            session.scalar(select(StaffMember.role).where(StaffMember.id == stranger.staff_id))
            is Role.STAFF
        )


def test_a_bigcommerce_shop_gets_the_same_home(hosted):
    shop_id = hosted.install_bigcommerce()
    _with_ledger(
        hosted, lambda session: placed_order(session, shop_id, "15.00", at=_yesterday_noon())
    )

    page = admin_client(hosted, shop=STORE).get("/admin")

    assert _text(page, "mode") == "hosted"
    assert _text(page, "revenue") == "$15.00"
    assert Platform.BIGCOMMERCE.value in page.text
    assert SHOP not in page.text
