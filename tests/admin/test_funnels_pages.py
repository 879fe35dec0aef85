"""The Funnels pages over HTTP, against the sandbox's catalog: create, edit into a new
version, errors beside their fields, activate and pause, a support user refused, another
shop's funnel not found, per-offer numbers from known events, and the preview."""

from __future__ import annotations

import html
import re
from decimal import Decimal
from typing import Any

import requests
from sqlalchemy import func, select

from admin.funnel_form import picked
from analytics.models import AnalyticsEvent, EventKind
from analytics.offer_results import offer_results
from auth.models import Role
from core.models import AuditLog
from core.services import services_of
from tests.support.admin import AdminClient, admin_client
from tests.support.cartpath import OTHER_SHOP, SHOP, STORE, LiveCartpath
from upsell.models import Funnel, FunnelStatus, FunnelVersion, ShownOffer
from upsell.service import create_funnel, edit_funnel

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


def _events(live: LiveCartpath, shop_id: int, version_id: int, *kinds_and_amounts) -> None:
    with _db(live) as session:
        for number, (kind, amount) in enumerate(kinds_and_amounts):
            session.add(
                AnalyticsEvent(
                    shop_id=shop_id,
                    kind=kind,
                    order_reference=f"order-{version_id}-{number}",
                    funnel_version_id=version_id,
                    offer_key="first",
                    amount=Decimal(amount) if amount else None,
                    currency="USD",
                )
            )
        session.commit()


def test_per_offer_results_by_version_come_from_the_events(cartpath):
    shop_id = cartpath.install_shopify()
    other_id = cartpath.install_shopify(OTHER_SHOP)
    owner = admin_client(cartpath)
    funnel_id = _created(cartpath, owner)
    with _db(cartpath) as session:
        v1 = session.scalar(select(FunnelVersion.id).where(FunnelVersion.funnel_id == funnel_id))
        edit_funnel(
            session,
            session.get(Funnel, funnel_id),
            actor="test",
            definition={
                **session.get(FunnelVersion, v1).definition,
                "trigger": {"kind": "country", "countries": ["US"]},
            },
        )
        session.commit()
        v2 = session.scalar(
            select(FunnelVersion.id).where(
                FunnelVersion.funnel_id == funnel_id, FunnelVersion.number == 2
            )
        )
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
    shown, accepted, declined, paid = (
        EventKind.OFFER_SHOWN,
        EventKind.OFFER_ACCEPTED,
        EventKind.OFFER_DECLINED,
        EventKind.OFFER_PAID,
    )
    _events(
        cartpath,
        shop_id,
        v1,
        *[(shown, None)] * 4,
        (accepted, "44.50"),
        (paid, "44.50"),
        (accepted, "44.50"),
        (declined, "44.50"),
        (declined, "44.50"),
    )
    _events(cartpath, shop_id, v2, (shown, None), (shown, None), (accepted, "40"), (paid, "40"))
    _events(cartpath, other_id, their_version, *[(paid, "999")] * 3)

    with _db(cartpath) as session:
        results = offer_results(session, shop_id)
    page = owner.get(f"/admin/funnels/{funnel_id}")
    listed = owner.get("/admin/funnels")

    assert [(r.version, r.shown, r.accepted, r.declined, r.paid) for r in results] == [
        (2, 2, 1, 0, 1),
        (1, 4, 2, 2, 1),
    ]
    assert results[1].revenue == {"USD": Decimal("44.50")}
    assert results[1].take_rate == Decimal("0.25")
    row = re.search(r'data-testid="result-v1-first">(.*?)</tr>', page.text, re.S).group(1)
    cells = [html.unescape(c) for c in re.findall(r"<td[^>]*>([^<]*)</td>", row)]
    assert cells == ["1", "A second pair at half price", "4", "2", "2", "1", "25.0%", "$44.50"]
    summary = re.search(rf'data-testid="funnel-{funnel_id}">(.*?)</tr>', listed.text, re.S)
    assert "$84.50" in summary.group(1), "the list sums the funnel's versions"
    assert "999" not in page.text + listed.text


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
