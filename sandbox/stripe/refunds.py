"""Refunds (create for a PaymentIntent or a Charge, full or partial; retrieve) and
Charge retrieval. https://docs.stripe.com/api/refunds/create: without `amount` the
whole unrefunded remainder is refunded; the charge's `amount_refunded` and
`refunded` follow.
"""

from __future__ import annotations

from typing import Any

from sandbox.stripe import forms
from sandbox.stripe.api import Call, blueprint, endpoint
from sandbox.stripe.errors import StripeError, invalid_param
from sandbox.stripe.expand import get
from sandbox.stripe.state import new_id

REASONS = ("duplicate", "fraudulent", "requested_by_customer")


def _refundable_charge(call: Call) -> dict[str, Any]:
    charge_id = forms.text(call.params, "charge")
    intent_id = forms.text(call.params, "payment_intent")
    if bool(charge_id) == bool(intent_id):
        raise invalid_param("Provide exactly one of charge or payment_intent.", "charge")
    if intent_id:
        intent = get(call.account, "payment_intent", intent_id, "payment_intent", "payment_intent")
        if intent["status"] != "succeeded":
            raise StripeError(
                400,
                f"This PaymentIntent ({intent_id}) does not have a successful charge to refund.",
                param="payment_intent",
            )
        charge_id = intent["latest_charge"]
    charge = get(call.account, "charge", charge_id, "charge", "charge")
    if charge["status"] != "succeeded" or not charge["captured"]:
        raise StripeError(
            400,
            f"Charge {charge['id']} has not been captured; cancel its PaymentIntent to release "
            "the authorization instead.",
            param="charge",
        )
    return charge


@blueprint.post("/refunds")
@endpoint()
def create(call: Call) -> dict[str, Any]:
    params = call.params
    forms.check_known(params, ("charge", "payment_intent", "amount", "reason", "metadata"))
    reason = forms.choice(params, "reason", REASONS)
    metadata = forms.merge_metadata({}, forms.mapping(params, "metadata"))
    amount = forms.integer(params, "amount")
    if amount is not None and amount <= 0:
        raise invalid_param("Invalid positive integer", "amount")
    charge = _refundable_charge(call)
    remaining = charge["amount"] - charge["amount_refunded"]
    if remaining == 0:
        raise StripeError(
            400,
            f"Charge {charge['id']} has already been refunded.",
            code="charge_already_refunded",
        )
    amount = remaining if amount is None else amount
    if amount > remaining:
        raise StripeError(
            400,
            f"Refund amount ({amount}) is greater than unrefunded amount on charge ({remaining})",
            code="amount_too_large",
            param="amount",
        )
    charge["amount_refunded"] += amount
    charge["refunded"] = charge["amount_refunded"] == charge["amount"]
    return call.account.add(
        {
            "id": new_id("re"),
            "object": "refund",
            "amount": amount,
            "balance_transaction": new_id("txn"),
            "charge": charge["id"],
            "created": call.now(),
            "currency": charge["currency"],
            "destination_details": {"card": {"type": "refund"}, "type": "card"},
            "metadata": metadata,
            "payment_intent": charge["payment_intent"],
            "reason": reason,
            "receipt_number": None,
            "source_transfer_reversal": None,
            "status": "succeeded",
            "transfer_reversal": None,
        }
    )


@blueprint.get("/refunds/<refund_id>")
@endpoint()
def retrieve(call: Call) -> dict[str, Any]:
    return get(call.account, "refund", call.path["refund_id"], "refund")


@blueprint.get("/charges/<charge_id>")
@endpoint()
def retrieve_charge(call: Call) -> dict[str, Any]:
    return get(call.account, "charge", call.path["charge_id"], "charge")
