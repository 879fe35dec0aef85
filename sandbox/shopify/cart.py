"""The storefront cart, kept server-side per `cart` cookie, rendered like Shopify's AJAX Cart API.

JSON shapes per https://shopify.dev/docs/api/ajax/reference/cart: prices in integer cents,
`key` = "<variant id>:<hash>", cart errors as {"status", "message", "description"}.
"""

from __future__ import annotations

import hashlib
import secrets
from decimal import Decimal
from typing import Any

from sandbox.shopify.state import Cart, Shop, Variant


class CartError(Exception):
    """Shopify's cart error answer: 404 for an unknown variant, 422 when stock runs out."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.body = {"status": status, "message": "Cart Error", "description": description}


def to_cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def new_cart(shop: Shop) -> Cart:
    token = secrets.token_hex(16)
    cart = Cart(token, [])
    shop.carts[token] = cart
    return cart


def line_key(variant_id: int, cart: Cart) -> str:
    digest = hashlib.md5(f"{cart.token}:{variant_id}".encode(), usedforsecurity=False).hexdigest()
    return f"{variant_id}:{digest}"


def _available(variant: Variant, quantity: int) -> bool:
    return variant.inventory_policy == "continue" or variant.inventory_quantity >= quantity


def add(shop: Shop, cart: Cart, variant_id: int, quantity: int) -> dict[str, Any]:
    """Add to the line of that variant (or a new one); returns the line as add.js answers it."""
    variant = shop.variant(variant_id)
    if variant is None:
        raise CartError(404, "Cannot find variant")
    if quantity < 1:
        raise CartError(422, "Quantity must be at least 1")
    current = dict(cart.items)
    wanted = current.get(variant_id, 0) + quantity
    if not _available(variant, wanted):
        title = shop.products[variant.product_id].title
        raise CartError(422, f"You can't add more {title} - {variant.title} to the cart.")
    if variant_id in current:
        cart.items = [(v, wanted if v == variant_id else q) for v, q in cart.items]
    else:
        cart.items.append((variant_id, quantity))
    return item_json(shop, cart, variant, wanted)


def change(shop: Shop, cart: Cart, *, key: str | None, line: int | None, quantity: int) -> None:
    """Set a line's quantity (0 removes it), addressed by key/variant id or 1-based line number."""
    if line is not None:
        if not 1 <= line <= len(cart.items):
            raise CartError(400, "Line is out of range")
        variant_id = cart.items[line - 1][0]
    else:
        variant_id = (
            int(str(key).split(":", 1)[0]) if key and str(key).split(":")[0].isdigit() else -1
        )
        if variant_id not in dict(cart.items):
            raise CartError(400, "Cannot find variant in cart")
    if quantity < 0:
        raise CartError(422, "Quantity can't be negative")
    variant = shop.variant(variant_id)
    if quantity and variant is not None and not _available(variant, quantity):
        raise CartError(422, "You can't add more of this item to the cart.")
    cart.items = [(v, quantity if v == variant_id else q) for v, q in cart.items]
    cart.items = [(v, q) for v, q in cart.items if q > 0]


def item_json(shop: Shop, cart: Cart, variant: Variant, quantity: int) -> dict[str, Any]:
    product = shop.products[variant.product_id]
    price = to_cents(variant.price)
    return {
        "id": variant.id,
        "key": line_key(variant.id, cart),
        "variant_id": variant.id,
        "product_id": product.id,
        "quantity": quantity,
        "title": product.title
        if variant.title == "Default Title"
        else f"{product.title} - {variant.title}",
        "product_title": product.title,
        "variant_title": None if variant.title == "Default Title" else variant.title,
        "sku": variant.sku,
        "grams": variant.grams,
        "vendor": product.vendor,
        "handle": product.handle,
        "price": price,
        "original_price": price,
        "final_price": price,
        "line_price": price * quantity,
        "original_line_price": price * quantity,
        "final_line_price": price * quantity,
        "requires_shipping": variant.grams > 0,
        "url": f"/products/{product.handle}?variant={variant.id}",
    }


def cart_json(shop: Shop, cart: Cart) -> dict[str, Any]:
    items = []
    for variant_id, quantity in cart.items:
        variant = shop.variant(variant_id)
        if variant is not None:
            items.append(item_json(shop, cart, variant, quantity))
    total = sum(i["line_price"] for i in items)
    return {
        "token": cart.token,
        "note": cart.note or None,
        "attributes": {},
        "original_total_price": total,
        "total_price": total,
        "total_discount": 0,
        "total_weight": sum(i["grams"] * i["quantity"] for i in items),
        "item_count": sum(i["quantity"] for i in items),
        "items": items,
        "requires_shipping": any(i["requires_shipping"] for i in items),
        "currency": shop.currency,
        "items_subtotal_price": total,
    }
