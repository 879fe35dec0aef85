"""v3 server-side carts: create with line items, read, add/update/remove items, redirect URLs.

bigcommerce/docs reference/carts.v3.yml: POST /v3/carts {line_items[{product_id,
variant_id | option_selections, quantity}], customer_id, channel_id}; responses
are `{data: cart, meta}`; `?include=redirect_urls` adds data.redirect_urls
{cart_url, checkout_url, embedded_checkout_url}; removing the last item deletes
the cart (204). Stock is checked for tracked products. Changes fire
store/cart/created, store/cart/updated and store/cart/deleted.
"""

from __future__ import annotations

import secrets
import uuid
from decimal import Decimal
from typing import Any

from flask import Response, request

from sandbox.bigcommerce import pricing, webhooks
from sandbox.bigcommerce.api import api_blueprint, emulator, json_object, no_content, store
from sandbox.bigcommerce.catalog import image_url, iso, stock_of
from sandbox.bigcommerce.responses import ApiError, not_found, unprocessable, v3_data
from sandbox.bigcommerce.state import Cart, LineItem, Product, Store, Variant

blueprint = api_blueprint("carts", "v3", "store_cart")


def resolve(current: Store, item: dict[str, Any]) -> tuple[Product, Variant]:
    """The product and variant a line item names (by variant_id or option selections)."""
    product = current.products.get(item.get("product_id"))  # type: ignore[arg-type]
    if product is None:
        raise unprocessable({"product_id": f"Product {item.get('product_id')} does not exist."})
    if item.get("variant_id") is not None:
        variant = product.variant(item["variant_id"])
    elif item.get("option_selections"):
        chosen = {(s.get("option_id"), s.get("option_value")) for s in item["option_selections"]}
        variant = next(
            (
                v
                for v in product.variants
                if {(o.option_id, o.id) for o in v.option_values} == chosen
            ),
            None,
        )
    else:
        variant = product.variants[0] if len(product.variants) == 1 else None
    if variant is None:
        raise unprocessable({"variant_id": f"Choose a valid variant of product {product.id}."})
    return product, variant


def _quantity(item: dict[str, Any]) -> int:
    quantity = item.get("quantity")
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise unprocessable({"quantity": "quantity must be a whole number of at least 1"})
    return quantity


def check_stock(cart: Cart, product: Product, variant: Variant) -> None:
    """Refuse a cart that asks for more of a tracked item than the store has."""
    stock = stock_of(product, variant)
    if stock is None:
        return
    wanted = sum(
        line.quantity
        for line in cart.line_items
        if line.product_id == product.id
        and (product.inventory_tracking == "product" or line.variant_id == variant.id)
    )
    if wanted > stock:
        raise unprocessable({"quantity": f"Not enough stock: {variant.sku} has {stock} left."})


def add_items(current: Store, cart: Cart, items: Any) -> None:
    """Add line items (the same variant again raises its quantity), checking stock."""
    if not isinstance(items, list) or not items:
        raise unprocessable({"line_items": "line_items must be a non-empty list"})
    for item in items:
        if not isinstance(item, dict):
            raise unprocessable({"line_items": "each line item must be an object"})
        product, variant = resolve(current, item)
        quantity = _quantity(item)
        line = next((ln for ln in cart.line_items if ln.variant_id == variant.id), None)
        if line is None:
            cart.line_items.append(LineItem(str(uuid.uuid4()), product.id, variant.id, quantity))
        else:
            line.quantity += quantity
        check_stock(cart, product, variant)


def line_price(current: Store, line: LineItem) -> Decimal:
    product = current.products[line.product_id]
    return pricing.unit_price(product, product.variant(line.variant_id))


def cart_subtotal(current: Store, cart: Cart) -> Decimal:
    return sum((line_price(current, ln) * ln.quantity for ln in cart.line_items), Decimal("0"))


def cart_discount(current: Store, cart: Cart, now: float) -> Decimal:
    subtotal = cart_subtotal(current, cart)
    total = Decimal("0")
    for code in cart.coupon_codes:
        coupon = pricing.find_coupon(current, code)
        if coupon is not None:
            total += pricing.coupon_discount(coupon, subtotal, now)
    return min(total, subtotal)


def line_json(current: Store, line: LineItem) -> dict[str, Any]:
    product = current.products[line.product_id]
    variant = product.variant(line.variant_id)
    price = line_price(current, line)
    return {
        "id": line.id,
        "parent_id": None,
        "variant_id": line.variant_id,
        "product_id": line.product_id,
        "sku": variant.sku if variant else product.sku,
        "name": product.name,
        "url": f"https://{current.domain}/{product.slug}/",
        "quantity": line.quantity,
        "taxable": True,
        "image_url": image_url(current.hash, product.images[0].file_name) if product.images else "",
        "discounts": [],
        "coupons": [],
        "discount_amount": 0,
        "coupon_amount": 0,
        "original_price": price,
        "list_price": price,
        "sale_price": price,
        "extended_list_price": price * line.quantity,
        "extended_sale_price": price * line.quantity,
        "is_require_shipping": True,
        "is_mutable": True,
        "options": [
            {
                "name": value.option_display_name,
                "nameId": value.option_id,
                "value": value.label,
                "valueId": value.id,
            }
            for value in (variant.option_values if variant else [])
        ],
    }


