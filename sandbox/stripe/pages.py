"""The browser-facing pages under /stripe/ (no API key): the card-fields iframe and its
loader script (elements.py), and the issuer's 3-D Secure challenge (three_ds.py)."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint

blueprint = Blueprint(
    "stripe_pages",
    __name__,
    url_prefix="/stripe",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)

# Currencies without minor units (https://docs.stripe.com/currencies#zero-decimal).
ZERO_DECIMAL = {"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx",
                "vnd", "vuv", "xaf", "xof", "xpf"}  # fmt: skip


def display_amount(amount: int, currency: str) -> str:
    """Minor units as the shopper reads them: 1999, "usd" → "19.99 USD"."""
    exponent = 0 if currency in ZERO_DECIMAL else 2
    return f"{Decimal(amount).scaleb(-exponent):.{exponent}f} {currency.upper()}"
