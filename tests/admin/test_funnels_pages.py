"""The Funnels pages over HTTP, against the sandbox's catalog: create, edit into a new
version, errors beside their fields, activate and pause, a support user refused, another
shop's funnel not found, per-offer numbers from known orders and offers (the same as
Home's), and the preview."""

from __future__ import annotations

import html
import re
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

import requests
from sqlalchemy import func, select

from admin.funnel_form import picked
from analytics.figures import offer_id
from analytics.models import AnalyticsEvent
from auth.models import Role
from core.models import AuditLog, Shop
from core.services import services_of
from tests.support.admin import AdminClient, admin_client
from tests.support.cartpath import OTHER_SHOP, SHOP, STORE, LiveCartpath
from tests.support.ledger import offer_for, placed_order
from upsell.models import Funnel, FunnelStatus, FunnelVersion, OfferStatus, ShownOffer
from upsell.service import create_funnel

FUNNEL_URL = re.compile(r"/admin/funnels/(\d+)\?")


def _products(live: LiveCartpath, shop: str = SHOP) -> list[dict[str, Any]]:
    return live.sandbox.state()["shopify"]["shops"][shop]["products"]


def _pick(product: dict[str, Any], index: int = 0) -> str:
    return picked(str(product["id"]), str(product["variants"][index]["id"]))


def _form(live: LiveCartpath, **changes: Any) -> dict[str, Any]:
    """A valid form: every order, one half-price offer of the first product, ending."""
    shoe = _products(live)[0]
    form = {
        "name": "Second pair",
        "trigger.kind": "always",
        "offer_keys": ["first", "second", "third"],
        "offers.first.enabled": "1",
        "offers.first.variant_ids": [_pick(shoe, 0), _pick(shoe, 1)],
        "offers.first.quantity": "1",
        "offers.first.discount.kind": "percent",
        "offers.first.discount.value": "50",
        "offers.first.shipping.kind": "free",
        "offers.first.headline": "A second pair at half price",
        "offers.first.body": "Only on this page.",
        "offers.first.image_url": "",
        "offers.first.countdown_seconds": "300",
        "offers.first.on_accept": "",
        "offers.first.on_decline": "",
    }
    form.update(changes)
    return form


def _funnel_id(answer: requests.Response) -> int:
    assert answer.status_code == 303, answer.text
    return int(FUNNEL_URL.search(answer.headers["Location"]).group(1))


def _follow(live: LiveCartpath, answer: requests.Response) -> requests.Response:
    return requests.get(live.url + answer.headers["Location"], timeout=15)


def _db(live: LiveCartpath):
    return services_of(live.app).database.session()


def _actions(live: LiveCartpath) -> list[str]:
    with _db(live) as session:
        return list(session.scalars(select(AuditLog.action).order_by(AuditLog.id)))


def _count(live: LiveCartpath, model: type) -> int:
    with _db(live) as session:
        return session.scalar(select(func.count()).select_from(model))


def _created(live: LiveCartpath, owner: AdminClient, **changes: Any) -> int:
    return _funnel_id(owner.post("/admin/funnels", _form(live, **changes)))


def test_a_new_merchant_is_told_what_funnels_are_and_offered_to_create_one(cartpath):
    cartpath.install_shopify()

    page = admin_client(cartpath).get("/admin/funnels")

    assert page.status_code == 200
    assert "one-click offers" in page.text
    assert re.search(r'href="/admin/funnels/new\?admin_token=[^"]+">Create funnel<', page.text)


def test_the_editor_offers_the_store_s_own_products(cartpath):
    cartpath.install_shopify()

    page = admin_client(cartpath).get("/admin/funnels/new")

    assert page.status_code == 200
    shoe = _products(cartpath)[0]
    assert shoe["title"] in page.text
    assert f'value="{_pick(shoe)}"' in page.text


