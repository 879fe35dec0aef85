"""Customers: create, retrieve, update, and list their PaymentMethods.

Object shape: https://docs.stripe.com/api/customers/object
"""

from __future__ import annotations

from typing import Any

from sandbox.stripe import forms, wallet
from sandbox.stripe.api import Call, blueprint, endpoint
from sandbox.stripe.errors import invalid_param
from sandbox.stripe.expand import get, list_of
from sandbox.stripe.state import new_id

_FIELDS = ("email", "name", "phone", "description")


def _apply(call: Call, obj: dict[str, Any]) -> None:
    """Set the writable fields present in the request (an empty string clears one)."""
    params = call.params
    for name in _FIELDS:
        value = forms.text(params, name)
        if value is not None:
            obj[name] = value or None
    obj["metadata"] = forms.merge_metadata(obj["metadata"], forms.mapping(params, "metadata"))
    settings = forms.mapping(params, "invoice_settings") or {}
    default = settings.get("default_payment_method")
    if default is not None:
        param = "invoice_settings[default_payment_method]"
        if (
            default
            and get(call.account, "payment_method", default, "PaymentMethod", param)["customer"]
            != obj["id"]
        ):
            raise invalid_param(
                f"The PaymentMethod {default} does not belong to the Customer {obj['id']}. "
                "Please attach it to the Customer first.",
                param,
            )
        obj["invoice_settings"]["default_payment_method"] = default or None


@blueprint.post("/customers")
@endpoint()
def create(call: Call) -> dict[str, Any]:
    forms.check_known(call.params, (*_FIELDS, "metadata", "invoice_settings", "payment_method"))
    obj = {
        "id": new_id("cus", 14),
        "object": "customer",
        "address": None,
        "balance": 0,
        "created": call.now(),
        "currency": None,
        "default_source": None,
        "delinquent": False,
        "description": None,
        "discount": None,
        "email": None,
        "invoice_prefix": new_id("x", 8)[2:].upper(),
        "invoice_settings": {
            "custom_fields": None,
            "default_payment_method": None,
            "footer": None,
            "rendering_options": None,
        },
        "livemode": False,
        "metadata": {},
        "name": None,
        "phone": None,
        "preferred_locales": [],
        "shipping": None,
        "tax_exempt": "none",
        "test_clock": None,
    }
    pm_id = forms.text(call.params, "payment_method")
    pm = wallet.resolve(call.account, pm_id, "payment_method", call.now()) if pm_id else None
    if pm is not None:
        wallet.attach(call.account, pm, obj, "payment_method")
    try:
        _apply(call, obj)
    except Exception:
        if pm is not None:
            pm["customer"] = None
        raise
    return call.account.add(obj)


@blueprint.get("/customers/<customer_id>")
@endpoint()
def retrieve(call: Call) -> dict[str, Any]:
    return get(call.account, "customer", call.path["customer_id"], "customer")


@blueprint.post("/customers/<customer_id>")
@endpoint()
def update(call: Call) -> dict[str, Any]:
    obj = get(call.account, "customer", call.path["customer_id"], "customer")
    forms.check_known(call.params, (*_FIELDS, "metadata", "invoice_settings"))
    _apply(call, obj)
    return obj


@blueprint.get("/customers/<customer_id>/payment_methods")
@endpoint()
def payment_methods(call: Call) -> dict[str, Any]:
    owner = get(call.account, "customer", call.path["customer_id"], "customer")
    forms.check_known(call.params, ("type", "limit", "starting_after"))
    kind = forms.text(call.params, "type")
    items = [
        pm
        for pm in call.account.of_type("payment_method")
        if pm["customer"] == owner["id"] and kind in (None, pm["type"])
    ]
    return list_of(items, f"/v1/customers/{owner['id']}/payment_methods", call.params)
