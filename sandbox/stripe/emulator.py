"""The Stripe emulator object the sandbox server mounts (see sandbox/server.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Flask

from sandbox import demo_credentials
from sandbox.stripe import (
    api,
    balance,
    control,
    customers,
    elements,
    pages,
    payment_intents,
    payment_methods,
    refunds,
    three_ds,
)
from sandbox.stripe.errors import StripeError
from sandbox.stripe.idempotency import IdempotencyLayer
from sandbox.stripe.state import StripeState

if TYPE_CHECKING:
    from sandbox.server import SandboxContext

# Modules that add routes to api.blueprint and pages.blueprint when imported.
ROUTE_MODULES = (customers, payment_methods, payment_intents, refunds, balance, elements, three_ds)


class StripeEmulator:
    """Stripe's API under /stripe/v1, its browser pages under /stripe/, control routes."""

    name = "stripe"

    def __init__(self, context: SandboxContext) -> None:
        self.context = context
        self.clock = context.clock
        self.state = StripeState()
        self.idempotency = IdempotencyLayer()
        # Platform seconds the issuer takes to answer (confirm, capture, attach).
        self.issuer_delay = 0.0

    def register(self, app: Flask) -> None:
        app.extensions["stripe"] = self
        self.context.faults.set_error_body(r"^/stripe/", injected_error_body)
        app.register_blueprint(api.blueprint)
        app.register_blueprint(pages.blueprint)
        app.register_blueprint(control.blueprint)

    def reset(self) -> None:
        self.state.reset()
        self.issuer_delay = 0.0

    def seed(self, name: str) -> None:
        if name != "demo":
            raise ValueError(f"unknown seed {name!r}; the stripe emulator knows 'demo'")
        self.state.register(
            demo_credentials.STRIPE_SECRET_KEY, demo_credentials.STRIPE_PUBLISHABLE_KEY
        )

    def snapshot(self) -> dict[str, Any]:
        with self.state.lock, self.idempotency.lock:
            return {
                "accounts": [account.describe() for account in self.state.accounts.values()],
                "issuer_delay": self.issuer_delay,
            }


def injected_error_body(status: int) -> dict[str, object]:
    """An injected fault in Stripe's error shape (https://docs.stripe.com/api/errors)."""
    kind = "api_error" if status >= 500 else "invalid_request_error"
    code = "rate_limit" if status == 429 else None
    return StripeError(
        status, f"Injected sandbox fault (HTTP {status}).", type=kind, code=code
    ).to_json()
