"""The Gateway on Stripe, through the official `stripe` library (PaymentIntents).

One `StripeClient` per gateway, built from the settings; STRIPE_API_BASE points it at
the sandbox's emulator in tests and the demo. Rules encoded here:
- A charge is a PaymentIntent created with confirm=true and the caller's
  idempotency key; the library retries timeouts, 409s and 5xx with that same key
  (https://docs.stripe.com/api/idempotent_requests, https://docs.stripe.com/error-low-level).
- Saving the card: a Customer plus setup_future_usage="on_session", because a one-click
  upsell is charged while the shopper is on our page ("Use on_session if you intend to
  only reuse the payment method when your customer is present in your checkout flow":
  https://docs.stripe.com/api/payment_intents/create#create_payment_intent-setup_future_usage,
  https://docs.stripe.com/payments/save-during-payment). An upsell that the bank wants
  authenticated again gets requires_action, and the shopper is there to do it.
- Declines: 402 card_error with `decline_code`; lost, stolen and fraudulent cards are
  shown to the shopper as a generic decline (https://docs.stripe.com/declines/codes).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import stripe

from core.config import Config
from core.money import Money
from payments.gateway import (
    BrowserFields,
    Charge,
    ChargeStatus,
    GatewayError,
    GatewayUnavailable,
)

STRIPE_API = "https://api.stripe.com"
# Stripe.js and the origins its card fields need in a Content-Security-Policy:
# https://docs.stripe.com/security/guide#content-security-policy
STRIPE_JS = "https://js.stripe.com/v3/"
REQUEST_TIMEOUT = 20.0
NETWORK_RETRIES = 2

GENERIC_DECLINE = "Your card was declined. Please use another card or contact your bank."
_SHOPPER_MESSAGES = {
    "insufficient_funds": "Your card has insufficient funds. Please use another card.",
    "expired_card": "Your card has expired. Please check the expiry date or use another card.",
    "incorrect_cvc": "The security code (CVC) is incorrect. Please check it and try again.",
    "invalid_cvc": "The security code (CVC) is incorrect. Please check it and try again.",
    "incorrect_number": "The card number is incorrect. Please check it and try again.",
    "invalid_number": "The card number is incorrect. Please check it and try again.",
    "invalid_expiry_month": "The expiry date is incorrect. Please check it and try again.",
    "invalid_expiry_year": "The expiry date is incorrect. Please check it and try again.",
    "processing_error": "Your card could not be processed. Please try again in a moment.",
    "authentication_required": (
        "Your bank asks you to confirm this payment. Please pay again and complete "
        "your bank's check."
    ),
    "payment_intent_authentication_failure": (
        "Your bank could not confirm this payment. Please try again or use another card."
    ),
    "card_velocity_exceeded": (
        "Your card has reached its spending limit. Please use another card."
    ),
    "currency_not_supported": "Your card cannot pay in this currency. Please use another card.",
    "abandoned": "The payment was not completed. Please try again.",
}
_SUCCEEDED = ("succeeded", "requires_capture")


def shopper_message(code: str | None) -> str:
    """What to tell the shopper about a decline code (never why a card looks stolen)."""
    return _SHOPPER_MESSAGES.get(code or "", GENERIC_DECLINE)


class StripeGateway:
    """Stripe PaymentIntents for one Stripe account (the app's)."""

    name = "stripe"

    def __init__(self, *, secret_key: str, publishable_key: str, api_base: str) -> None:
        self._publishable_key = publishable_key
        self._api_base = api_base.rstrip("/")
        self._client = stripe.StripeClient(
            secret_key,
            base_addresses={"api": self._api_base},
            max_network_retries=NETWORK_RETRIES,
            http_client=stripe.RequestsClient(timeout=REQUEST_TIMEOUT),
        )

    @classmethod
    def from_config(cls, config: Config) -> StripeGateway | None:
        """The app's gateway, or None while no Stripe keys are set."""
        if not config.stripe_secret_key:
            return None
        return cls(
            secret_key=config.stripe_secret_key,
            publishable_key=config.stripe_publishable_key,
            api_base=config.stripe_api_base,
        )

    def charge(
        self,
        *,
        amount: Money,
        payment_method: str,
        customer: str | None,
        idempotency_key: str,
        save_for_later: bool,
        return_url: str,
        description: str,
        metadata: Mapping[str, str],
    ) -> Charge:
        params: dict[str, Any] = {
            "amount": amount.to_minor(),
            "currency": amount.currency.lower(),
            "payment_method": payment_method,
            "payment_method_types": ["card"],
            "confirm": True,
            "return_url": return_url,
            "description": description[:1000],
            "metadata": dict(metadata),
        }
        with _translated_errors():
            if save_for_later:
                # Its own key derived from the charge's: a replay finds the same customer,
                # so the PaymentIntent request stays identical and replays too.
                if customer is None:
                    customer = self._client.v1.customers.create(
                        params={"metadata": dict(metadata)},
                        options={"idempotency_key": f"{idempotency_key}-customer"},
                    ).id
                params["setup_future_usage"] = "on_session"
            if customer:
                params["customer"] = customer
            try:
                intent = self._client.v1.payment_intents.create(
                    params=params, options={"idempotency_key": idempotency_key}
                )
            except stripe.CardError as error:
                return _declined(error, amount, payment_method, customer)
        return _charge_of(intent)

    def retrieve(self, intent_id: str) -> Charge:
        with _translated_errors():
            return _charge_of(self._client.v1.payment_intents.retrieve(intent_id))

    def cancel(self, intent_id: str) -> Charge:
        with _translated_errors():
            try:
                intent = self._client.v1.payment_intents.cancel(
                    intent_id, params={"cancellation_reason": "abandoned"}
                )
            except stripe.InvalidRequestError as error:
                if error.code != "payment_intent_unexpected_state":
                    raise
                intent = self._client.v1.payment_intents.retrieve(intent_id)
        return _charge_of(intent)

    def check_connection(self) -> None:
        """GET /v1/balance, the cheapest call a secret key may make, without retries: the
        admin asks while a person waits (https://docs.stripe.com/api/balance/balance_retrieve)."""
        with _translated_errors():
            self._client.v1.balance.retrieve(options={"max_network_retries": 0})

    def browser_fields(self) -> BrowserFields:
        if self._api_base == STRIPE_API:
            return BrowserFields(
                script_url=STRIPE_JS,
                global_name="Stripe",
                publishable_key=self._publishable_key,
                script_origins=("https://js.stripe.com",),
                frame_origins=("https://js.stripe.com", "https://hooks.stripe.com"),
                connect_origins=(STRIPE_API,),
            )
        # The sandbox's stand-in for Stripe.js (sandbox/stripe/elements.py).
        parts = urlsplit(self._api_base)
        origin = f"{parts.scheme}://{parts.netloc}"
        return BrowserFields(
            script_url=f"{self._api_base}/js/sandbox-elements.js",
            global_name="CartpathSandbox",
            publishable_key=self._publishable_key,
            script_origins=(origin,),
            frame_origins=(origin,),
            connect_origins=(origin,),
        )


@contextmanager
def _translated_errors() -> Iterator[None]:
    """Stripe's exceptions as the Gateway's: an unknown outcome, or a refused request."""
    try:
        yield
    except (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError) as error:
        raise GatewayUnavailable(f"Stripe did not answer: {error}") from error
    except stripe.StripeError as error:
        raise GatewayError(f"Stripe refused the request: {error}") from error


def _declined(
    error: stripe.CardError, amount: Money, payment_method: str, customer: str | None
) -> Charge:
    body = (error.json_body or {}).get("error", {})
    code = body.get("decline_code") or error.code
    intent = body.get("payment_intent") or {}
    return Charge(
        status=ChargeStatus.DECLINED,
        amount=amount,
        intent_id=intent.get("id"),
        payment_method=payment_method,
        customer=customer,
        message=shopper_message(code),
        decline_code=code,
    )


def _charge_of(intent: stripe.PaymentIntent) -> Charge:
    data = intent.to_dict()
    common = {
        "amount": Money.from_minor(data["amount"], data["currency"].upper()),
        "intent_id": data["id"],
        "payment_method": data.get("payment_method"),
        "customer": data.get("customer"),
    }
    if data["status"] in _SUCCEEDED:
        return Charge(status=ChargeStatus.SUCCEEDED, **common)
    if data["status"] == "requires_action" and data.get("next_action"):
        url = data["next_action"]["redirect_to_url"]["url"]
        return Charge(status=ChargeStatus.REQUIRES_ACTION, action_url=url, **common)
    last_error = data.get("last_payment_error") or {}
    code = last_error.get("decline_code") or last_error.get("code") or "abandoned"
    return Charge(
        status=ChargeStatus.DECLINED, message=shopper_message(code), decline_code=code, **common
    )
