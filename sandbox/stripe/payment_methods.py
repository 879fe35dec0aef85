"""PaymentMethods: create (what Stripe.js does with the publishable key), retrieve,
attach, detach and list. https://docs.stripe.com/api/payment_methods
"""

from __future__ import annotations

import time
from typing import Any

from sandbox.stripe import cards, forms, wallet
from sandbox.stripe.api import Call, blueprint, endpoint
from sandbox.stripe.errors import invalid_param, missing_param
from sandbox.stripe.expand import get, list_of


def _today(call: Call) -> tuple[int, int]:
    moment = time.gmtime(call.now())
    return moment.tm_year, moment.tm_mon


@blueprint.post("/payment_methods")
@endpoint(publishable=True)
def create(call: Call) -> dict[str, Any]:
    params = call.params
    forms.check_known(params, ("type", "card", "billing_details", "metadata"))
    kind = forms.text(params, "type", required=True)
    if kind != "card":
        raise invalid_param(f"Invalid type: {kind}. The sandbox supports card only.", "type")
    card = forms.mapping(params, "card")
    if not card:
        raise missing_param("card")
    unknown = set(card) - {"number", "exp_month", "exp_year", "cvc"}
    if unknown:
        name = sorted(unknown)[0]
        raise invalid_param(f"Received unknown parameter: card[{name}]", f"card[{name}]")
    checked = cards.validate(
        card.get("number"),
        card.get("exp_month"),
        card.get("exp_year"),
        card.get("cvc"),
        today=_today(call),
    )
    return wallet.build(
        call.account,
        checked,
        billing_details=forms.mapping(params, "billing_details"),
        metadata=forms.merge_metadata({}, forms.mapping(params, "metadata")),
        now=call.now(),
    )


@blueprint.get("/payment_methods/<pm_id>")
@endpoint()
def retrieve(call: Call) -> dict[str, Any]:
    return get(call.account, "payment_method", call.path["pm_id"], "PaymentMethod")


@blueprint.post("/payment_methods/<pm_id>/attach")
@endpoint(issuer=True)
def attach(call: Call) -> dict[str, Any]:
    forms.check_known(call.params, ("customer",))
    customer_id = forms.text(call.params, "customer", required=True)
    customer = get(call.account, "customer", customer_id, "customer", "customer")
    pm = wallet.resolve(call.account, call.path["pm_id"], "payment_method", call.now())
    wallet.attach(call.account, pm, customer, "payment_method")
    return pm


@blueprint.post("/payment_methods/<pm_id>/detach")
@endpoint()
def detach(call: Call) -> dict[str, Any]:
    forms.check_known(call.params, ())
    pm = get(call.account, "payment_method", call.path["pm_id"], "PaymentMethod")
    wallet.detach(call.account, pm)
    return pm


@blueprint.get("/payment_methods")
@endpoint()
def list_(call: Call) -> dict[str, Any]:
    forms.check_known(call.params, ("customer", "type", "limit", "starting_after"))
    customer_id = forms.text(call.params, "customer")
    if customer_id:
        get(call.account, "customer", customer_id, "customer", "customer")
    kind = forms.text(call.params, "type")
    items = [
        pm
        for pm in call.account.of_type("payment_method")
        if kind in (None, pm["type"]) and (customer_id is None or pm["customer"] == customer_id)
    ]
    return list_of(items, "/v1/payment_methods", call.params)
