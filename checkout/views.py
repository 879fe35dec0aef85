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
from sqlalchemy import Row, Select, bindparam, select

from admin.embedding import embedded
from auth.identity import current_identity, require_admin
from checkout import page_model
from checkout.addresses import is_known_country
from checkout.design import PUBLISHED_SETTINGS, draft_theme, theme_from_stored
from checkout.handoff import CART_GONE, HandoffError, parse_handoff, start_checkout
from checkout.models import Checkout, CheckoutDesign, CheckoutStatus, Order
from checkout.paying import (
    Outcome,
    PayForm,
    PaymentInProgress,
    PaymentProblem,
    finish_authentication,
    pay,
)
from checkout.preview import sample_checkout
from checkout.shopper_pages import card_fields, card_fields_policy, posted_from_this_site
from checkout.theme import Theme
from checkout.updates import UpdateError, apply_update
from core.db import utcnow
from core.models import Shop
from core.services import services
from core.tokens import could_be_issued
from core.web import app_error_page, db_session
from payments.gateway import BrowserFields
from payments.limits import TooManyAttempts
from platforms.errors import NotFoundError, PlatformError, RetriableError
from upsell.hosted import paid_items, start_funnel

log = logging.getLogger(__name__)

blueprint = Blueprint(
    "checkout",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/checkout/static",
)

START_BODY_LIMIT = 64 * 1024
NO_SUCH_CHECKOUT = "This checkout does not exist. Please return to the store's cart."
# The shopper pages that carry the card fields, and so the gateway's CSP.
PAGES_WITH_CARD_FIELDS = frozenset(
    {"checkout.page", "checkout.update", "checkout.pay", "checkout.payment_return"}
)


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


@blueprint.errorhandler(TooManyAttempts)
def _too_many_attempts(error: TooManyAttempts):
    minutes = max(1, round(error.retry_after / 60))
    response = app_error_page(
        429,
        "Too many payment attempts",
        f"For your security, please wait {minutes} minute{'s' if minutes > 1 else ''} "
        "before trying to pay again.",
    )
    response.headers["Retry-After"] = str(error.retry_after)
    return response


@blueprint.context_processor
def _card_fields_for_templates() -> dict[str, BrowserFields | None]:
    """The gateway's card fields for the payment section (None: no gateway configured)."""
    return {"card_fields": card_fields()}


@blueprint.after_request
def _allow_card_fields(response):
    """The checkout page loads only its own files and the gateway's script and frame."""
    if request.endpoint in PAGES_WITH_CARD_FIELDS and response.mimetype == "text/html":
        response.headers["Content-Security-Policy"] = card_fields_policy()
    return response


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


def _by_token(query: Select) -> Select:
    """One round trip per request: the checkout, its shop and the shop's published design."""
    return (
        query.join_from(Checkout, Shop, Shop.id == Checkout.shop_id)
        .outerjoin(CheckoutDesign, CheckoutDesign.shop_id == Checkout.shop_id)
        .where(Checkout.token == bindparam("token"))
    )


_CHECKOUT_BY_TOKEN = _by_token(select(Checkout, Shop, PUBLISHED_SETTINGS))
# What the pages that only show a checkout read of its shop, and the same as plain rows.
_SHOWN_SHOP_FIELDS = ("name", "domain", "locale", "installed_at", "uninstalled_at")
_SHOWN_BY_TOKEN = _by_token(
    select(
        *Checkout.__table__.columns,
        *(getattr(Shop, name).label(f"shop_{name}") for name in _SHOWN_SHOP_FIELDS),
        PUBLISHED_SETTINGS.label("design"),
    )
)


def _open_checkout(token: str) -> tuple[Checkout, Shop, Theme]:
    """The checkout behind a token with its shop and design, or a page that says why it
    cannot be used."""
    if not could_be_issued(token):
        abort(404, NO_SUCH_CHECKOUT)
    found = db_session().execute(_CHECKOUT_BY_TOKEN, {"token": token}).one_or_none()
    if found is None:
        abort(404, NO_SUCH_CHECKOUT)
    checkout, shop, design = found
    _refuse_unusable(checkout, installed=shop.is_installed)
    return checkout, shop, theme_from_stored(design, shop.id)


def _shown_checkout(token: str) -> tuple[page_model.ShownCheckout, Shop, Theme]:
    """`_open_checkout` for the pages that only show it (the page, the address fields):
    plain rows from one statement, without the ORM session or a transaction, which is half
    the work of a page view (bench/checkout.py). The row stands for the checkout; the shop
    is a transient copy, never saved."""
    if not could_be_issued(token):
        abort(404, NO_SUCH_CHECKOUT)
    engine = services().database.engine
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        row = connection.execute(_SHOWN_BY_TOKEN, {"token": token}).one_or_none()
    if row is None:
        abort(404, NO_SUCH_CHECKOUT)
    shop = Shop(
        id=row.shop_id, **{name: getattr(row, f"shop_{name}") for name in _SHOWN_SHOP_FIELDS}
    )
    _refuse_unusable(row, installed=shop.is_installed)
    return row, shop, theme_from_stored(row.design, shop.id)


def _refuse_unusable(checkout: Checkout | Row, *, installed: bool) -> None:
    """Answer instead of the page when the checkout cannot be used (HTTPException)."""
    if not installed:
        abort(410, "This store no longer uses this checkout. Please return to the store.")
    if checkout.status is CheckoutStatus.COMPLETED:
        # Paid already (the back button, a replayed form): show the order, never the form.
        abort(redirect(url_for("checkout.thank_you", token=checkout.token), 303))
    if checkout.status is not CheckoutStatus.OPEN or checkout.expires_at < utcnow():
        abort(410, "This checkout has expired. Please return to the store's cart.")


