"""BigCommerce prices a checkout with its server-to-server checkout; Cartpath only reads it.

The checkout id is the cart id (https://developer.bigcommerce.com/docs/rest-management/checkouts).
A quote brings the checkout to the shopper's state, changing only what differs, so
re-quoting the same state sends no writes: the coupon, then the billing address, one
shipping consignment (updated in place, never added again), then the chosen
shipping option, since a new address or coupon can change the options offered.
Local pickup is the store's pickup methods, offered beside the shipping rates; choosing
one replaces the shipping consignment with a pickup consignment (a consignment is one or
the other), which ships nothing and costs nothing; BigCommerce still wants the billing
address for the order. Stock
comes from the catalog (the cart does not carry it). v3 sends money as JSON numbers;
the float the JSON parser makes is turned back into the literal the platform wrote.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from platforms.bigcommerce.api import request
from platforms.bigcommerce.setup import store_connection
from platforms.errors import FinalError, NotFoundError
from platforms.pricing import (
    Address,
    CartItem,
    CartLine,
    CheckoutState,
    Quote,
    ShippingOption,
    refused_code_sentence,
)

CENT = Decimal("0.01")
CART_INCLUDE = "line_items.physical_items.options"
# Consignments list what they can ship with only when asked
# (https://developer.bigcommerce.com/docs/rest-management/checkouts/consignments).
CHECKOUT_INCLUDE = "consignments.available_shipping_options"
CATALOG_PAGE = 250  # the v3 catalog's largest page
# Our ids for pickup methods among the delivery options; BigCommerce's shipping option ids
# are opaque hashes, never with this prefix.
PICKUP_PREFIX = "pickup-"


class BigCommercePricing:
    """PricingEngine for BigCommerce stores."""

    def read_cart(
        self,
        shop_id: int,
        *,
        items: tuple[CartItem, ...] | None = None,
        platform_ref: str | None = None,
    ) -> tuple[str | None, tuple[CartLine, ...]]:
        """The store's cart `platform_ref` (GET /v3/carts/{id}); without one, a server-side
        cart made from `items` (POST /v3/carts, https://developer.bigcommerce.com/docs/rest-management/carts)."""
        conn = store_connection(shop_id)
        if platform_ref:
            cart = request(lambda: conn.get(f"carts/{platform_ref}", include=CART_INCLUDE))["data"]
        elif items:
            cart = _create_cart(conn, items)
        else:
            return None, ()
        return cart["id"], _lines(conn, cart)

    def quote(self, shop_id: int, state: CheckoutState) -> Quote:
        if not state.platform_ref:
            raise FinalError("a BigCommerce checkout needs its cart id (read_cart first)")
        conn = store_connection(shop_id)
        path = f"checkouts/{state.platform_ref}"
        checkout = request(lambda: conn.get(path, include=CHECKOUT_INCLUDE))["data"]
        checkout, discount_errors = _apply_coupon(conn, path, checkout, state.discount_code)
        methods: list[dict[str, Any]] = []
        if state.address is not None:
            if state.email:
                checkout = _set_billing(conn, path, checkout, state.address, state.email)
            methods = _pickup_methods(conn)
            pickup = _pickup_method_id(state.shipping_option, methods)
            if pickup is not None:
                checkout = _set_pickup(conn, path, checkout, pickup)
            else:
                checkout = _set_consignment(conn, path, checkout, state.address, state.email)
                if state.shipping_option:
                    checkout = _choose_option(conn, path, checkout, state.shipping_option)
        return _quote(checkout, _lines(conn, checkout["cart"]), discount_errors, methods)


def _send(conn: Any, method: str, path: str, body: Any = None) -> dict[str, Any]:
    """One write to the checkout, answered with the whole checkout and its options."""
    url = f"{path}?include={CHECKOUT_INCLUDE}"
    return request(lambda: conn.make_request(method, url, data=body))["data"]


def _apply_coupon(
    conn: Any, path: str, checkout: dict[str, Any], code: str | None
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """Leave exactly `code` applied; a refused code is the shopper's to fix, not a failure."""
    wanted = (code or "").strip()
    for coupon in checkout.get("coupons") or []:
        if coupon["code"].lower() != wanted.lower():
            checkout = _send(conn, "DELETE", f"{path}/coupons/{coupon['code']}")
    applied = checkout.get("coupons") or []
    if not wanted or any(c["code"].lower() == wanted.lower() for c in applied):
        return checkout, ()
    try:
        return _send(conn, "POST", f"{path}/coupons", {"coupon_code": wanted}), ()
    except NotFoundError:
        raise
    except FinalError as refusal:
        return checkout, (_coupon_problem(wanted, str(refusal)),)


def _coupon_problem(code: str, refusal: str) -> str:
    """A shopper's sentence for BigCommerce's 400 on POST /checkouts/{id}/coupons."""
    return refused_code_sentence(code, refusal.split(":", 1)[-1])


def _address(address: Address, email: str) -> dict[str, str]:
    """A checkout address (https://developer.bigcommerce.com/docs/rest-management/checkouts/checkout-billing-address)."""
    fields = {
        "first_name": address.first_name,
        "last_name": address.last_name,
        "email": email,
        "company": address.company,
        "address1": address.address1,
        "address2": address.address2,
        "city": address.city,
        "state_or_province_code": address.province_code,
        "country_code": address.country_code.upper(),
        "postal_code": address.postal_code,
        "phone": address.phone,
    }
    return {name: value for name, value in fields.items() if value}


def _differs(current: dict[str, Any] | None, wanted: dict[str, str]) -> bool:
    current = current or {}
    return any(str(current.get(name) or "") != value for name, value in wanted.items())


def _set_billing(
    conn: Any, path: str, checkout: dict[str, Any], address: Address, email: str
) -> dict[str, Any]:
    wanted = _address(address, email)
    billing = checkout.get("billing_address") or {}
    if not _differs(billing, wanted):
        return checkout
    if billing.get("id"):
        return _send(conn, "PUT", f"{path}/billing-address/{billing['id']}", wanted)
    return _send(conn, "POST", f"{path}/billing-address", wanted)


def _pickup_methods(conn: Any) -> list[dict[str, Any]]:
    """The store's pickup methods (GET /v3/pickup/methods,
    https://developer.bigcommerce.com/docs/rest-management/pickup-methods)."""
    return request(lambda: conn.get("pickup/methods", limit=CATALOG_PAGE))["data"]


def _pickup_method_id(option_id: str | None, methods: list[dict[str, Any]]) -> int | None:
    """The pickup method `option_id` names, if it is one the store still offers."""
    if not option_id or not option_id.startswith(PICKUP_PREFIX):
        return None
    wanted = option_id.removeprefix(PICKUP_PREFIX)
    return next((m["id"] for m in methods if str(m["id"]) == wanted), None)


def _items(checkout: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"item_id": item["id"], "quantity": item["quantity"]}
        for item in checkout["cart"]["line_items"]["physical_items"]
    ]


def _picked_up(consignment: dict[str, Any]) -> int | None:
    return (consignment.get("selected_pickup_option") or {}).get("pickup_method_id")


def _set_pickup(conn: Any, path: str, checkout: dict[str, Any], method_id: int) -> dict[str, Any]:
    """One pickup consignment holding every physical item. A consignment cannot change
    between shipping and pickup ("You cannot assign a shipping method with a pickup
    consignment", https://developer.bigcommerce.com/docs/rest-management/checkouts/checkout-consignments),
    so another one is deleted and a pickup consignment added in its place."""
    items = _items(checkout)
    consignments = checkout.get("consignments") or []
    if consignments:
        consignment = consignments[0]
        held = set(consignment.get("line_item_ids") or [])
        if _picked_up(consignment) == method_id and held == {i["item_id"] for i in items}:
            return checkout
        checkout = _send(conn, "DELETE", f"{path}/consignments/{consignment['id']}")
    body = [{"pickup_option": {"pickup_method_id": method_id}, "line_items": items}]
    return _send(conn, "POST", f"{path}/consignments", body)


def _set_consignment(
    conn: Any, path: str, checkout: dict[str, Any], address: Address, email: str
) -> dict[str, Any]:
    """One consignment holding every physical item, moved to `address` when it changes
    (a pickup consignment is replaced: see `_set_pickup`)."""
    wanted = _address(address, email)
    wanted.pop("email", None)  # the email lives on the billing address
    items = _items(checkout)
    consignments = checkout.get("consignments") or []
    if consignments and _picked_up(consignments[0]) is not None:
        checkout = _send(conn, "DELETE", f"{path}/consignments/{consignments[0]['id']}")
        consignments = []
    if not consignments:
        return _send(
            conn, "POST", f"{path}/consignments", [{"address": wanted, "line_items": items}]
        )
    consignment = consignments[0]
    held = set(consignment.get("line_item_ids") or [])
    if not _differs(consignment.get("address"), wanted) and held == {i["item_id"] for i in items}:
        return checkout
    body = {"address": wanted, "line_items": items}
    return _send(conn, "PUT", f"{path}/consignments/{consignment['id']}", body)


def _choose_option(
    conn: Any, path: str, checkout: dict[str, Any], option_id: str
) -> dict[str, Any]:
    """Select `option_id` if the consignment offers it; otherwise leave the selection alone.

    BigCommerce takes shipping_option_id in a request of its own, after the address
    (https://developer.bigcommerce.com/docs/rest-management/checkouts/consignments).
    """
    consignment = checkout["consignments"][0]
    selected = (consignment.get("selected_shipping_option") or {}).get("id")
    offered = {o["id"] for o in consignment.get("available_shipping_options") or []}
    if selected == option_id or option_id not in offered:
        return checkout
    body = {"shipping_option_id": option_id}
    return _send(conn, "PUT", f"{path}/consignments/{consignment['id']}", body)


def _quote(
    checkout: dict[str, Any],
    lines: tuple[CartLine, ...],
    discount_errors: tuple[str, ...],
    pickup_methods: list[dict[str, Any]],
) -> Quote:
    """Totals as the checkout states them; prices are entered without tax, so tax on
    shipping is inside tax_total and shipping counts ex tax. A pickup consignment lists
    no shipping rates: the shopper sees the pickup options until choosing to ship."""
    consignment = (checkout.get("consignments") or [{}])[0]
    rates = tuple(
        ShippingOption(o["id"], o["description"], money(o["cost"]))
        for o in consignment.get("available_shipping_options") or []
    )
    pickups = tuple(_pickup_option(method) for method in pickup_methods)
    picked_up = _picked_up(consignment)
    selected = (
        f"{PICKUP_PREFIX}{picked_up}"
        if picked_up is not None
        else (consignment.get("selected_shipping_option") or {}).get("id")
    )
    coupons = checkout.get("coupons") or []
    return Quote(
        currency=checkout["cart"]["currency"]["code"],
        lines=lines,
        subtotal=money(checkout["subtotal_ex_tax"]),
        discount_total=money(sum((money(c["discounted_amount"]) for c in coupons), Decimal(0))),
        shipping_total=money(checkout["shipping_cost_total_ex_tax"])
        + money(checkout.get("handling_cost_total_ex_tax") or 0),
        tax_total=money(checkout["tax_total"]),
        total=money(checkout["grand_total"]),
        shipping_options=rates + pickups,
        selected_shipping=selected,
        discount_codes=tuple(c["code"] for c in coupons),
        discount_errors=discount_errors,
    )


def _pickup_option(method: dict[str, Any]) -> ShippingOption:
    """A pickup method as a delivery option: pickup methods carry no price."""
    said = (method.get("collection_time_description"), method.get("collection_instructions"))
    instructions = "".join(f"{text.rstrip('.')}. " for text in said if text).strip()
    return ShippingOption(
        f"{PICKUP_PREFIX}{method['id']}",
        method["display_name"],
        Decimal("0.00"),
        pickup=True,
        instructions=instructions,
    )


def _create_cart(conn: Any, items: tuple[CartItem, ...]) -> dict[str, Any]:
    """POST /v3/carts needs each variant's product: looked up in the catalog first."""
    products = _variant_products(conn, [item.variant_id for item in items])
    line_items = []
    for item in items:
        if item.variant_id not in products:
            raise NotFoundError(f"BigCommerce has no variant {item.variant_id}")
        line_items.append(
            {
                "product_id": int(products[item.variant_id]),
                "variant_id": int(item.variant_id),
                "quantity": item.quantity,
            }
        )
    url = f"carts?include={CART_INCLUDE}"
    return request(lambda: conn.post(url, {"line_items": line_items}))["data"]


def _variant_products(conn: Any, variant_ids: list[str]) -> dict[str, str]:
    """variant id -> product id (GET /v3/catalog/variants?id:in=, catalog reference
    https://developer.bigcommerce.com/docs/rest-catalog/product-variants)."""
    query = {"id:in": ",".join(variant_ids), "limit": CATALOG_PAGE}
    variants = request(lambda: conn.get("catalog/variants", **query))["data"]
    return {str(v["id"]): str(v["product_id"]) for v in variants}


def _lines(conn: Any, cart: dict[str, Any]) -> tuple[CartLine, ...]:
    items = cart["line_items"]["physical_items"]
    if not items:
        return ()
    stock = _stock(conn, {item["product_id"] for item in items})
    return tuple(_line(item, stock.get((item["product_id"], item["variant_id"]))) for item in items)


def _stock(conn: Any, product_ids: set[int]) -> dict[tuple[int, int], tuple[bool, int | None]]:
    """(product, variant) -> (purchasable, units or None when the store does not count them).

    Inventory is kept per product or per variant as `inventory_tracking` says
    (https://developer.bigcommerce.com/docs/store-operations/catalog/inventory-adjustments).
    """
    query = {
        "id:in": ",".join(str(i) for i in sorted(product_ids)),
        "include": "variants",
        "limit": CATALOG_PAGE,
    }
    products = request(lambda: conn.get("catalog/products", **query))["data"]
    stock = {}
    for product in products:
        tracking = product["inventory_tracking"]
        for variant in product.get("variants") or []:
            units = {
                "product": product["inventory_level"],
                "variant": variant["inventory_level"],
            }.get(tracking)
            purchasable = product.get("availability") != "disabled" and not variant.get(
                "purchasing_disabled"
            )
            stock[(product["id"], variant["id"])] = (purchasable, units)
    return stock


def _line(item: dict[str, Any], stock: tuple[bool, int | None] | None) -> CartLine:
    """A cart's physical item; `stock` None means the catalog no longer has the variant."""
    purchasable, units = stock if stock is not None else (False, 0)
    options = item.get("options") or []
    return CartLine(
        variant_id=str(item["variant_id"]),
        product_id=str(item["product_id"]),
        title=item["name"],
        variant_title=" / ".join(str(o["value"]) for o in options),
        sku=item.get("sku") or "",
        quantity=item["quantity"],
        unit_price=money(item["sale_price"]),
        image_url=item.get("image_url") or None,
        available=purchasable and (units is None or units >= item["quantity"]),
        inventory=units,
    )


def money(value: Any) -> Decimal:
    """A v3 amount as a Decimal with at least cents; repr of a float is the shortest literal
    that reads back as it, i.e. the one BigCommerce wrote. Never rounds."""
    amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(str(value))
    exponent = amount.as_tuple().exponent
    return amount.quantize(CENT) if isinstance(exponent, int) and exponent > -2 else amount
