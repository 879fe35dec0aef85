"""The checkout page with sample data and the draft design, for the merchant's designer.

Nothing is saved and the platform is not asked: the sample is fixed, so the preview
shows the design, not a cart.
"""

from __future__ import annotations

from datetime import timedelta

from checkout.models import Checkout
from core.db import utcnow

SAMPLE_LINES = [
    {
        "variant_id": "1",
        "product_id": "1",
        "title": "Everyday Tote",
        "variant_title": "Sand",
        "sku": "TOTE-SAND",
        "quantity": 1,
        "unit_price": "48.00",
        "image_url": None,
        "available": True,
        "inventory": 12,
    },
    {
        "variant_id": "2",
        "product_id": "2",
        "title": "Linen Napkins",
        "variant_title": "Set of 4",
        "sku": "NAP-4",
        "quantity": 2,
        "unit_price": "18.00",
        "image_url": None,
        "available": True,
        "inventory": 40,
    },
]


def sample_checkout(shop_id: int, currency: str) -> Checkout:
    return Checkout(
        shop_id=shop_id,
        token="preview",  # noqa: S106 - a placeholder; a preview is never saved
        items=[],
        lines=SAMPLE_LINES,
        currency=currency,
        email="",
        expires_at=utcnow() + timedelta(days=1),
        quote={
            "currency": currency,
            "subtotal": "84.00",
            "discount_total": "0",
            "shipping_total": "6.00",
            "tax_total": "7.20",
            "total": "97.20",
            "shipping_options": [
                {"id": "standard", "title": "Standard", "price": "6.00"},
                {"id": "express", "title": "Express", "price": "14.00"},
            ],
            "selected_shipping": "standard",
            "discount_codes": [],
            "discount_errors": [],
        },
        shipping_option="standard",
    )
