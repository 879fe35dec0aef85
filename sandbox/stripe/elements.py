"""The hosted card fields (what Stripe.js Elements is to a real checkout).

- GET /stripe/js/sandbox-elements.js: the loader the merchant's checkout includes;
  `CartpathSandbox(pk).elements().create("card").mount("#card")`, then
  `sandbox.createPaymentMethod({type: "card", card, billing_details})` resolves with
  `{paymentMethod: {id, card: {brand, last4, exp_month, exp_year}}}` or
  `{error: {type, code, message, param}}`, like `stripe.createPaymentMethod`
  (https://docs.stripe.com/js/payment_methods/create_payment_method).
- GET /stripe/elements/card?key=pk_...&origin=<checkout origin>: the iframe. It
  validates the card (Luhn, expiry, CVC), creates the PaymentMethod itself with the
  publishable key (POST /stripe/v1/payment_methods), and hands only the id to the
  parent, so card numbers never reach the merchant's server.

postMessage protocol (always with an explicit target origin):
  parent → iframe  {type: "cartpath-sandbox-card:create", requestId, billingDetails}
  iframe → parent  {type: "cartpath-sandbox-card:ready"}
                   {type: "cartpath-sandbox-card:change", complete, error}
                   {type: "cartpath-sandbox-card", requestId, paymentMethod | error}
"""

from __future__ import annotations

import re

from flask import Response, render_template, request, send_from_directory

from sandbox.stripe.api import current_emulator
from sandbox.stripe.pages import blueprint
from sandbox.stripe.state import PUBLISHABLE

_ORIGIN = re.compile(r"^https?://[A-Za-z0-9.\-]+(:\d{1,5})?$")


@blueprint.get("/js/sandbox-elements.js")
def loader() -> Response:
    response = send_from_directory(blueprint.static_folder, "sandbox-elements.js", max_age=300)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@blueprint.get("/elements/card")
def card_fields():
    key, origin = request.args.get("key", ""), request.args.get("origin", "")
    found = current_emulator().state.by_key(key)
    if found is None or found[1] != PUBLISHABLE:
        return _refuse("The key parameter must be a publishable key (pk_test_...) of this sandbox.")
    if not _ORIGIN.match(origin):
        return _refuse("The origin parameter must be the embedding page's origin.")
    response = Response(render_template("stripe_sandbox/card.html", key=key, origin=origin))
    # Only the checkout that asked for the fields may frame them.
    response.headers["Content-Security-Policy"] = f"frame-ancestors {origin}"
    return response


def _refuse(message: str):
    return render_template("stripe_sandbox/card_error.html", message=message), 400
