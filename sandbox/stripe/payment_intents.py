"""PaymentIntents: create, retrieve, confirm, capture, cancel.

Parameters and object: https://docs.stripe.com/api/payment_intents. The state machine
itself is in charging.py.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from sandbox.stripe import charging, forms, wallet
from sandbox.stripe.api import Call, blueprint, endpoint
from sandbox.stripe.errors import invalid_param, unexpected_state
from sandbox.stripe.expand import get
from sandbox.stripe.state import new_id

# Minimum charge amounts in minor units (https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts).
MINIMUM_AMOUNT = {"usd": 50, "eur": 50, "gbp": 30, "cad": 50, "aud": 50, "jpy": 50, "chf": 50}
MAXIMUM_AMOUNT = 99_999_999
CANCELLATION_REASONS = ("duplicate", "fraudulent", "requested_by_customer", "abandoned")
_CONFIRM_PARAMS = (
    "payment_method",
    "return_url",
    "off_session",
    "setup_future_usage",
    "capture_method",
    "receipt_email",
)


def _money(amount: int, currency: str) -> tuple[int, str]:
    """Validate an amount in minor units against the currency's limits."""
    currency = currency.lower()
    if not re.fullmatch(r"[a-z]{3}", currency):
        raise invalid_param(f"Invalid currency: {currency}.", "currency")
    minimum = MINIMUM_AMOUNT.get(currency, 50)
    if amount < minimum:
        raise invalid_param(
            f"Amount must be at least {minimum} {currency} minor units.",
            "amount",
            "amount_too_small",
        )
    if amount > MAXIMUM_AMOUNT:
        raise invalid_param(
            f"Amount must be no more than {MAXIMUM_AMOUNT}.", "amount", "amount_too_large"
        )
    return amount, currency


def _intent(call: Call) -> dict[str, Any]:
    return get(call.account, "payment_intent", call.path["intent_id"], "payment_intent")


def _off_session(params: forms.Params) -> bool:
    """`off_session` is a boolean or, for recurring/one-off MIT, a string."""
    value = forms.text(params, "off_session")
    if value in (None, "false"):
        return False
    if value in ("true", "one_off", "recurring"):
        return True
    raise invalid_param(f"Invalid off_session: {value}", "off_session")


def _apply_confirm_params(call: Call, intent: dict[str, Any]) -> tuple[bool, str | None]:
    """Settings a create-with-confirm or a confirm may change; (off_session, return_url)."""
    params = call.params
    pm_id = forms.text(params, "payment_method")
    if pm_id:
        pm = wallet.resolve(call.account, pm_id, "payment_method", call.now())
        intent["payment_method"] = pm["id"]
    usage = forms.choice(params, "setup_future_usage", ("on_session", "off_session", ""))
    if usage is not None:
        intent["setup_future_usage"] = usage or None
    capture_method = forms.choice(
        params, "capture_method", ("automatic", "automatic_async", "manual")
    )
    if capture_method:
        intent["capture_method"] = capture_method
    receipt_email = forms.text(params, "receipt_email")
    if receipt_email is not None:
        intent["receipt_email"] = receipt_email or None
    return_url = forms.text(params, "return_url")
    if return_url is not None and not re.match(r"^https?://", return_url):
        raise invalid_param("Invalid URL: return_url must be an http(s) URL.", "return_url")
    return _off_session(params), return_url


def _confirm(call: Call, intent: dict[str, Any], off_session: bool, return_url: str | None):
    if return_url is None:
        return_url = call.account.return_urls.get(intent["id"])
    return charging.confirm(
        call.account,
        intent,
        off_session=off_session,
        challenge_url=f"{call.emulator.context.public_url}/stripe/3ds/{intent['id']}",
        return_url=return_url,
        now=call.now(),
    )


