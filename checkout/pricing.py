"""Re-quote a checkout on the platform's engine and keep what the shopper is shown.

Called on hand-off and whenever the address, the delivery option or the discount
changes. The stored quote is what the page shows and what payment will charge.
"""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal
from typing import Any

from checkout.models import Checkout
from core.db import utcnow
from core.models import Platform
from platforms.pricing import Address, CartItem, CheckoutState, Quote
from platforms.pricing_engines import engine_for


def state_of(checkout: Checkout) -> CheckoutState:
    address = Address(**checkout.shipping_address) if checkout.shipping_address else None
    return CheckoutState(
        items=tuple(CartItem(i["variant_id"], int(i["quantity"])) for i in checkout.items),
        email=checkout.email,
        address=address,
        shipping_option=checkout.shipping_option,
        discount_code=checkout.discount_code,
        platform_ref=checkout.platform_ref,
    )


def requote(checkout: Checkout, platform: Platform) -> Quote:
    """Ask the platform; store the lines, totals and options it answered.

    :raises PlatformError: the platform refused or did not answer; nothing is changed.
    """
    quote = engine_for(platform).quote(checkout.shop_id, state_of(checkout))
    checkout.currency = quote.currency
    checkout.lines = [{**asdict(line), "unit_price": str(line.unit_price)} for line in quote.lines]
    checkout.shipping_option = quote.selected_shipping
    if checkout.discount_code and checkout.discount_code.upper() not in {
        code.upper() for code in quote.discount_codes
    }:
        checkout.discount_code = None
    checkout.quote = quote_json(quote)
    checkout.quoted_at = utcnow()
    return quote


def quote_json(quote: Quote) -> dict[str, Any]:
    def money(value: Decimal) -> str:
        return str(value)

    return {
        "currency": quote.currency,
        "subtotal": money(quote.subtotal),
        "discount_total": money(quote.discount_total),
        "shipping_total": money(quote.shipping_total),
        "tax_total": money(quote.tax_total),
        "total": money(quote.total),
        "shipping_options": [
            {
                "id": o.id,
                "title": o.title,
                "price": money(o.price),
                "pickup": o.pickup,
                "instructions": o.instructions,
            }
            for o in quote.shipping_options
        ],
        "selected_shipping": quote.selected_shipping,
        "discount_codes": list(quote.discount_codes),
        "discount_errors": list(quote.discount_errors),
    }
