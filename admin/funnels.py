"""The Funnels pages: the list with each funnel's results, the editor (plain forms; an
edit adds a version through upsell.service), activate and pause, the shopper's view of
an offer, and per-offer results by version.

Owners and staff change funnels; support staff see everything but every change is
refused by require_admin (403, audited as access.denied). Every lookup is scoped to the
signed-in shop, so another shop's funnel id is a 404.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from flask import Blueprint, abort, request
from sqlalchemy import select

from admin import funnel_form
from admin.funnel_preview import preview
from admin.period import requested_days
from admin.shell import current_shop, redirect_to, render_page
from analytics.figures import OfferFigures
from analytics.metrics import PERIODS
from analytics.offer_results import OfferResult, funnel_totals, offer_results
from analytics.rollups import period_start
from auth.identity import current_identity, require_admin
from core.models import Shop
from core.money import Money
from core.web import db_session
from platforms.catalog import Catalog, read_catalog
from platforms.errors import PlatformError
from upsell import service
from upsell.admin_api import EDITORS
from upsell.funnels import parse_definition
from upsell.models import Funnel, FunnelStatus, FunnelVersion

blueprint = Blueprint("admin_funnels", __name__, template_folder="templates")

STATUS_TONES = {FunnelStatus.ACTIVE: "success", FunnelStatus.PAUSED: "warning"}
SWITCHES = {"active": FunnelStatus.ACTIVE, "paused": FunnelStatus.PAUSED}


@blueprint.get("/admin/funnels")
@require_admin()
def funnels():
    session = db_session()
    shop_id = current_identity().shop_id
    rows = session.execute(
        select(Funnel, FunnelVersion)
        .join(
            FunnelVersion,
            (FunnelVersion.funnel_id == Funnel.id) & (FunnelVersion.number == Funnel.version),
        )
        .where(Funnel.shop_id == shop_id)
        .order_by(Funnel.priority, Funnel.id)
    ).all()
    period = _period()
    totals = funnel_totals(offer_results(session, shop_id, **period))
    session.commit()  # keep the days rolled up on this first read
    return render_page(
        "admin/funnels.html",
        title="Funnels",
        rows=[
            (funnel, funnel_form.trigger_summary(version.definition["trigger"]))
            for funnel, version in rows
        ],
        totals=totals,
        tones=STATUS_TONES,
        **_period_context(period),
        **_formatters(),
    )


@blueprint.get("/admin/funnels/new")
@require_admin(*EDITORS)
def new_funnel():
    return _editor(None, "", funnel_form.empty_definition())


@blueprint.post("/admin/funnels")
@require_admin(*EDITORS)
def create_funnel():
    identity = current_identity()
    session = db_session()
    name, definition, errors = _posted()
    if errors:
        return _editor(None, name, definition, errors=errors)
    funnel = service.create_funnel(
        session, shop_id=identity.shop_id, actor=identity.actor, name=name, definition=definition
    )
    session.commit()
    return redirect_to(
        "admin_funnels.funnel", funnel_id=funnel.id, notice=f"{funnel.name} was created as a draft."
    )


@blueprint.get("/admin/funnels/<int:funnel_id>")
@require_admin()
def funnel(funnel_id: int):
    found = _find(funnel_id)
    definition = service.current_version(db_session(), found).definition
    return _editor(found, found.name, definition)


@blueprint.post("/admin/funnels/<int:funnel_id>")
@require_admin(*EDITORS)
def edit_funnel(funnel_id: int):
    identity = current_identity()
    session = db_session()
    found = _find(funnel_id)
    name, definition, errors = _posted()
    if errors:
        return _editor(found, name, definition, errors=errors)
    before = found.version
    service.edit_funnel(session, found, actor=identity.actor, name=name, definition=definition)
    session.commit()
    saved = f"Saved as version {found.version}." if found.version != before else "Saved."
    return redirect_to("admin_funnels.funnel", funnel_id=found.id, notice=saved)


@blueprint.post("/admin/funnels/<int:funnel_id>/status")
@require_admin(*EDITORS)
def change_status(funnel_id: int):
    status = SWITCHES.get(request.form.get("status", ""))
    if status is None:
        abort(400, "Choose to activate (active) or pause (paused) the funnel.")
    session = db_session()
    found = _find(funnel_id)
    service.set_status(session, found, status, actor=current_identity().actor)
    session.commit()
    said = "is live: shoppers see its offers" if status is FunnelStatus.ACTIVE else "is paused"
    return redirect_to("admin_funnels.funnel", funnel_id=found.id, notice=f"{found.name} {said}.")


@blueprint.get("/admin/funnels/<int:funnel_id>/offers/<key>/preview")
@require_admin()
def preview_offer(funnel_id: int, key: str):
    session = db_session()
    found = _find(funnel_id)
    definition = parse_definition(service.current_version(session, found).definition)
    offer = definition.offers.get(key)
    if offer is None:
        abort(404, "This funnel has no such offer.")
    shop = session.get(Shop, found.shop_id)
    session.commit()  # no transaction stays open across the platform's call
    shown = preview(shop, offer)
    return render_page(
        "admin/funnel_preview.html",
        title=f"Preview: {offer.headline}",
        funnel=found,
        offer=offer,
        preview=shown,
    )


# -- helpers --------------------------------------------------------------------------


def _find(funnel_id: int) -> Funnel:
    try:
        return service.find_funnel(db_session(), current_identity().shop_id, funnel_id)
    except service.FunnelNotFound:
        abort(404, "There is no such funnel in this shop.")


def _posted() -> tuple[str, dict[str, Any], dict[str, str]]:
    """The form's name and definition, and every problem they have, by field (checked
    here in full, so the service, which checks again, writes only a valid funnel)."""
    name = request.form.get("name", "").strip()
    definition, form_problems = funnel_form.definition_from_form(request.form)
    return name, definition, funnel_form.problems_of(name, definition, form_problems)


def _editor(
    found: Funnel | None,
    name: str,
    definition: Mapping[str, Any],
    errors: Mapping[str, str] | None = None,
):
    """The editor page (with results, status and previews for a saved funnel); answered
    with 422 when it comes back with errors."""
    session = db_session()
    identity = current_identity()
    period = _period()
    results: list[OfferResult] = []
    headlines: dict[tuple[int, str], str] = {}
    if found is not None:
        results = offer_results(session, identity.shop_id, funnel_ids=[found.id], **period)
        for version in session.scalars(
            select(FunnelVersion).where(FunnelVersion.funnel_id == found.id)
        ):
            for key, offer in version.definition["offers"].items():
                headlines[(version.number, key)] = offer["headline"]
    shop = current_shop()
    session.commit()  # no transaction stays open across the platform's call
    catalog, catalog_problem = _catalog(shop)
    page = render_page(
        "admin/funnel_form.html",
        title=found.name if found else "New funnel",
        funnel=found,
        name=name,
        definition=definition,
        errors=dict(errors or {}),
        slots=funnel_form.slots(definition),
        products=funnel_form.picker_products(catalog, definition),
        catalog_problem=catalog_problem,
        currency=catalog.currency,
        pick=funnel_form.picked,
        results=results,
        headlines=headlines,
        tones=STATUS_TONES,
        **_period_context(period),
        **_formatters(),
    )
    if errors:
        page.status_code = 422
    return page


def _period() -> dict[str, Any]:
    """The results' period: Home's choice of days (the `days` parameter) of the shop's
    calendar, up to its today."""
    calendar = current_shop().calendar
    return {"days": requested_days(), "today": calendar.today(), "calendar": calendar}


def _period_context(period: Mapping[str, Any]) -> dict[str, Any]:
    days, today = period["days"], period["today"]
    return {"periods": PERIODS, "days": days, "first": period_start(days, today), "last": today}


def _catalog(shop: Shop) -> tuple[Catalog, str | None]:
    try:
        return read_catalog(shop.platform, shop.id), None
    except PlatformError as error:
        return Catalog(currency="", products=()), str(error)


def _formatters() -> dict[str, Any]:
    locale = current_shop().locale

    def money(amount: Decimal | str, currency: str) -> str:
        return Money.of(amount, currency).rounded().format(locale) if currency else str(amount)

    def revenue(figures: OfferFigures) -> str:
        parts = [money(amount, currency) for currency, amount in sorted(figures.revenue.items())]
        return ", ".join(parts) or "0"

    def rate(figures: OfferFigures) -> str:
        take = figures.take_rate
        return "–" if take is None else f"{(take * 100).quantize(Decimal('0.1'))}%"

    return {"money": money, "revenue": revenue, "rate": rate}