def test_the_editor_reads_a_bigcommerce_store_s_catalog_and_survives_its_outage(cartpath):
    cartpath.install_bigcommerce()
    owner = admin_client(cartpath, shop=STORE, user_id="9001")
    products = cartpath.sandbox.state()["bigcommerce"]["stores"][STORE]["products"]
    product_id, product = next(iter(products.items()))
    choice = picked(product_id, next(iter(product["variants"])))
    form = _form(cartpath, **{"offers.first.variant_ids": [choice]})

    new_page = owner.get("/admin/funnels/new")
    funnel_id = _funnel_id(owner.post("/admin/funnels", form))
    cartpath.sandbox.fault(kind="status", path="/v3/catalog/products", status=500)
    during_outage = owner.get(f"/admin/funnels/{funnel_id}")
    saved_again = owner.post(f"/admin/funnels/{funnel_id}", form)

    assert product["name"] in new_page.text
    assert f'value="{choice}"' in new_page.text
    assert during_outage.status_code == 200
    assert 'data-testid="catalog-problem"' in during_outage.text
    assert re.search(rf'value="{re.escape(choice)}" checked', during_outage.text), (
        "the offer keeps its product while the store is away"
    )
    assert saved_again.status_code == 303
    with _db(cartpath) as session:
        assert session.get(Funnel, funnel_id).version == 1, "nothing changed, no version"


def test_create_then_edit_adds_a_version_and_both_are_audited(cartpath):
    cartpath.install_shopify()
    owner = admin_client(cartpath)
    shoe = _products(cartpath)[0]

    funnel_id = _created(cartpath, owner)
    page = owner.get(f"/admin/funnels/{funnel_id}")
    edited = owner.post(
        f"/admin/funnels/{funnel_id}",
        _form(cartpath, **{"offers.first.headline": "Two pairs are better than one"}),
    )

    assert page.status_code == 200
    assert 'value="A second pair at half price"' in page.text
    assert "Saved as version 2." in _follow(cartpath, edited).text
    with _db(cartpath) as session:
        funnel = session.get(Funnel, funnel_id)
        versions = session.scalars(
            select(FunnelVersion).where(FunnelVersion.funnel_id == funnel_id)
        ).all()
        assert (funnel.status, funnel.version, len(versions)) == (FunnelStatus.DRAFT, 2, 2)
        first = versions[0].definition["offers"]["first"]
        assert first["product_id"] == str(shoe["id"])
        assert first["variant_ids"] == [str(v["id"]) for v in shoe["variants"][:2]]
        assert first["discount"] == {"kind": "percent", "value": "50"}
        assert first["countdown_seconds"] == 300
        assert versions[1].definition["offers"]["first"]["headline"] == (
            "Two pairs are better than one"
        )
    assert _actions(cartpath)[-2:] == ["funnel.created", "funnel.edited"]


def test_a_downsell_on_the_decline_path_is_saved_as_a_tree(cartpath):
    cartpath.install_shopify()
    owner = admin_client(cartpath)
    socks = _products(cartpath)[1]

    funnel_id = _created(
        cartpath,
        owner,
        **{
            "offers.first.on_decline": "second",
            "offers.second.enabled": "1",
            "offers.second.variant_ids": [_pick(socks)],
            "offers.second.quantity": "2",
            "offers.second.discount.kind": "fixed",
            "offers.second.discount.value": "2.50",
            "offers.second.shipping.kind": "flat",
            "offers.second.shipping.amount": "1.99",
            "offers.second.headline": "Socks instead?",
        },
    )

    with _db(cartpath) as session:
        definition = session.scalar(
            select(FunnelVersion.definition).where(FunnelVersion.funnel_id == funnel_id)
        )
    assert definition["entry"] == "first"
    assert definition["offers"]["first"]["on_decline"] == "second"
    assert definition["offers"]["second"]["shipping"] == {"kind": "flat", "amount": "1.99"}
    assert "third" not in definition["offers"], "an unused slot is not an offer"


