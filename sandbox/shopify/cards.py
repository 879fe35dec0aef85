"""Test card numbers the sandbox's native checkout takes, and what each does later.

Shopify's Bogus Gateway approves "1"; 4242424242424242 is Stripe's approved test card.
4000000000000341 pays the initial purchase but declines every later charge of the same
payment method (a post-purchase upsell), like Stripe's card of that number that can be
saved but not charged again; it is this sandbox's way to reach `partially_processed`.
"""

from __future__ import annotations

APPROVED = frozenset({"1", "4242424242424242"})
DECLINES_LATER = frozenset({"4000000000000341"})


def normalise(number: str) -> str:
    return number.replace(" ", "").replace("-", "")


def pays_checkout(number: str) -> bool:
    return normalise(number) in APPROVED | DECLINES_LATER


def pays_again(number: str) -> bool:
    """Whether Shopify can charge this payment method again after the initial purchase."""
    return normalise(number) in APPROVED