@blueprint.post("/payment_intents")
@endpoint(issuer=True)
def create(call: Call) -> dict[str, Any]:
    params = call.params
    forms.check_known(
        params,
        (
            *_CONFIRM_PARAMS,
            "amount",
            "currency",
            "customer",
            "confirm",
            "metadata",
            "description",
            "payment_method_types",
            "automatic_payment_methods",
            "statement_descriptor_suffix",
        ),
    )
    amount, currency = _money(
        forms.integer(params, "amount", required=True) or 0,
        forms.text(params, "currency", required=True) or "",
    )
    types = params.get("payment_method_types")
    if types is not None and types != ["card"]:
        raise invalid_param(
            "The sandbox supports payment_method_types: ['card'] only.", "payment_method_types"
        )
    customer_id = forms.text(params, "customer")
    if customer_id:
        get(call.account, "customer", customer_id, "customer", "customer")
    confirm = forms.boolean(params, "confirm") or False
    if not confirm and ("off_session" in params or "return_url" in params):
        name = "off_session" if "off_session" in params else "return_url"
        raise invalid_param(f"You can only pass {name} when confirm=true.", name)
    intent_id = new_id("pi")
    intent = {
        "id": intent_id,
        "object": "payment_intent",
        "amount": amount,
        "amount_capturable": 0,
        "amount_details": {"tip": {}},
        "amount_received": 0,
        "application": None,
        "application_fee_amount": None,
        "automatic_payment_methods": None
        if types
        else {"allow_redirects": "always", "enabled": True},
        "canceled_at": None,
        "cancellation_reason": None,
        "capture_method": "automatic_async",
        "client_secret": f"{intent_id}_secret_{secrets.token_urlsafe(18)}",
        "confirmation_method": "automatic",
        "created": call.now(),
        "currency": currency,
        "customer": customer_id,
        "description": forms.text(params, "description"),
        "last_payment_error": None,
        "latest_charge": None,
        "livemode": False,
        "metadata": forms.merge_metadata({}, forms.mapping(params, "metadata")),
        "next_action": None,
        "on_behalf_of": None,
        "payment_method": None,
        "payment_method_configuration_details": None,
        "payment_method_options": {
            "card": {
                "installments": None,
                "mandate_options": None,
                "network": None,
                "request_three_d_secure": "automatic",
            }
        },
        "payment_method_types": ["card"],
        "processing": None,
        "receipt_email": None,
        "review": None,
        "setup_future_usage": None,
        "shipping": None,
        "statement_descriptor": None,
        "statement_descriptor_suffix": forms.text(params, "statement_descriptor_suffix"),
        "status": "requires_payment_method",
        "transfer_data": None,
        "transfer_group": None,
    }
    off_session, return_url = _apply_confirm_params(call, intent)
    if intent["payment_method"]:
        intent["status"] = "requires_confirmation"
    call.account.add(intent)
    if confirm:
        return _confirm(call, intent, off_session, return_url)
    return intent


@blueprint.get("/payment_intents/<intent_id>")
@endpoint()
def retrieve(call: Call) -> dict[str, Any]:
    return _intent(call)


@blueprint.post("/payment_intents/<intent_id>")
@endpoint()
def update(call: Call) -> dict[str, Any]:
    """Change an intent before it is paid; once final, only description and metadata.

    https://docs.stripe.com/api/payment_intents/update
    """
    intent = _intent(call)
    params = call.params
    forms.check_known(
        params,
        (
            "amount",
            "currency",
            "customer",
            "description",
            "metadata",
            "payment_method",
            "setup_future_usage",
            "capture_method",
            "receipt_email",
        ),
    )
    if intent["status"] not in charging.CONFIRMABLE and set(params) - {
        "description",
        "metadata",
        "expand",
    }:
        raise unexpected_state(
            f"You cannot update this PaymentIntent because it has a status of "
            f"{intent['status']}. Only its description and metadata can still change.",
            payment_intent=charging.snapshot(intent),
        )
    new_amount, new_currency = forms.integer(params, "amount"), forms.text(params, "currency")
    amount, currency = _money(
        intent["amount"] if new_amount is None else new_amount,
        new_currency or intent["currency"],
    )
    customer_id = forms.text(params, "customer")
    if customer_id:
        get(call.account, "customer", customer_id, "customer", "customer")
        intent["customer"] = customer_id
    description = forms.text(params, "description")
    if description is not None:
        intent["description"] = description or None
    intent["metadata"] = forms.merge_metadata(intent["metadata"], forms.mapping(params, "metadata"))
    if intent["status"] in charging.CONFIRMABLE:
        _apply_confirm_params(call, intent)
        intent.update(amount=amount, currency=currency, next_action=None)
        intent["status"] = (
            "requires_confirmation" if intent["payment_method"] else "requires_payment_method"
        )
    return intent


@blueprint.post("/payment_intents/<intent_id>/confirm")
@endpoint(issuer=True)
def confirm(call: Call) -> dict[str, Any]:
    intent = _intent(call)
    forms.check_known(call.params, _CONFIRM_PARAMS)
    charging.ensure_confirmable(intent)
    off_session, return_url = _apply_confirm_params(call, intent)
    return _confirm(call, intent, off_session, return_url)


@blueprint.post("/payment_intents/<intent_id>/capture")
@endpoint(issuer=True)
def capture(call: Call) -> dict[str, Any]:
    intent = _intent(call)
    forms.check_known(call.params, ("amount_to_capture", "metadata"))
    amount = forms.integer(call.params, "amount_to_capture")
    intent["metadata"] = forms.merge_metadata(
        intent["metadata"], forms.mapping(call.params, "metadata")
    )
    return charging.capture(call.account, intent, amount)


@blueprint.post("/payment_intents/<intent_id>/cancel")
@endpoint()
def cancel(call: Call) -> dict[str, Any]:
    intent = _intent(call)
    forms.check_known(call.params, ("cancellation_reason",))
    reason = forms.choice(call.params, "cancellation_reason", CANCELLATION_REASONS)
    return charging.cancel(call.account, intent, reason, call.now())
