"""The PaymentIntent state machine for cards: confirm, authenticate, authorize, capture,
cancel. https://docs.stripe.com/payments/paymentintents/lifecycle

requires_payment_method → requires_confirmation → [requires_action] → requires_capture
(capture_method=manual) or succeeded; canceled from any non-final state. Cards are
authorized synchronously, so they never rest in `processing` (same page: "cards are
processed more quickly and don't go into the processing status"). A decline leaves the
intent at requires_payment_method with `last_payment_error` and a failed Charge, and
answers 402 card_error with the intent in the error (https://docs.stripe.com/api/errors).
"""

from __future__ import annotations

import copy
from typing import Any

from sandbox.stripe import cards, wallet
from sandbox.stripe.errors import StripeError, card_error, invalid_param, unexpected_state
from sandbox.stripe.state import Account, new_id

CONFIRMABLE = ("requires_payment_method", "requires_confirmation", "requires_action")
CANCELABLE = (
    "requires_payment_method",
    "requires_capture",
    "requires_confirmation",
    "requires_action",
    "processing",
)
AUTHENTICATION_FAILED = (
    "The provided PaymentMethod has failed authentication. You can provide payment_method_data "
    "or a new PaymentMethod to attempt to fulfill this PaymentIntent again."
)


def snapshot(intent: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(intent)


def ensure_confirmable(intent: dict[str, Any]) -> None:
    if intent["status"] not in CONFIRMABLE:
        raise unexpected_state(
            f"You cannot confirm this PaymentIntent because it has a status of "
            f"{intent['status']}. Only a PaymentIntent with one of the following statuses may "
            f"be confirmed: {', '.join(CONFIRMABLE)}.",
            payment_intent=snapshot(intent),
        )


def confirm(
    account: Account,
    intent: dict[str, Any],
    *,
    off_session: bool,
    challenge_url: str,
    return_url: str | None,
    now: int,
) -> dict[str, Any]:
    """Run a confirmation: 3-D Secure when the card demands it, else authorize.

    :raises StripeError: 400 in the wrong state or without a usable PaymentMethod,
        402 when the card is declined (the intent records the failure first).
    """
    ensure_confirmable(intent)
    if intent["payment_method"] is None:
        raise unexpected_state(
            "You cannot confirm this PaymentIntent because it's missing a payment method. "
            "Update the PaymentIntent with a payment method and then confirm it again.",
            param="payment_method",
            payment_intent=snapshot(intent),
        )
    pm = account.objects[intent["payment_method"]]
    wallet.ensure_usable(account, pm, intent["customer"])
    secret = account.cards[pm["id"]]
    outcome = cards.outcome(secret.number)
    needs_3ds = outcome.authentication == cards.ALWAYS or (
        outcome.authentication == cards.UNLESS_SET_UP
        and not (off_session and secret.set_up_off_session)
    )
    intent["next_action"] = None
    intent["last_payment_error"] = None
    if needs_3ds and off_session:
        # No shopper to authenticate: the issuer's soft decline.
        decline(account, intent, pm, cards.AUTHENTICATION_REQUIRED, now)
    if needs_3ds:
        account.return_urls[intent["id"]] = return_url
        intent["status"] = "requires_action"
        intent["next_action"] = {
            "type": "redirect_to_url",
            "redirect_to_url": {"url": challenge_url, "return_url": return_url},
        }
        return intent
    return authorize(account, intent, now)


def authorize(
    account: Account, intent: dict[str, Any], now: int, *, authenticated: bool = False
) -> dict[str, Any]:
    """Ask the issuer; on approval create the Charge and move the intent on."""
    pm = account.objects[intent["payment_method"]]
    outcome = cards.outcome(account.cards[pm["id"]].number)
    if outcome.decline_code is not None:
        decline(account, intent, pm, outcome, now)
    manual = intent["capture_method"] == "manual"
    charge = _charge(intent, pm, now, status="succeeded", captured=not manual)
    if authenticated:
        charge["payment_method_details"]["card"]["three_d_secure"] = {
            "authentication_flow": "challenge",
            "result": "authenticated",
            "result_reason": None,
            "version": "2.2.0",
        }
    account.add(charge)
    intent["latest_charge"] = charge["id"]
    intent["next_action"] = None
    if manual:
        intent["status"] = "requires_capture"
        intent["amount_capturable"] = intent["amount"]
    else:
        intent["status"] = "succeeded"
        intent["amount_received"] = intent["amount"]
    _settle_payment_method(account, intent, pm)
    return intent


def _settle_payment_method(account: Account, intent: dict[str, Any], pm: dict[str, Any]) -> None:
    """After a successful payment: save the card for the customer, or consume it.

    setup_future_usage attaches the PaymentMethod to the intent's customer
    (https://docs.stripe.com/payments/save-during-payment); off_session also marks the
    card as set up, which is what lets 4000002500003155 pay off-session later.
    """
    secret = account.cards[pm["id"]]
    usage = intent["setup_future_usage"]
    if usage and intent["customer"]:
        pm["customer"] = intent["customer"]
        if usage == "off_session":
            secret.set_up_off_session = True
    elif pm["customer"] is None:
        secret.consumed = True


def decline(
    account: Account,
    intent: dict[str, Any],
    pm: dict[str, Any],
    outcome: cards.Outcome,
    now: int,
) -> None:
    """Record a declined attempt on the intent and raise the 402 Stripe answers."""
    charge = _charge(intent, pm, now, status="failed", captured=False)
    charge["failure_code"] = outcome.code
    charge["failure_message"] = outcome.message
    charge["outcome"] = {
        "network_status": "declined_by_network",
        "reason": outcome.decline_code,
        "risk_level": "normal",
        "seller_message": "The bank did not return any further details with this decline.",
        "type": "issuer_declined",
    }
    account.add(charge)
    if pm["customer"] is None:
        account.cards[pm["id"]].consumed = True
    error = card_error(
        outcome.message,
        outcome.code,
        decline_code=outcome.decline_code,
        charge=charge["id"],
        payment_method=copy.deepcopy(pm),
    )
    intent.update(
        status="requires_payment_method",
        payment_method=None,
        latest_charge=charge["id"],
        next_action=None,
        last_payment_error=copy.deepcopy(error.body),
    )
    error.body["payment_intent"] = snapshot(intent)
    raise error


def fail_authentication(account: Account, intent: dict[str, Any]) -> None:
    """The shopper failed 3-D Secure: back to requires_payment_method, no charge."""
    pm = account.objects[intent["payment_method"]]
    if pm["customer"] is None:
        account.cards[pm["id"]].consumed = True
    error = StripeError(
        400,
        AUTHENTICATION_FAILED,
        code="payment_intent_authentication_failure",
        payment_method=copy.deepcopy(pm),
    )
    intent.update(
        status="requires_payment_method",
        payment_method=None,
        next_action=None,
        last_payment_error=error.body,
    )


def capture(account: Account, intent: dict[str, Any], amount: int | None) -> dict[str, Any]:
    """Capture an authorization, all or part; the rest is released (refunded).

    https://docs.stripe.com/api/payment_intents/capture ("Any additional amount is
    automatically refunded").
    """
    if intent["status"] != "requires_capture":
        raise unexpected_state(
            f"This PaymentIntent could not be captured because it has a status of "
            f"{intent['status']}. Only a PaymentIntent with one of the following statuses may "
            "be captured: requires_capture.",
            payment_intent=snapshot(intent),
        )
    amount = intent["amount_capturable"] if amount is None else amount
    if not 0 < amount <= intent["amount_capturable"]:
        raise invalid_param(
            "The amount_to_capture must be positive and at most the amount_capturable "
            f"({intent['amount_capturable']}).",
            "amount_to_capture",
            "amount_too_large",
        )
    charge = account.objects[intent["latest_charge"]]
    charge.update(captured=True, amount_captured=amount, amount_refunded=charge["amount"] - amount)
    intent.update(status="succeeded", amount_received=amount, amount_capturable=0)
    return intent


def cancel(
    account: Account, intent: dict[str, Any], reason: str | None, now: int
) -> dict[str, Any]:
    """Cancel; an uncaptured authorization is released (its charge fully refunded)."""
    if intent["status"] not in CANCELABLE:
        raise unexpected_state(
            f"You cannot cancel this PaymentIntent because it has a status of "
            f"{intent['status']}. Only a PaymentIntent with one of the following statuses may "
            f"be canceled: {', '.join(CANCELABLE)}.",
            payment_intent=snapshot(intent),
        )
    if intent["status"] == "requires_capture":
        charge = account.objects[intent["latest_charge"]]
        charge.update(amount_refunded=charge["amount"], refunded=True)
    intent.update(
        status="canceled",
        canceled_at=now,
        cancellation_reason=reason,
        next_action=None,
        amount_capturable=0,
    )
    return intent


def _charge(
    intent: dict[str, Any], pm: dict[str, Any], now: int, *, status: str, captured: bool
) -> dict[str, Any]:
    """A Charge object (https://docs.stripe.com/api/charges/object)."""
    card = pm["card"]
    succeeded = status == "succeeded"
    return {
        "id": new_id("ch"),
        "object": "charge",
        "amount": intent["amount"],
        "amount_captured": intent["amount"] if captured else 0,
        "amount_refunded": 0,
        "balance_transaction": new_id("txn") if captured else None,
        "billing_details": copy.deepcopy(pm["billing_details"]),
        "calculated_statement_descriptor": "CARTPATH SANDBOX",
        "captured": captured,
        "created": now,
        "currency": intent["currency"],
        "customer": intent["customer"],
        "description": intent["description"],
        "disputed": False,
        "failure_code": None,
        "failure_message": None,
        "livemode": False,
        "metadata": copy.deepcopy(intent["metadata"]),
        "outcome": {
            "network_status": "approved_by_network",
            "reason": None,
            "risk_level": "normal",
            "seller_message": "Payment complete.",
            "type": "authorized",
        },
        "paid": succeeded,
        "payment_intent": intent["id"],
        "payment_method": pm["id"],
        "payment_method_details": {
            "card": {
                "brand": card["brand"],
                "checks": copy.deepcopy(card["checks"]),
                "country": card["country"],
                "exp_month": card["exp_month"],
                "exp_year": card["exp_year"],
                "fingerprint": card["fingerprint"],
                "funding": card["funding"],
                "last4": card["last4"],
                "network": card["brand"],
                "three_d_secure": None,
            },
            "type": "card",
        },
        "receipt_email": intent["receipt_email"],
        "refunded": False,
        "status": status,
    }
