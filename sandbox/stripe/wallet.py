"""Card PaymentMethods as objects: building them, test ids, and the attach rules.

Object shape: https://docs.stripe.com/api/payment_methods/object. Rules encoded here:
- `pm_card_visa`-style test ids create a fresh PaymentMethod each time they are used
  (https://docs.stripe.com/testing, "Test code").
- Attaching checks the card with the issuer, so declining cards fail to attach, except
  4000000000000341 which attaches and then fails to charge (same page).
- A PaymentMethod used without being attached to a customer, or detached, cannot be
  used again; Stripe's messages as reported in stripe/stripe-react-native#1170 (use
  in a PaymentIntent) and stripe-archive/stripe-payments-demo#45 (attach).
"""

from __future__ import annotations

import hashlib
from typing import Any

from sandbox.stripe import cards
from sandbox.stripe.errors import StripeError, invalid_param
from sandbox.stripe.expand import get
from sandbox.stripe.state import Account, CardSecret, new_id

ATTACH_CONSUMED = (
    "This PaymentMethod was previously used without being attached to a Customer or was "
    "detached from a Customer, and may not be used again."
)
USE_CONSUMED = (
    "The provided PaymentMethod was previously used with a PaymentIntent without Customer "
    "attachment, shared with a connected account without Customer attachment, or was "
    "detached from a Customer. It may not be used again. To use a PaymentMethod multiple "
    "times, you must attach it to a Customer first."
)


def _billing_details(details: dict[str, Any] | None) -> dict[str, Any]:
    details = details or {}
    address = details.get("address") if isinstance(details.get("address"), dict) else {}
    return {
        "address": {
            field: address.get(field) or None
            for field in ("city", "country", "line1", "line2", "postal_code", "state")
        },
        "email": details.get("email") or None,
        "name": details.get("name") or None,
        "phone": details.get("phone") or None,
    }


def build(
    account: Account,
    card: cards.CardInput,
    *,
    billing_details: dict[str, Any] | None,
    metadata: dict[str, str],
    now: int,
) -> dict[str, Any]:
    """Store a new card PaymentMethod (the number stays private to the emulator)."""
    brand = cards.brand(card.number)
    billing = _billing_details(billing_details)
    fingerprint = hashlib.sha256(f"{account.id}:{card.number}".encode()).hexdigest()[:16]
    pm = {
        "id": new_id("pm"),
        "object": "payment_method",
        "allow_redisplay": "unspecified",
        "billing_details": billing,
        "card": {
            "brand": brand,
            "checks": {
                "address_line1_check": None,
                "address_postal_code_check": "pass" if billing["address"]["postal_code"] else None,
                "cvc_check": "pass" if card.cvc else None,
            },
            "country": "US",
            "display_brand": brand,
            "exp_month": card.exp_month,
            "exp_year": card.exp_year,
            "fingerprint": fingerprint,
            "funding": "credit",
            "generated_from": None,
            "last4": card.number[-4:],
            "networks": {"available": [brand], "preferred": None},
            "regulated_status": "unregulated",
            "three_d_secure_usage": {"supported": True},
            "wallet": None,
        },
        "created": now,
        "customer": None,
        "livemode": False,
        "metadata": metadata,
        "type": "card",
    }
    account.cards[pm["id"]] = CardSecret(card.number)
    return account.add(pm)


def resolve(account: Account, pm_id: str, param: str, now: int) -> dict[str, Any]:
    """A stored PaymentMethod, or a new one for a test id like `pm_card_visa`."""
    number = cards.TEST_PAYMENT_METHODS.get(pm_id)
    if number is None:
        return get(account, "payment_method", pm_id, "PaymentMethod", param)
    card = cards.CardInput(number, 12, 2034, None)
    return build(account, card, billing_details=None, metadata={}, now=now)


def ensure_usable(account: Account, pm: dict[str, Any], customer_id: str | None) -> None:
    """A PaymentMethod may pay for a PaymentIntent of `customer_id`.

    :raises StripeError: 400 (saved for replay) if consumed or owned by another customer.
    """
    if account.cards[pm["id"]].consumed:
        raise StripeError(400, USE_CONSUMED, param="payment_method")
    if pm["customer"] is not None and pm["customer"] != customer_id:
        raise StripeError(
            400,
            f"The customer does not have a payment method with the ID {pm['id']}. The payment "
            "method must be attached to the customer.",
            param="payment_method",
        )


def attach(account: Account, pm: dict[str, Any], customer: dict[str, Any], param: str) -> None:
    """Attach after the issuer's card check.

    :raises StripeError: 400 if attached elsewhere or consumed, 402 if the card declines.
    """
    if pm["customer"] == customer["id"]:
        return
    if pm["customer"] is not None:
        raise invalid_param(
            "The payment method you provided has already been attached to a customer.", param
        )
    if account.cards[pm["id"]].consumed:
        raise invalid_param(ATTACH_CONSUMED, param)
    outcome = cards.outcome(account.cards[pm["id"]].number)
    decline = outcome.decline() if outcome.declines_on_attach else None
    if decline is not None:
        decline.body["param"] = param
        raise decline
    pm["customer"] = customer["id"]


def detach(account: Account, pm: dict[str, Any]) -> None:
    if pm["customer"] is None:
        raise StripeError(
            400,
            "The payment method you provided is not attached to a customer so detachment is "
            "impossible.",
            code="payment_method_unexpected_state",
        )
    pm["customer"] = None
    account.cards[pm["id"]].consumed = True
