"""POST /post-purchase/offer, /sign-changeset, /changeset-result and /decline, called by our
extension on Shopify's post-purchase page. The token Shopify signed is checked before anything else;
a bad one gets 401 and changes nothing."""

from __future__ import annotations

import time
from typing import Any

from flask import Blueprint, jsonify, request

from core.services import services
from platforms.errors import InvalidPostPurchaseTokenError, RetriableError
from platforms.shopify.post_purchase import PurchaseToken, decode_purchase_token
from upsell.native import OfferRefused, offers_for, sign_accepted
from upsell.native_outcomes import record_decline, record_result

blueprint = Blueprint("post_purchase", __name__)


@blueprint.errorhandler(InvalidPostPurchaseTokenError)
def _bad_token(error: InvalidPostPurchaseTokenError):
    return jsonify(error="Unauthorized", message=str(error)), 401


@blueprint.errorhandler(OfferRefused)
def _refused(error: OfferRefused):
    return jsonify(error="Refused", message=str(error)), error.status


@blueprint.errorhandler(RetriableError)
def _busy(_error: RetriableError):
    # The page skips to the thank-you page on any error: the purchase is never blocked.
    return jsonify(error="Try again", message="The store did not answer in time."), 503


def _verified() -> tuple[PurchaseToken, dict[str, Any]]:
    header = request.headers.get("Authorization", "")
    token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else None
    purchase = decode_purchase_token(
        token, secret=services().config.shopify_api_secret, now=time.time()
    )
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or body.get("referenceId") != purchase.reference_id:
        raise InvalidPostPurchaseTokenError("the token is for another purchase")
    return purchase, body


@blueprint.post("/post-purchase/offer")
def offer():
    purchase, _body = _verified()
    return jsonify(offers=offers_for(purchase))


@blueprint.post("/post-purchase/sign-changeset")
def sign():
    purchase, body = _verified()
    token = sign_accepted(purchase, str(body.get("offerId") or ""), body.get("changes"))
    return jsonify(token=token)


@blueprint.post("/post-purchase/changeset-result")
def changeset_result():
    """What applyChangeset answered, reported by our extension (only it learns it)."""
    purchase, body = _verified()
    status = record_result(
        purchase, str(body.get("offerId") or ""), body.get("status"), body.get("errors")
    )
    return jsonify(recorded=status)


@blueprint.post("/post-purchase/decline")
def decline():
    """The shopper declined an offer; our extension moves on without waiting for this."""
    purchase, body = _verified()
    return jsonify(recorded=record_decline(purchase, str(body.get("offerId") or "")))
