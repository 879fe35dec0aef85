"""The checkout's routes. Views parse, call one service, and render; nothing else.

Every state change is a plain form POST answered with a redirect (post/redirect/get),
so the page works fully without JavaScript; invalid input re-renders the page with
each message beside its field and a 422.
"""

from __future__ import annotations

import logging

from flask import (
    Blueprint,
    abort,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select

from admin.embedding import embedded
from auth.identity import current_identity, require_admin
from checkout import page_model
from checkout.design import draft_theme
from checkout.handoff import HandoffError, parse_handoff, start_checkout
from checkout.models import Checkout, CheckoutStatus
from checkout.preview import sample_checkout
from checkout.updates import UpdateError, apply_update
from core.db import utcnow
from core.models import Shop
from core.web import app_error_page, db_session
from platforms.errors import PlatformError, RetriableError

log = logging.getLogger(__name__)

blueprint = Blueprint("checkout", __name__, template_folder="templates")

START_BODY_LIMIT = 64 * 1024


@blueprint.errorhandler(HandoffError)
def _handoff_refused(error: HandoffError):
    if request.is_json:
        return jsonify(error="Checkout unavailable", message=str(error)), error.status
    return app_error_page(error.status, "We could not open the checkout", str(error))


@blueprint.errorhandler(RetriableError)
def _platform_busy(error: RetriableError):
    log.warning("platform did not answer the checkout: %s", error)
    message = "The store did not answer in time. Please try again in a moment."
    if request.is_json:
        return jsonify(error="Try again", message=message), 503
    return app_error_page(503, "Please try again", message)


@blueprint.post("/checkout/start")
def start():
    if (request.content_length or 0) > START_BODY_LIMIT:
        abort(413, "The cart is too large to hand over.")
    data = request.get_json(silent=True) if request.is_json else request.form.to_dict()
    if data is None:
        raise HandoffError("The cart could not be read. Please return to the cart.")
    handoff = parse_handoff(data)
    session = db_session()
    checkout = start_checkout(session, handoff)
    session.commit()
    url = url_for("checkout.page", token=checkout.token)
    if request.is_json:
        return jsonify(checkout_url=url), 201
    return redirect(url, 303)


def _open_checkout(token: str) -> tuple[Checkout, Shop]:
    """The checkout behind a token, or a page that says why it cannot be used."""
    session = db_session()
    checkout = session.scalar(select(Checkout).where(Checkout.token == token[:64]))
    if checkout is None:
        abort(404, "This checkout does not exist. Please return to the store's cart.")
    shop = session.get(Shop, checkout.shop_id)
    if not shop.is_installed:
        abort(410, "This store no longer uses this checkout. Please return to the store.")
    if checkout.status is not CheckoutStatus.OPEN or checkout.expires_at < utcnow():
        abort(410, "This checkout has expired. Please return to the store's cart.")
    return checkout, shop


@blueprint.get("/checkout/preview")
@require_admin()
def preview():
    """The page as shoppers will see it with the draft design (the designer's iframe)."""
    identity = current_identity()
    session = db_session()
    shop = session.get(Shop, identity.shop_id)
    checkout = sample_checkout(shop.id, currency=request.args.get("currency", "USD")[:3].upper())
    model = page_model.build(checkout, shop, session=session, theme=draft_theme(session, shop.id))
    return embedded(make_response(render_template("checkout/page.html", **model)), identity)


@blueprint.get("/checkout/<token>")
def page(token: str):
    checkout, shop = _open_checkout(token)
    return render_template(
        "checkout/page.html", **page_model.build(checkout, shop, session=db_session())
    )


@blueprint.post("/checkout/<token>")
def update(token: str):
    checkout, shop = _open_checkout(token)
    session = db_session()
    session.commit()  # end the read: no transaction stays open across the platform call
    try:
        apply_update(checkout, shop, request.form)
    except UpdateError as error:
        session.rollback()
        checkout, shop = _open_checkout(token)
        model = page_model.build(
            checkout, shop, session=session, errors=error.errors, submitted=request.form
        )
        return make_response(render_template("checkout/page.html", **model), 422)
    except PlatformError as error:
        if isinstance(error, RetriableError):
            raise
        session.rollback()
        checkout, shop = _open_checkout(token)
        model = page_model.build(
            checkout, shop, session=session, errors={"form": str(error)}, submitted=request.form
        )
        return make_response(render_template("checkout/page.html", **model), 422)
    session.commit()
    return redirect(url_for("checkout.page", token=token, _anchor=request.form.get("action")), 303)