def cart_json(current: Store, cart: Cart, now: float) -> dict[str, Any]:
    subtotal = cart_subtotal(current, cart)
    discount = cart_discount(current, cart, now)
    return {
        "id": cart.id,
        "customer_id": cart.customer_id,
        "channel_id": cart.channel_id,
        "email": cart.email,
        "currency": {"code": current.currency},
        "tax_included": False,
        "base_amount": subtotal,
        "discount_amount": discount,
        "cart_amount": subtotal - discount,
        "coupons": [{"code": code} for code in cart.coupon_codes],
        "discounts": [],
        "line_items": {
            "physical_items": [line_json(current, line) for line in cart.line_items],
            "digital_items": [],
            "gift_certificates": [],
            "custom_items": [],
        },
        "created_time": iso(cart.created),
        "updated_time": iso(cart.updated),
        "locale": "en",
    }


def redirect_urls(current: Store, cart: Cart) -> dict[str, str]:
    """Single-use links into the storefront that load this cart (see storefront.py)."""
    token = secrets.token_urlsafe(12)
    cart.redirect_tokens.add(token)
    base = f"{emulator().context.public_url}/bigcommerce/stores/{current.hash}/storefront"
    query = f"id={cart.id}&token={token}"
    return {
        "cart_url": f"{base}/cart.php?action=load&{query}",
        "checkout_url": f"{base}/cart.php?action=loadInCheckout&{query}",
        "embedded_checkout_url": f"{base}/cart.php?embedded=1&action=loadInCheckout&{query}",
    }


def find_cart(current: Store, cart_id: str) -> Cart:
    cart = current.carts.get(cart_id)
    if cart is None:
        raise not_found("cart")
    return cart


def new_cart(current: Store, body: dict[str, Any], now: float) -> Cart:
    cart = Cart(str(uuid.uuid4()), current.hash, [], created=now, updated=now)
    if isinstance(body.get("customer_id"), int):
        cart.customer_id = body["customer_id"]
    if isinstance(body.get("channel_id"), int):
        cart.channel_id = body["channel_id"]
    add_items(current, cart, body.get("line_items"))
    current.carts[cart.id] = cart
    return cart


def _answer(current: Store, cart: Cart, status: int = 200) -> Response:
    data = cart_json(current, cart, emulator().context.clock.now())
    if "redirect_urls" in request.args.get("include", ""):
        data["redirect_urls"] = redirect_urls(current, cart)
    return v3_data(data, status)


@blueprint.post("/carts")
def create_cart() -> Response:
    bc, body = emulator(), json_object()
    with bc.state.lock:
        current = store()
        cart = new_cart(current, body, bc.context.clock.now())
        answer = _answer(current, cart, 201)
    webhooks.fire(bc, current.hash, "store/cart/created", {"type": "cart", "id": cart.id})
    return answer


@blueprint.get("/carts/<cart_id>")
def show_cart(cart_id: str) -> Response:
    with emulator().state.lock:
        current = store()
        return _answer(current, find_cart(current, cart_id))


def touched(cart: Cart) -> None:
    cart.updated = emulator().context.clock.now()
    webhooks.fire(
        emulator(), cart.store_hash, "store/cart/updated", {"type": "cart", "id": cart.id}
    )


@blueprint.post("/carts/<cart_id>/items")
def add_cart_items(cart_id: str) -> Response:
    bc, body = emulator(), json_object()
    with bc.state.lock:
        current = store()
        cart = find_cart(current, cart_id)
        before = [
            LineItem(ln.id, ln.product_id, ln.variant_id, ln.quantity) for ln in cart.line_items
        ]
        try:
            add_items(current, cart, body.get("line_items"))
        except ApiError:
            cart.line_items = before
            raise
        touched(cart)
        return _answer(current, cart, 201)


@blueprint.put("/carts/<cart_id>/items/<item_id>")
def update_cart_item(cart_id: str, item_id: str) -> Response:
    bc, body = emulator(), json_object()
    with bc.state.lock:
        current = store()
        cart = find_cart(current, cart_id)
        line = next((ln for ln in cart.line_items if ln.id == item_id), None)
        if line is None:
            raise not_found("line item")
        item = body.get("line_item")
        if not isinstance(item, dict):
            raise unprocessable({"line_item": "line_item must be an object"})
        quantity, previous = _quantity(item), line.quantity
        line.quantity = quantity
        product = current.products[line.product_id]
        try:
            check_stock(cart, product, product.variant(line.variant_id))  # type: ignore[arg-type]
        except ApiError:
            line.quantity = previous
            raise
        touched(cart)
        return _answer(current, cart)


@blueprint.delete("/carts/<cart_id>/items/<item_id>")
def delete_cart_item(cart_id: str, item_id: str) -> Response:
    bc = emulator()
    with bc.state.lock:
        current = store()
        cart = find_cart(current, cart_id)
        remaining = [ln for ln in cart.line_items if ln.id != item_id]
        if len(remaining) == len(cart.line_items):
            raise not_found("line item")
        cart.line_items = remaining
        if remaining:
            touched(cart)
            return _answer(current, cart)
        del current.carts[cart.id]
    webhooks.fire(bc, current.hash, "store/cart/deleted", {"type": "cart", "id": cart_id})
    return no_content()


@blueprint.delete("/carts/<cart_id>")
def delete_cart(cart_id: str) -> Response:
    bc = emulator()
    with bc.state.lock:
        current = store()
        find_cart(current, cart_id)
        del current.carts[cart_id]
    webhooks.fire(bc, current.hash, "store/cart/deleted", {"type": "cart", "id": cart_id})
    return no_content()


@blueprint.post("/carts/<cart_id>/redirect_urls")
def mint_redirect_urls(cart_id: str) -> Response:
    with emulator().state.lock:
        current = store()
        return v3_data(redirect_urls(current, find_cart(current, cart_id)), 201)
