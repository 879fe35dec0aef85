"""The checkout's questions to a platform, in platform-neutral words.

Prices, stock, taxes, shipping rates and discounts always come from the platform's
own engine (BigCommerce's server-to-server checkout, Shopify's draft order
calculation), never from a copy inside Cartpath and never from the browser.
Each platform implements `PricingEngine`; checkout/ speaks only this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol


@dataclass(frozen=True)
class CartItem:
    """What the storefront says is in the cart: which variant and how many, nothing else."""

    variant_id: str
    quantity: int


@dataclass(frozen=True)
class CartLine:
    """One line as the platform knows it now (re-read at hand-off and at every quote)."""

    variant_id: str
    product_id: str
    title: str
    variant_title: str
    sku: str
    quantity: int
    unit_price: Decimal
    image_url: str | None
    available: bool
    inventory: int | None  # None: the platform does not track stock for it


@dataclass(frozen=True)
class Address:
    first_name: str
    last_name: str
    address1: str
    city: str
    country_code: str  # ISO 3166-1 alpha-2
    postal_code: str
    province_code: str = ""  # ISO 3166-2 subdivision code without the country ("CA", "NY")
    address2: str = ""
    company: str = ""
    phone: str = ""


@dataclass(frozen=True)
class ShippingOption:
    """One delivery choice: a shipping rate, or local pickup where the platform offers it
    (`pickup`, listed beside the rates; `instructions` then say when and how to collect).
    The shopper chooses one id either way, as `CheckoutState.shipping_option`."""

    id: str  # the platform's handle for the rate or pickup method
    title: str
    price: Decimal
    pickup: bool = False
    instructions: str = ""


@dataclass(frozen=True)
class Quote:
    """Totals as the platform computed them for these lines, address, rate and code."""

    currency: str
    lines: tuple[CartLine, ...]
    subtotal: Decimal
    discount_total: Decimal
    shipping_total: Decimal
    tax_total: Decimal
    total: Decimal
    shipping_options: tuple[ShippingOption, ...]  # rates and pickup options alike
    selected_shipping: str | None  # the chosen delivery option, a rate or a pickup
    discount_codes: tuple[str, ...]  # codes the platform applied
    # Why a requested code did not apply (expired, minimum not met, unknown), for the shopper.
    discount_errors: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckoutState:
    """What the checkout asks to be priced; `platform_ref` holds the platform's own handle
    (BigCommerce's cart/checkout id), opaque to checkout/."""

    items: tuple[CartItem, ...]
    email: str = ""
    address: Address | None = None
    shipping_option: str | None = None
    discount_code: str | None = None
    platform_ref: str | None = None


_AMOUNT = re.compile(r"\d+(?:\.\d+)?")


def refused_code_sentence(code: str, platform_message: str) -> str:
    """What to tell the shopper when the platform would not apply `code`, from its reason."""
    reason = platform_message.lower().replace(code.lower(), "")
    if "expired" in reason or "not enabled" in reason:
        return f"The code {code} has expired."
    if "minimum" in reason or "at least" in reason:
        amount = _AMOUNT.search(reason)
        needs = f" of at least {amount.group()}" if amount else ""
        return f"The code {code} needs an order{needs} before discounts."
    return f"The code {code} is not valid. Check it and try again."


class PricingEngine(Protocol):
    def read_cart(
        self,
        shop_id: int,
        *,
        items: tuple[CartItem, ...] | None = None,
        platform_ref: str | None = None,
    ) -> tuple[str | None, tuple[CartLine, ...]]:
        """The cart's lines as the platform knows them now, and the platform reference to
        keep (Shopify: from variant ids and quantities; BigCommerce: from its cart id).

        :raises NotFoundError: the cart or a variant no longer exists.
        :raises RetriableError: the platform did not answer.
        """

    def quote(self, shop_id: int, state: CheckoutState) -> Quote:
        """Price the checkout on the platform's engine.

        :raises RetriableError: the platform did not answer (the page says so, retry).
        :raises FinalError: the platform refused (e.g. an address it cannot ship to).
        """