def test_errors_are_shown_beside_their_fields_and_nothing_is_saved(cartpath):
    cartpath.install_shopify()
    owner = admin_client(cartpath)
    shoe, socks = _products(cartpath)[:2]

    answer = owner.post(
        "/admin/funnels",
        _form(
            cartpath,
            **{
                "name": "",
                "trigger.kind": "order_total",
                "trigger.min": "100",
                "trigger.max": "20",
                "offers.first.variant_ids": [_pick(shoe), _pick(socks)],
                "offers.first.discount.value": "150",
                "offers.first.countdown_seconds": "5",
                "offers.first.image_url": "http://insecure.example/a.png",
            },
        ),
    )

    assert answer.status_code == 422
    for path in (
        "name",
        "trigger.max",
        "offers.first.variant_ids",
        "offers.first.discount.value",
        "offers.first.countdown_seconds",
        "offers.first.image_url",
    ):
        beside = re.search(
            rf'id="f-{re.escape(path.replace(".", "-"))}"[^>]*aria-invalid="true"'
            rf'|data-testid="error-{re.escape(path)}"',
            answer.text,
        )
        assert beside, f"no error shown at {path}"
    assert "Choose variants of one product." in answer.text
    assert 'value="100"' in answer.text, "what was typed is kept"
    assert _count(cartpath, Funnel) == 0
    assert _count(cartpath, FunnelVersion) == 0


def test_a_path_to_an_unused_offer_is_refused_at_its_link(cartpath):
    cartpath.install_shopify()

    answer = admin_client(cartpath).post(
        "/admin/funnels", _form(cartpath, **{"offers.first.on_accept": "third"})
    )

    assert answer.status_code == 422
    assert re.search(
        r'data-testid="error-offers.first.on_accept">Offer 3 is not in use: tick .Use offer 3.',
        answer.text,
    )
    assert _count(cartpath, Funnel) == 0


def test_a_bad_edit_keeps_the_saved_version(cartpath):
    cartpath.install_shopify()
    owner = admin_client(cartpath)
    funnel_id = _created(cartpath, owner)

    answer = owner.post(
        f"/admin/funnels/{funnel_id}", _form(cartpath, **{"offers.first.headline": ""})
    )

    assert answer.status_code == 422
    assert 'data-testid="error-offers.first.headline"' in answer.text
    with _db(cartpath) as session:
        assert session.get(Funnel, funnel_id).version == 1
    assert _actions(cartpath)[-1] == "funnel.created"


def test_activate_then_pause_are_posts_and_audited(cartpath):
    cartpath.install_shopify()
    owner = admin_client(cartpath)
    funnel_id = _created(cartpath, owner)

    activated = owner.post(f"/admin/funnels/{funnel_id}/status", {"status": "active"})
    live_page = _follow(cartpath, activated)
    paused = owner.post(f"/admin/funnels/{funnel_id}/status", {"status": "paused"})
    nonsense = owner.post(f"/admin/funnels/{funnel_id}/status", {"status": "deleted"})

    assert activated.status_code == 303
    assert 'data-testid="status">active<' in live_page.text
    assert ">Pause</button>" in live_page.text
    assert paused.status_code == 303
    assert nonsense.status_code == 400
    with _db(cartpath) as session:
        assert session.get(Funnel, funnel_id).status is FunnelStatus.PAUSED
    assert _actions(cartpath)[-2:] == ["funnel.activated", "funnel.paused"]


def test_support_sees_funnels_and_results_but_every_change_is_refused(cartpath):
    cartpath.install_shopify()
    funnel_id = _created(cartpath, admin_client(cartpath))
    support = admin_client(cartpath, user_id="3", role=Role.SUPPORT)

    listed = support.get("/admin/funnels")
    shown = support.get(f"/admin/funnels/{funnel_id}")
    refused = [
        support.post(f"/admin/funnels/{funnel_id}", _form(cartpath, name="Mine now")),
        support.post(f"/admin/funnels/{funnel_id}/status", {"status": "active"}),
        support.post("/admin/funnels", _form(cartpath)),
        support.get("/admin/funnels/new"),
    ]

    assert listed.status_code == 200
    assert "Second pair" in listed.text
    assert "Create funnel" not in listed.text
    assert shown.status_code == 200
    assert 'data-testid="read-only"' in shown.text
    assert "Save funnel" not in shown.text
    assert ">Activate<" not in shown.text
    assert [answer.status_code for answer in refused] == [403, 403, 403, 403]
    with _db(cartpath) as session:
        funnel = session.get(Funnel, funnel_id)
        assert (funnel.name, funnel.version, funnel.status) == (
            "Second pair",
            1,
            FunnelStatus.DRAFT,
        )
        assert session.scalar(select(func.count()).select_from(Funnel)) == 1
    assert _actions(cartpath)[-4:] == ["access.denied"] * 4


