"""Helpers for payment tests: cards as the browser's card fields make them, and what
the sandbox's Stripe holds."""

from __future__ import annotations

import stripe

from sandbox.demo_credentials import STRIPE_PUBLISHABLE_KEY, STRIPE_SECRET_KEY
from tests.support.sandbox import SandboxControl

GOOD = "4242424242424242"
DECLINED = "4000000000000002"
INSUFFICIENT_FUNDS = "4000000000009995"
EXPIRED = "4000000000000069"
THREE_D_SECURE = "4000002760003184"


def tokenize(sandbox: SandboxControl, number: str) -> str:
    """A PaymentMethod id, created with the publishable key as the card fields do."""
    client = stripe.StripeClient(
        STRIPE_PUBLISHABLE_KEY, base_addresses={"api": f"{sandbox.url}/stripe"}
    )
    card = {"number": number, "exp_month": "12", "exp_year": "2034", "cvc": "123"}
    return client.v1.payment_methods.create(params={"type": "card", "card": card}).id


def intents(sandbox: SandboxControl) -> list[dict]:
    """Every PaymentIntent of the demo Stripe account, oldest first."""
    (account,) = [
        a for a in sandbox.state()["stripe"]["accounts"] if a["secret_key"] == STRIPE_SECRET_KEY
    ]
    return account["payment_intents"]


def succeeded(sandbox: SandboxControl) -> list[dict]:
    return [i for i in intents(sandbox) if i["status"] == "succeeded"]
