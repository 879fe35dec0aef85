"""The card gateway as checkout/ and upsell/ see it: charge, look up, cancel.

Platform-neutral and gateway-neutral: amounts are Money, cards are the gateway's
opaque payment-method ids (tokenized in the shopper's browser by the gateway's own
fields), and every charge carries the caller's idempotency key so the same key
always means the same charge.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from core.money import Money


class ChargeStatus(enum.StrEnum):
    SUCCEEDED = "succeeded"
    REQUIRES_ACTION = "requires_action"  # the bank wants the shopper to authenticate (3DS)
    DECLINED = "declined"  # the card was refused, or authentication failed or was abandoned


@dataclass(frozen=True)
class Charge:
    """What the gateway answered about one charge (one PaymentIntent at Stripe)."""

    status: ChargeStatus
    amount: Money
    intent_id: str | None
    payment_method: str | None = None
    customer: str | None = None
    # REQUIRES_ACTION: where to send the shopper to authenticate.
    action_url: str | None = None
    # DECLINED: a sentence for the shopper, and the gateway's code for support.
    message: str | None = None
    decline_code: str | None = None


@dataclass(frozen=True)
class BrowserFields:
    """How a page loads the gateway's card fields, and the origins its CSP must allow."""

    script_url: str
    # The global the script defines; it answers like Stripe.js (`Stripe(key)`).
    global_name: str
    publishable_key: str
    script_origins: tuple[str, ...]
    frame_origins: tuple[str, ...]
    connect_origins: tuple[str, ...]


class GatewayError(Exception):
    """The gateway refused the request itself (not the card): a bug or a bad setting."""


class GatewayUnavailable(GatewayError):
    """No answer (timeout, 5xx, 429): the outcome is unknown. Retrying with the same
    idempotency key is safe and tells what happened."""


class Gateway(Protocol):
    name: str

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
        """Charge a card now, the shopper present (on-session).

        With `save_for_later` (the shopper consented) the card is kept on a gateway
        customer, created here when `customer` is None, so a one-click upsell can
        charge it again: `charge(customer=<saved>, payment_method=<saved>,
        save_for_later=False, idempotency_key=<new key>)`.

        :raises GatewayUnavailable: no answer; retry with the same key.
        :raises GatewayError: the request itself was refused.
        """
        ...

    def retrieve(self, intent_id: str) -> Charge:
        """The charge's current state (after the shopper came back from 3DS)."""
        ...

    def cancel(self, intent_id: str) -> Charge:
        """Cancel a charge still waiting for authentication, so it can never complete.

        A charge that already succeeded is returned as it is: the caller must honour it.
        """
        ...

    def browser_fields(self) -> BrowserFields:
        """The card fields' script for the checkout page."""
        ...

    def check_connection(self) -> None:
        """One cheap authenticated call: the gateway answers and accepts Cartpath's keys.

        :raises GatewayUnavailable: no answer.
        :raises GatewayError: the keys were refused.
        """
        ...