def test_another_shop_s_funnel_is_not_found(cartpath):
    cartpath.install_shopify()
    cartpath.install_shopify(OTHER_SHOP)
    other = admin_client(cartpath, shop=OTHER_SHOP)
    theirs = _funnel_id(other.post("/admin/funnels", _form(cartpath, name="Theirs")))
    owner = admin_client(cartpath)

    answers = [
        owner.get(f"/admin/funnels/{theirs}"),
        owner.post(f"/admin/funnels/{theirs}", _form(cartpath, name="Stolen")),
        owner.post(f"/admin/funnels/{theirs}/status", {"status": "active"}),
        owner.get(f"/admin/funnels/{theirs}/offers/first/preview"),
    ]

    assert [a.status_code for a in answers] == [404, 404, 404, 404]
    assert "Theirs" not in owner.get("/admin/funnels").text
    with _db(cartpath) as session:
        funnel = session.get(Funnel, theirs)
        assert (funnel.name, funnel.status) == ("Theirs", FunnelStatus.DRAFT)


def _offers(live: LiveCartpath, shop_id: int, version_id: int, *outcomes) -> None:
    """Offers of the version's first offer made to orders placed at noon days ago (the
    shop's days and clock), each (status, total, days ago[, cancelled]), with the order
    behind it and its page seen."""
    with _db(live) as session:
        version = session.get(FunnelVersion, version_id)
        calendar = session.get(Shop, shop_id).calendar
        for status, total, days_ago, *cancelled in outcomes:
            day = calendar.today() - timedelta(days=days_ago)
            at = datetime.combine(day, time(12), calendar.zone)
            order = placed_order(session, shop_id, "50.00", at=at, cancelled=bool(cancelled))
            offer_for(session, order, version, total, key="first", status=status)
        session.commit()