@blueprint.get("/checkout/preview")
@require_admin()
def preview():
    """The page as shoppers will see it with the draft design (the designer's iframe)."""
    identity = current_identity()
    session = db_session()
    shop = session.get(Shop, identity.shop_id)
    checkout = sample_checkout(shop.id, currency=request.args.get("currency", "USD")[:3].upper())
    model = page_model.build(checkout, shop, theme=draft_theme(session, shop.id))
    return embedded(make_response(render_template("checkout/page.html", **model)), identity)


@blueprint.get("/checkout/<token>")
def page(token: str):
    checkout, shop, theme = _shown_checkout(token)
    return render_template("checkout/page.html", **page_model.build(checkout, shop, theme=theme))


@blueprint.get("/checkout/<token>/address-fields")
def address_fields(token: str):
    """The address fields for another country, swapped into the page by enhance.js; the
    shopper's typed values are kept by the script, so none are sent here."""
    _checkout, _shop, theme = _shown_checkout(token)
    country = request.args.get("country", "").upper()
    if not is_known_country(country):
        abort(400, "Choose a country from the list.")
    model = page_model.address_form(country, theme)
    return render_template(
        "checkout/_fields.html", fields=model["address_fields"], values={}, errors={}, **model
    )


@blueprint.post("/checkout/<token>")
def update(token: str):
    checkout, shop, _theme = _open_checkout(token)
    session = db_session()
    session.commit()  # end the read: no transaction stays open across the platform call
    try:
        apply_update(checkout, shop, request.form)
    except UpdateError as error:
        session.rollback()
        checkout, shop, theme = _open_checkout(token)
        model = page_model.build(
            checkout, shop, theme=theme, errors=error.errors, submitted=request.form
        )
        return make_response(render_template("checkout/page.html", **model), 422)
    except PlatformError as error:
        if isinstance(error, RetriableError):
            raise
        session.rollback()
        gone = isinstance(error, NotFoundError)
        message = CART_GONE if gone else str(error)
        checkout, shop, theme = _open_checkout(token)
        model = page_model.build(
            checkout, shop, theme=theme, errors={"form": message}, submitted=request.form
        )
        return make_response(render_template("checkout/page.html", **model), 409 if gone else 422)
    session.commit()
    return redirect(url_for("checkout.page", token=token, _anchor=request.form.get("action")), 303)


def after_payment_url(token: str, order: Order) -> str:
    """Where a paid shopper goes next: the funnel's first offer, else the thank-you page."""
    order_id = order.id
    db_session().commit()  # the funnel prices its offers on the platform: no open transaction
    try:
        offer = start_funnel(order_id)
    except PlatformError:  # the order is paid: the shopper goes on without an offer
        log.warning("no upsell for order %s: the platform did not price it", order_id)
        offer = None
    if offer is not None:
        return url_for("upsell.offer", token=token, offer=offer)
    return url_for("checkout.thank_you", token=token)


def _follow(token: str, outcome: Outcome):
    if outcome.action_url:
        return redirect(outcome.action_url, 303)
    return redirect(after_payment_url(token, outcome.order), 303)


def _payment_refused(token: str, problem: PaymentProblem):
    """The page again, the reason beside the card fields; a wait reloads it shortly."""
    db_session().rollback()
    checkout, shop, theme = _open_checkout(token)
    model = page_model.build(checkout, shop, theme=theme, errors={"payment": problem.message})
    if isinstance(problem, PaymentInProgress):
        model["refresh_url"] = url_for("checkout.page", token=token)
    return make_response(render_template("checkout/page.html", **model), problem.status)


@blueprint.post("/checkout/<token>/pay")
def pay_checkout(token: str):
    checkout, shop, _theme = _open_checkout(token)
    if not posted_from_this_site():
        abort(403, "This payment form came from another site. Please pay on the checkout page.")
    form = PayForm(
        payment_method_id=request.form.get("payment_method", "").strip(),
        shown_total=request.form.get("shown_total", ""),
        save_card=request.form.get("save_card") == "yes",
    )
    return_url = services().config.base_url + url_for("checkout.payment_return", token=token)
    try:
        outcome = pay(
            db_session(),
            checkout,
            shop,
            form,
            client_ip=request.remote_addr or "unknown",
            return_url=return_url,
        )
    except PaymentProblem as problem:
        return _payment_refused(token, problem)
    return _follow(token, outcome)


@blueprint.get("/checkout/<token>/payment/return")
def payment_return(token: str):
    """Back from the bank's 3-D Secure page (the gateway adds `payment_intent`)."""
    checkout, shop, _theme = _open_checkout(token)
    intent_id = request.args.get("payment_intent", "")
    if not intent_id:
        abort(400, "This link is missing the payment it belongs to. Please pay again.")
    try:
        outcome = finish_authentication(db_session(), checkout, shop, intent_id)
    except PaymentProblem as problem:
        return _payment_refused(token, problem)
    return _follow(token, outcome)


@blueprint.get("/checkout/<token>/thank-you")
def thank_you(token: str):
    session = db_session()
    checkout = (
        session.scalar(select(Checkout).where(Checkout.token == token))
        if could_be_issued(token)
        else None
    )
    if checkout is None:
        abort(404, "This order does not exist. Please check the link in your email.")
    order = session.scalar(select(Order).where(Order.checkout_id == checkout.id))
    if order is None:
        return redirect(url_for("checkout.page", token=token), 303)
    shop = session.get(Shop, checkout.shop_id)
    model = page_model.thank_you(order, shop, now=utcnow(), added=paid_items(session, order))
    return render_template("checkout/thank_you.html", **model)
