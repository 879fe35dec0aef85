"""Routes the storefront script calls from the shop's own pages, and the admin's switch.

The shop's pages live on another origin, so the script's two calls (the per-shop config,
which doubles as the health check, and POST /checkout/start) answer CORS for any origin:
neither carries credentials or reads a cookie, and the hand-off re-reads every line from
the platform, so nothing a foreign page sends can be trusted into a price.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, request, send_file

from auth.identity import current_identity, require_admin
from auth.installs import find_shop
from auth.models import Role
from checkout.storefront import (
    SCRIPT_FILE,
    SCRIPT_ROUTE,
    HandoffSwitchError,
    effective_handoff,
    set_handoff,
)
from core.models import Platform, Shop
from core.web import db_session

blueprint = Blueprint("storefront", __name__)

CROSS_ORIGIN_ENDPOINTS = frozenset({"checkout.start", "storefront.config"})
PREFLIGHT_MAX_AGE = 600


@blueprint.after_app_request
def _allow_storefront_origins(response: Response) -> Response:
    if request.endpoint in CROSS_ORIGIN_ENDPOINTS:
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Methods"] = "GET, POST"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
        response.headers["Access-Control-Max-Age"] = str(PREFLIGHT_MAX_AGE)
    return response


@blueprint.get(SCRIPT_ROUTE)
def script():
    return send_file(SCRIPT_FILE, mimetype="text/javascript", max_age=300)


@blueprint.get("/storefront/config")
def config():
    """Whether to hand this shop's shoppers over: "on", "test" or "off"."""
    try:
        platform = Platform(request.args.get("platform", ""))
    except ValueError:
        return _refuse(400, "Say which platform the shop is on: shopify or bigcommerce.")
    domain = request.args.get("shop", "").strip().lower()
    if not domain or len(domain) > 255:
        return _refuse(400, "Say which shop this is (its myshopify domain or store hash).")
    shop = find_shop(db_session(), platform, domain)
    if shop is None:
        return _refuse(404, "This shop does not use Cartpath.")
    answer = jsonify(handoff=effective_handoff(shop).value)
    answer.headers["Cache-Control"] = "no-store"
    return answer


def _refuse(status: int, message: str) -> tuple[Response, int]:
    return jsonify(error="No hand-off", message=message, handoff="off"), status


@blueprint.post("/admin/storefront/handoff")
@require_admin(Role.OWNER)
def change_handoff():
    identity = current_identity()
    session = db_session()
    shop = session.get(Shop, identity.shop_id)
    try:
        value = set_handoff(session, shop, request.form.get("handoff", ""), actor=identity.actor)
    except HandoffSwitchError as error:
        abort(error.status, str(error))
    session.commit()
    return jsonify(handoff=value.value)
