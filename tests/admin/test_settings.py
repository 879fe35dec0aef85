"""Settings over HTTP: the mode and why, whether payments can be taken (asked of the
sandbox's Stripe), the hand-off switch through the storefront service, the alert address,
and an orders export written by a job; support reads and cannot change, a shop never sees
another shop's export."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from decimal import Decimal

import pytest
import requests
from sqlalchemy import select

from auth.models import Role
from checkout.models import Checkout, ExportStatus, Order, OrderExport
from core.db import utcnow
from core.models import AuditLog, Platform, Shop, StorefrontHandoff
from core.services import services_of
from sandbox.demo_credentials import STRIPE_PUBLISHABLE_KEY, STRIPE_SECRET_KEY
from tests.support.admin import admin_client
from tests.support.cartpath import SHOP, STORE, LiveCartpath, live_cartpath

STRIPE_KEYS = {
    "stripe_secret_key": STRIPE_SECRET_KEY,
    "stripe_publishable_key": STRIPE_PUBLISHABLE_KEY,
}


@pytest.fixture
def hosted(make_config, sandbox) -> Iterator[LiveCartpath]:
    config = make_config(**STRIPE_KEYS)
    with live_cartpath(config, sandbox, shopify_distribution="custom") as live:
        live.install_shopify()
        live.install_bigcommerce()
        yield live


def _shop(live: LiveCartpath, platform: Platform = Platform.SHOPIFY) -> Shop:
    with services_of(live.app).database.session() as session:
        domain = STORE if platform is Platform.BIGCOMMERCE else SHOP
        return session.scalar(select(Shop).where(Shop.platform == platform, Shop.domain == domain))


def _actions(live: LiveCartpath) -> list[str]:
    with services_of(live.app).database.session() as session:
        return session.scalars(select(AuditLog.action).order_by(AuditLog.id)).all()


def _follow(live: LiveCartpath, answer: requests.Response) -> str:
    assert answer.status_code == 303, answer.text
    return requests.get(live.url + answer.headers["Location"], timeout=15).text


def _add_orders(live: LiveCartpath, shop_id: int, emails: list[str]) -> None:
    with services_of(live.app).database.session() as session:
        for email in emails:
            checkout = Checkout(shop_id=shop_id, items=[], expires_at=utcnow(), currency="USD")
            session.add(checkout)
            session.flush()
            amounts = dict.fromkeys(
                ("subtotal", "discount_total", "shipping_total", "tax_total"), Decimal("1.5")
            )
            session.add(
                Order(
                    shop_id=shop_id,
                    checkout_id=checkout.id,
                    email=email,
                    currency="USD",
                    lines=[],
                    total=Decimal("48.0000"),
                    attribution={"utm_source": "newsletter"},
                    **amounts,
                )
            )
        session.commit()


def test_the_page_says_the_mode_why_and_that_stripe_takes_the_payments(hosted):
    page = admin_client(hosted).get("/admin/settings")

    assert page.status_code == 200
    assert 'data-testid="settings-mode">hosted<' in page.text
    assert "one-page checkout takes the shop&#39;s orders" in page.text
    assert 'data-testid="gateway-status">connected<' in page.text
    assert "keys are accepted (test mode)" in page.text
    assert "Stripe Connect" in page.text, "what a per-merchant connection would need"


@pytest.mark.parametrize(
    ("keys", "status"),
    [
        ({}, "not configured"),
        ({**STRIPE_KEYS, "stripe_secret_key": "sk_test_wrong"}, "keys refused"),
    ],
)
def test_a_gateway_without_keys_or_with_wrong_ones_is_not_connected(
    make_config, sandbox, keys, status
):
    with live_cartpath(make_config(**keys), sandbox) as live:
        live.install_bigcommerce()

        page = admin_client(live, shop=STORE).get("/admin/settings")

    assert f'data-testid="gateway-status">{status}<' in page.text


def test_a_native_shop_is_told_why_and_has_no_hand_off_or_gateway(cartpath):
    cartpath.install_shopify()
    owner = admin_client(cartpath)

    page = owner.get("/admin/settings").text
    refused = owner.post("/admin/settings/handoff", {"handoff": "on"})

    assert 'data-testid="settings-mode">native<' in page
    assert "App Store requirement 1.1.2" in page
    assert "Shopify's checkout takes this shop's payments" in page
    assert "nothing to hand off" in page
    assert refused.status_code == 409
    assert _shop(cartpath).storefront_handoff is StorefrontHandoff.OFF


def test_the_owner_switches_the_hand_off_through_the_storefront_service(hosted):
    owner = admin_client(hosted)

    landing = _follow(hosted, owner.post("/admin/settings/handoff", {"handoff": "test"}))
    bad = owner.post("/admin/settings/handoff", {"handoff": "sometimes"})
    hosted.wait_for_jobs()

    assert "The storefront hand-off is test." in landing
    assert 'data-testid="handoff">test<' in landing
    assert bad.status_code == 400
    assert "Choose one of: off, test, on." in bad.text
    assert _shop(hosted).storefront_handoff is StorefrontHandoff.TEST
    config = requests.get(
        f"{hosted.url}/storefront/config", params={"platform": "shopify", "shop": SHOP}, timeout=10
    )
    assert config.json() == {"handoff": "test"}
    assert _actions(hosted).count("storefront.handoff_changed") == 1


def test_the_alert_address_is_validated_kept_as_typed_and_audited(hosted):
    staff = admin_client(hosted, user_id="2", role=Role.STAFF)

    refused = staff.post("/admin/settings/alert-email", {"alert_email": "ops at example"})
    landing = _follow(
        hosted, staff.post("/admin/settings/alert-email", {"alert_email": "ops@example.com"})
    )

    assert refused.status_code == 422
    error = re.search(r'id="alert_email-error"[^>]*>([^<]*)<', refused.text)
    assert error
    assert "Enter an email address like" in error.group(1)
    assert 'value="ops at example"' in refused.text
    assert "Staff alerts go to ops@example.com." in landing
    assert "alerts are shown in the admin but not emailed yet" in landing
    assert _shop(hosted).alert_email == "ops@example.com"
    assert _shop(hosted, Platform.BIGCOMMERCE).alert_email is None, "only this shop's"
    assert _actions(hosted).count("settings.alert_email_changed") == 1

    cleared = _follow(hosted, staff.post("/admin/settings/alert-email", {"alert_email": " "}))
    assert "Staff alerts are not emailed." in cleared
    assert _shop(hosted).alert_email is None


def test_support_sees_the_settings_and_every_change_is_refused(hosted):
    support = admin_client(hosted, user_id="3", role=Role.SUPPORT)
    staff = admin_client(hosted, user_id="2", role=Role.STAFF)

    page = support.get("/admin/settings").text
    refused = [
        support.post("/admin/settings/handoff", {"handoff": "off"}),
        support.post("/admin/settings/alert-email", {"alert_email": "x@example.com"}),
        support.post("/admin/settings/exports"),
        staff.post("/admin/settings/handoff", {"handoff": "off"}),
        staff.post("/admin/settings/exports"),
    ]

    assert "can view the settings but not change them" in page
    assert "Save hand-off" not in page
    assert "Only the store owner can change the hand-off." in page
    assert [answer.status_code for answer in refused] == [403] * 5
    shop = _shop(hosted)
    assert shop.storefront_handoff is StorefrontHandoff.OFF
    assert shop.alert_email is None
    with services_of(hosted.app).database.session() as session:
        assert session.scalars(select(OrderExport)).all() == []


def test_the_owner_exports_the_shop_s_orders_and_only_its_own(hosted):
    shopify, bigcommerce = _shop(hosted), _shop(hosted, Platform.BIGCOMMERCE)
    _add_orders(hosted, shopify.id, ["ana@example.com", "=HYPERLINK(1)"])
    _add_orders(hosted, bigcommerce.id, ["other@example.com"])
    owner = admin_client(hosted)

    started = owner.post("/admin/settings/exports")
    hosted.wait_for_jobs()
    page = owner.get("/admin/settings").text

    assert started.status_code == 303
    assert 'data-testid="export-done"' in page
    link = re.search(r'href="(/admin/settings/exports/\d+/orders\.csv[^"]*)"', page).group(1)
    download = requests.get(hosted.url + link.replace("&amp;", "&"), timeout=15)
    assert download.status_code == 200
    assert download.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in download.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert [row["email"] for row in rows] == ["ana@example.com", "'=HYPERLINK(1)"]
    assert rows[0]["total"] == "48.00"
    assert rows[0]["utm_source"] == "newsletter"
    assert "orders.exported" in _actions(hosted)

    export_id = re.search(r"/exports/(\d+)/", link).group(1)
    other_owner = admin_client(hosted, shop=STORE)
    assert other_owner.get(f"/admin/settings/exports/{export_id}/orders.csv").status_code == 404
    assert other_owner.get("/admin/settings/exports/999999/orders.csv").status_code == 404


def test_a_running_export_shows_its_progress_and_refreshes_its_own_page_not_settings(hosted):
    shop = _shop(hosted)
    with services_of(hosted.app).database.session() as session:
        export = OrderExport(shop_id=shop.id, requested_by="staff:1", total=1200, done=500)
        session.add(export)
        session.commit()
        export_id = export.id
    owner = admin_client(hosted)

    page = owner.get("/admin/settings").text
    again = owner.post("/admin/settings/exports")
    progress = _follow(hosted, again)

    assert "Exporting: 500 of 1200 orders" in page
    assert '<progress id="export-bar" max="1200" value="500">' in page
    assert 'http-equiv="refresh"' not in page, "Settings itself stays still"
    assert f"/admin/settings/exports/{export_id}?admin_token=" in page, "a link to follow it"
    assert "Export orders</button>" not in page
    assert again.headers["Location"].startswith(f"/admin/settings/exports/{export_id}?")
    assert "Exporting: 500 of 1200 orders" in progress
    refresh = re.search(r'<meta http-equiv="refresh" content="2;url=([^"]+)">', progress)
    assert refresh, "the progress page refreshes itself, without JavaScript"
    assert refresh.group(1).startswith(f"/admin/settings/exports/{export_id}?admin_token=cpa_")
    assert "notice=" not in refresh.group(1), "the notice is shown once"
    with services_of(hosted.app).database.session() as session:
        exports = session.scalars(select(OrderExport)).all()
    assert [export.status for export in exports] == [ExportStatus.RUNNING], "one at a time"


def test_the_export_page_offers_the_file_when_done_and_only_in_its_own_shop(hosted):
    _add_orders(hosted, _shop(hosted).id, ["ana@example.com"])
    owner = admin_client(hosted)

    started = owner.post("/admin/settings/exports")
    hosted.wait_for_jobs()
    path = started.headers["Location"].split("?")[0]
    done = owner.get(path).text
    support = admin_client(hosted, user_id="3", role=Role.SUPPORT).get(path).text
    other_shop = admin_client(hosted, shop=STORE).get(path)

    assert 'data-testid="export-done"' in done
    assert 'http-equiv="refresh"' not in done, "nothing left to wait for"
    assert "Download the CSV" in done
    assert 'data-testid="export-done"' in support
    assert "Download the CSV" not in support, "the file is the owner's"
    assert other_shop.status_code == 404
