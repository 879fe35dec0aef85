"""v2 order lines and addresses from request bodies, and the stock they take.

bigcommerce/docs reference/orders.v2.oas2.yml: a products[] entry names a catalogue
product (product_id with variant_id or product_options[{id, value}]) or is custom
({name, quantity, price_ex_tax}); on PUT /v2/orders/{id} an entry without `id` is
added, one with `id` is changed, and quantity 0 removes the line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any

from sandbox.bigcommerce import pricing
from sandbox.bigcommerce.api import emulator
from sandbox.bigcommerce.catalog import take_stock
from sandbox.bigcommerce.responses import ApiError
from sandbox.bigcommerce.state import Order, OrderProduct, Product, Store, Variant

REQUIRED_ADDRESS = ("first_name", "last_name", "street_1", "city", "zip", "country", "email")


def bad_request(message: str) -> ApiError:
    return ApiError(400, message)


def money_field(body: dict[str, Any], name: str) -> Decimal | None:
    if body.get(name) is None:
        return None
    try:
        value = Decimal(str(body[name]))
    except InvalidOperation:
        raise bad_request(f"The field '{name}' must be a number.") from None
    if value < 0:
        raise bad_request(f"The field '{name}' must not be negative.")
    return value


def check_address(address: Any, field: str) -> dict[str, Any]:
    if not isinstance(address, dict):
        raise bad_request(f"The field '{field}' is required and must be an object.")
    missing = [name for name in REQUIRED_ADDRESS if not address.get(name)]
    if field == "shipping_addresses":
        missing = [name for name in missing if name != "email"]
    if missing:
        raise bad_request(f"The field '{field}' is missing: {', '.join(missing)}.")
    return {**address, "country_iso2": address.get("country_iso2") or _iso2(address["country"])}


def _iso2(country: str) -> str:
    names = {"united states": "US", "germany": "DE", "canada": "CA", "united kingdom": "GB"}
    return names.get(country.lower(), country.upper()[:2])


def _variant_for(product: Product, item: dict[str, Any]) -> Variant:
    if item.get("variant_id") is not None:
        variant = product.variant(item["variant_id"])
    elif item.get("product_options"):
        chosen = {(o.get("id"), as_int(o.get("value"))) for o in item["product_options"]}
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
        raise bad_request(f"Product {product.id} needs a valid variant_id or product_options.")
    return variant


def as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def order_product(current: Store, item: Any) -> OrderProduct:
    """One order line from a v2 products[] entry (catalogue or custom)."""
    if not isinstance(item, dict):
        raise bad_request("Each entry of 'products' must be an object.")
    quantity = item.get("quantity")
    if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 1:
        raise bad_request("The field 'quantity' must be a whole number of at least 1.")
    if item.get("product_id"):
        product = current.products.get(item["product_id"])
        if product is None:
            raise bad_request(f"The product {item['product_id']} does not exist.")
        variant = _variant_for(product, item)
        price = money_field(item, "price_ex_tax")
        return OrderProduct(
            id=emulator().state.next_id(),
            product_id=product.id,
            variant_id=variant.id,
            name=product.name,
            sku=variant.sku,
            quantity=quantity,
            base_price=price if price is not None else pricing.unit_price(product, variant),
            weight=variant.weight if variant.weight is not None else product.weight,
            product_options=[
                {
                    "id": value.id,
                    "option_id": value.option_id,
                    "display_name": value.option_display_name,
                    "display_value": value.label,
                    "value": str(value.id),
                }
                for value in variant.option_values
            ],
        )
    price = money_field(item, "price_ex_tax")
    if not item.get("name") or price is None:
        raise bad_request("A custom product needs 'name', 'quantity' and 'price_ex_tax'.")
    return OrderProduct(
        emulator().state.next_id(),
        0,
        0,
        str(item["name"]),
        str(item.get("sku", "")),
        quantity,
        price,
        Decimal("0"),
        [],
    )


def stock_moves(current: Store, lines: list[OrderProduct]) -> list[tuple[Product, int]]:
    """Take each line's quantity (negative gives back) from tracked stock; new levels."""
    moved = []
    for line in lines:
        product = current.products.get(line.product_id)
        variant = product.variant(line.variant_id) if product else None
        if product is not None and variant is not None:
            level = take_stock(product, variant, line.quantity)
            if level is not None:
                moved.append((product, level))
    return moved


def plan_products(
    current: Store, order: Order, entries: Any
) -> Callable[[], list[tuple[Product, int]]]:
    """Check a PUT's products[] completely, then return the change to apply.

    Entries without `id` are added, entries with `id` are changed, quantity 0 removes
    a line; a placed (not Incomplete) order's stock follows the change.
    """
    if not isinstance(entries, list):
        raise bad_request("The field 'products' must be a list.")
    added: list[OrderProduct] = []
    changes: list[tuple[OrderProduct, int, Decimal | None]] = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise bad_request("Each entry of 'products' must be an object.")
        if "id" not in entry:
            added.append(order_product(current, entry))
            continue
        line = next((p for p in order.products if p.id == entry["id"]), None)
        if line is None:
            raise bad_request(f"The order has no product line {entry['id']}.")
        quantity = entry.get("quantity", line.quantity)
        if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity < 0:
            raise bad_request("The field 'quantity' must be a whole number >= 0.")
        changes.append((line, quantity, money_field(entry, "price_ex_tax")))
    zeroed = {line.id for line, quantity, _ in changes if quantity == 0}
    if not added and all(p.id in zeroed for p in order.products):
        raise bad_request("An order must keep at least one product.")

    def apply() -> list[tuple[Product, int]]:
        deltas = [replace(line, quantity=quantity - line.quantity) for line, quantity, _ in changes]
        for line, quantity, price in changes:
            line.quantity = quantity
            if price is not None:
                line.base_price = price
        order.products = [p for p in order.products if p.quantity > 0] + added
        return stock_moves(current, [*added, *deltas]) if order.status_id != 0 else []

    return apply