def _cells(page: requests.Response, testid: str) -> list[str]:
    found = re.search(rf'data-testid="{re.escape(testid)}">(.*?)</tr>', page.text, re.S)
    assert found, f"no {testid} on the page"
    return [
        html.unescape(c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", found.group(1), re.S)
    ]


def _two_versions(live: LiveCartpath, owner: AdminClient) -> tuple[int, int, int]:
    """A funnel made in the editor and edited into a second version: (funnel, v1, v2)."""
    funnel_id = _created(live, owner)
    edited = owner.post(
        f"/admin/funnels/{funnel_id}",
        _form(live, **{"trigger.kind": "order_total", "trigger.min": "1", "trigger.max": ""}),
    )
    assert edited.status_code == 303, edited.text
    with _db(live) as session:
        v1, v2 = session.scalars(
            select(FunnelVersion.id)
            .where(FunnelVersion.funnel_id == funnel_id)
            .order_by(FunnelVersion.number)
        ).all()
    return funnel_id, v1, v2


def test_per_offer_results_by_version_are_the_period_s_net_of_cancellations(cartpath):
    shop_id = cartpath.install_shopify()
    other_id = cartpath.install_shopify(OTHER_SHOP)
    owner = admin_client(cartpath)
    funnel_id, v1, v2 = _two_versions(cartpath, owner)
    with _db(cartpath) as session:
        theirs = create_funnel(
            session,
            shop_id=other_id,
            actor="test",
            name="Theirs",
            definition=session.get(FunnelVersion, v1).definition,
        )
        session.flush()
        their_version = session.scalar(
            select(FunnelVersion.id).where(FunnelVersion.funnel_id == theirs.id)
        )
        session.commit()
    paid, failed, declined = OfferStatus.PAID, OfferStatus.FAILED, OfferStatus.DECLINED
    _offers(
        cartpath,
        shop_id,
        v1,
        (paid, "44.50", 2),
        (failed, "44.50", 2),
        (declined, "44.50", 3),
        (declined, "44.50", 20),
        (paid, "10.00", 2, "cancelled"),
    )
    _offers(cartpath, shop_id, v2, (paid, "40.00", 0), (OfferStatus.SHOWN, "40.00", 1))
    _offers(cartpath, other_id, their_version, *[(paid, "999.00", 1)] * 3)

    page = owner.get(f"/admin/funnels/{funnel_id}")
    week = owner.get(f"/admin/funnels/{funnel_id}", days="7")
    listed = owner.get("/admin/funnels")
    refused = owner.get("/admin/funnels", days="365")

    assert _cells(page, "result-v2-first") == [
        "2", "A second pair at half price", "2", "1", "0", "1", "50.0%", "$40.00"
    ]  # fmt: skip
    assert _cells(page, "result-v1-first") == [
        "1", "A second pair at half price", "4", "2", "2", "1", "25.0%", "$44.50"
    ]  # fmt: skip
    assert page.text.index("result-v2-first") < page.text.index("result-v1-first")
    assert _cells(week, "result-v1-first")[2:6] == ["3", "2", "1", "1"]  # 20 days ago is out
    assert 'value="7" selected' in week.text
    assert _cells(listed, f"funnel-{funnel_id}")[4:] == ["6", "2", "33.3%", "$84.50"]
    assert "999" not in page.text + listed.text
    assert refused.status_code == 400
    assert "Choose a period of 7, 30 or 90 days." in refused.text


def test_home_and_the_funnels_pages_show_one_offer_the_same_figures(cartpath):
    shop_id = cartpath.install_shopify()
    owner = admin_client(cartpath)
    funnel_id, v1, _ = _two_versions(cartpath, owner)
    paid, declined = OfferStatus.PAID, OfferStatus.DECLINED
    _offers(
        cartpath,
        shop_id,
        v1,
        (paid, "12.25", 0),
        (paid, "12.25", 1),
        (declined, "12.25", 5),
        (OfferStatus.REQUIRES_ACTION, "12.25", 6),
        (paid, "12.25", 6, "cancelled"),
        (paid, "12.25", 40),
    )

    for days in ("7", "30", "90"):
        home = _cells(owner.get("/admin", days=days), f"offer-{offer_id(v1, 'first')}")
        editor = _cells(owner.get(f"/admin/funnels/{funnel_id}", days=days), "result-v1-first")
        listed = _cells(owner.get("/admin/funnels", days=days), f"funnel-{funnel_id}")

        seen, taken, revenue = home[1:]
        assert [editor[2], editor[5], editor[7]] == [seen, taken, revenue], days
        assert [listed[4], listed[5], listed[7]] == [seen, taken, revenue], days
    assert (seen, taken, revenue) == ("5", "3", "$36.75")  # the last, 90 days: all but one


def test_the_preview_shows_the_offer_page_with_the_store_s_product_and_saves_nothing(cartpath):
    cartpath.install_shopify()
    owner = admin_client(cartpath)
    funnel_id = _created(cartpath, owner)
    shoe = _products(cartpath)[0]

    page = owner.get(f"/admin/funnels/{funnel_id}/offers/first/preview")
    missing = owner.get(f"/admin/funnels/{funnel_id}/offers/nope/preview")

    assert page.status_code == 200
    frame = html.unescape(re.search(r'srcdoc="([^"]*)"', page.text).group(1))
    assert 'data-testid="headline">A second pair at half price<' in frame
    assert shoe["title"] in frame
    half = Decimal(shoe["variants"][0]["price"]) / 2
    assert re.search(rf'data-testid="offer-total">\$?{half:.2f}<', frame)
    assert 'data-testid="countdown"' in frame
    assert re.search(r"<iframe[^>]* sandbox ", page.text), "its buttons cannot post"
    assert missing.status_code == 404
    assert _count(cartpath, ShownOffer) == 0
    assert _count(cartpath, AnalyticsEvent) == 0
