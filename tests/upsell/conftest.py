"""Hosted offers are paid like the checkout: the same Stripe-backed Cartpath fixtures."""

from tests.checkout.test_paying import open_shop, shop  # noqa: F401 (fixtures)
