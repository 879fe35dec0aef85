"""Writing a paid Cartpath order to the shop's platform, in platform-neutral words.

The write-back (checkout/writeback.py) builds an `OrderToWrite` from the ledger and
asks the shop's `OrderWriter` to find it first (on every attempt after the first) and
create it only when it is not there, so a retry after a lost response never makes a
second platform order. Each
platform stores Cartpath's reference on the order where it can be searched later
(Shopify: a tag; BigCommerce: staff notes, next to the checkout's cart id).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from platforms.pricing import Address, ShippingOption

# Shopify keeps it as a tag, BigCommerce in staff notes; the writers and the webhook
# parsers of both read it back with the two functions below, and nothing else does.
REFERENCE_PREFIX = "cartpath-"
_LABEL = re.compile(r"\b" + re.escape(REFERENCE_PREFIX) + r"([A-Za-z0-9]+)\b")


def reference_label(reference: str) -> str:
    """How the reference is written on the platform order: "cartpath-CP…"."""
    return f"{REFERENCE_PREFIX}{reference}"


def reference_in_tags(tags: Iterable[str]) -> str | None:
    """The reference of the tag that is a whole label (Shopify's tags)."""
    for tag in tags:
        match = _LABEL.fullmatch(tag.strip())
        if match:
            return match.group(1)
    return None


def reference_in_text(text: str) -> str | None:
    """The reference of the first label in free text (BigCommerce's staff notes)."""
    match = _LABEL.search(text)
    return match.group(1) if match else None


@dataclass(frozen=True)
class LineToWrite:
    variant_id: str
    product_id: str
    title: str
    sku: str
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True)
class GatewayCharge:
    """What the card gateway took, recorded on the platform order as its payment."""

    gateway: str
    intent_id: str
    amount: Decimal


@dataclass(frozen=True)
class OrderToWrite:
    """A paid order exactly as quoted by the platform and charged by the gateway."""

    reference: str
    platform_ref: str | None  # the platform's own handle for the checkout (BigCommerce cart id)
    currency: str
    email: str
    lines: tuple[LineToWrite, ...]
    shipping_address: Address | None
    shipping: ShippingOption | None
    discount_code: str | None
    discount_total: Decimal
    subtotal: Decimal
    shipping_total: Decimal
    tax_total: Decimal
    total: Decimal
    charge: GatewayCharge


@dataclass(frozen=True)
class PlatformOrderRef:
    """The platform's order: its id for the API, its number for people, its total."""

    platform_id: str
    number: str
    total: Decimal | None = None


@dataclass(frozen=True)
class LineToAdd:
    """An item paid after the order (a one-click upsell), to add to the platform order.

    `marker` is written on the order with the line, and looked for before adding, so a
    retried add after a lost response never adds the item twice. Tax is not passed: both
    platforms compute the edited order's tax themselves.
    """

    marker: str
    variant_id: str
    product_id: str
    quantity: int
    currency: str
    unit_price: Decimal  # after the offer's discount, tax excluded
    list_unit_price: Decimal  # the platform's price before the offer's discount
    shipping: Decimal  # the offer's shipping for the item, tax excluded (0: free)
    charge: GatewayCharge  # what the gateway took for the item, tax and shipping included


class OrderWriter(Protocol):
    def find(self, shop_id: int, reference: str, hint: str | None) -> PlatformOrderRef | None:
        """The finished platform order carrying `reference` (`hint`: the platform's checkout
        handle, when it has one), or None when there is none yet.

        :raises RetriableError: the platform did not answer.
        """

    def create(self, shop_id: int, order: OrderToWrite) -> PlatformOrderRef:
        """Create the order as paid (or finish one a lost response left half-made).

        :raises RetriableError: 429, 5xx, network: safe to call again after find().
        :raises FinalError: the platform refused the order.
        """

    def list_references(self, shop_id: int, since: datetime) -> dict[str, PlatformOrderRef]:
        """Cartpath's orders on the platform created since `since`, by reference."""

    def add_line(self, shop_id: int, platform_order_id: str, line: LineToAdd) -> bool:
        """Add `line` to the placed order unless its marker is already there.

        :returns: whether it was added now (False: an earlier attempt added it).
        :raises RetriableError: the platform did not answer; safe to call again.
        :raises FinalError: the platform refused the change.
        """
