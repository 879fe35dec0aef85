"""The hosted offer pages between payment and thank-you: show, accept (one click),
decline, and the way back from the bank's page. Plain forms with post/redirect/get, so
they work without JavaScript; every refusal is a page that says what happened and how
to go on, and that nothing more was charged."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Blueprint, make_response, redirect, render_template, request, url_for

from checkout.shopper_pages import card_fields, card_fields_policy, posted_from_this_site
from core.models import Shop
from core.money import Money
from core.web import db_session
from platforms.errors import RetriableError
from upsell.hosted import (
    OfferProblem,
    OfferView,
    Step,
    accept,
    choices_of,
    decline,
    find_offer,
    finish_authentication,
    may_try_another_card,
    next_step,
    pay_with_another_card,
    view_offer,
)

log = logging.getLogger(__name__)

blueprint = Blueprint("upsell", __name__, template_folder="templates")

OFFER_URL = "/checkout/<token>/offers/<offer>"


@blueprint.after_request
def _allow_card_fields(response):
    """The offer pages load only their own files and the gateway's card fields, and a form
    may lead on to the bank's 3-D Secure page (checkout's policy)."""
    if response.mimetype == "text/html":
        response.headers["Content-Security-Policy"] = card_fields_policy()
    return response


def _go(token: str, step: Step):
    if step.action_url:
        return redirect(step.action_url, 303)
    if step.next_offer:
        return redirect(url_for("upsell.offer", token=token, offer=step.next_offer), 303)
    return redirect(url_for("checkout.thank_you", token=token), 303)


def _problem(token: str, offer: str, problem: OfferProblem):
    """The refusal, with a way on: the decline path's next offer or the thank-you page."""
    session = db_session()
    session.rollback()
    continue_url = url_for("checkout.thank_you", token=token)
    another_card_url = None
    if problem.status != 404:
        shown = find_offer(session, token, offer)
        step = next_step(session, shown, accepted=False)
        if step.next_offer:
            continue_url = url_for("upsell.offer", token=token, offer=step.next_offer)
        if may_try_another_card(session, shown):
            another_card_url = url_for("upsell.another_card", token=token, offer=offer)
    page = render_template(
        "upsell/problem.html",
        message=problem.message,
        continue_url=continue_url,
        another_card_url=another_card_url,
        amount=Money.of(shown.total, shown.currency).format(session.get(Shop, shown.shop_id).locale)
        if another_card_url
        else None,
        card_fields=card_fields(),
    )
    return make_response(page, problem.status)


@blueprint.get(OFFER_URL)
def offer(token: str, offer: str):
    session = db_session()
    try:
        shown = view_offer(session, token, offer)
    except OfferProblem as problem:
        return _problem(token, offer, problem)
    return render_offer(shown, token)


def render_offer(view: OfferView, token: str) -> str:
    """The offer page for `view` (the admin's preview renders it too, from unsaved rows)."""
    shop: Shop = view.shop
    quote = view.shown.quote

    def money(amount: str) -> str:
        return Money.of(amount, view.shown.currency).format(shop.locale)

    return render_template(
        "upsell/offer.html",
        view=view,
        quote=quote,
        prices={
            name: money(quote[name])
            for name in ("unit_price", "list_unit_price", "items", "shipping", "tax", "total")
        },
        discounted=quote["unit_price"] != quote["list_unit_price"],
        # Several variants: the shopper picks one, each shown with its exact total.
        choices=[
            {**choice, "total_text": money(choice["total"])} for choice in choices_of(view.shown)
        ]
        if len(choices_of(view.shown)) > 1
        else [],
        token=token,
    )


def _charging(token: str, offer: str, charge: Callable[[], Step]):
    """Run an answer that charges a card; every refusal is a page, never a 500."""
    if not posted_from_this_site():
        return _problem(token, offer, OfferProblem(403, "This form came from another site."))
    try:
        step = charge()
    except OfferProblem as problem:
        return _problem(token, offer, problem)
    except RetriableError:
        log.warning("platform did not answer while charging offer %s", offer[:12])
        problem = OfferProblem(
            503, "The store did not answer in time. Nothing was charged; please try again."
        )
        return _problem(token, offer, problem)
    return _go(token, step)


@blueprint.post(f"{OFFER_URL}/accept")
def accept_offer(token: str, offer: str):
    variant = request.form.get("variant", "").strip() or None
    return _charging(token, offer, lambda: accept(db_session(), token, offer, variant))


@blueprint.post(f"{OFFER_URL}/card")
def another_card(token: str, offer: str):
    """After a decline: the card the shopper entered instead (the gateway's id for it)."""
    card = request.form.get("payment_method", "").strip()
    return _charging(token, offer, lambda: pay_with_another_card(db_session(), token, offer, card))


@blueprint.post(f"{OFFER_URL}/decline")
def decline_offer(token: str, offer: str):
    try:
        step = decline(db_session(), token, offer)
    except OfferProblem as problem:
        return _problem(token, offer, problem)
    return _go(token, step)


@blueprint.get(f"{OFFER_URL}/payment/return")
def payment_return(token: str, offer: str):
    """Back from the bank's 3-D Secure page (the gateway adds `payment_intent`)."""
    intent_id = request.args.get("payment_intent", "")
    try:
        if not intent_id:
            raise OfferProblem(400, "This link is missing the payment it belongs to.")
        step = finish_authentication(db_session(), token, offer, intent_id)
    except OfferProblem as problem:
        return _problem(token, offer, problem)
    return _go(token, step)
