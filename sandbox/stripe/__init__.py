"""Emulated Stripe: the subset of the API Cartpath uses, the card-fields iframe
Stripe.js would provide, and the issuer's 3-D Secure challenge page.

Clients reach it at {sandbox}/stripe exactly as they reach https://api.stripe.com:
`stripe.StripeClient(key, base_addresses={"api": f"{sandbox}/stripe"})`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sandbox.server import SandboxContext
    from sandbox.stripe.emulator import StripeEmulator


def create_emulator(context: SandboxContext) -> StripeEmulator:
    from sandbox.stripe.emulator import StripeEmulator  # noqa: PLC0415 - Flask routes load on use

    return StripeEmulator(context)
