"""v3 server-to-server checkouts: addresses, consignments, shipping, coupons, taxes, order.

bigcommerce/docs reference/checkouts.v3.yml
(https://developer.bigcommerce.com/docs/rest-checkout): the checkout id is the
cart id. POST billing-address; POST consignments [{address, line_items[{item_id,
quantity}]}] with ?include=consignments.available_shipping_options; PUT
consignments/{id} {shipping_option_id}; a pickup consignment instead carries
`pickup_option: {pickup_method_id}` and no address, ships nothing and costs nothing, and
the order lists it under its consignments' "pickups" (pickup.py,
https://developer.bigcommerce.com/docs/rest-management/checkouts/checkout-consignments:
"You cannot assign a shipping method with a pickup consignment"); POST coupons
{coupon_code}; POST orders creates (or, when the checkout already has one, refreshes)
an Incomplete order (status_id 0) and answers {data: {id}}. Prices, shipping and tax
come from pricing.py, the store's own engine.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from flask import Response, request

from sandbox.bigcommerce import pricing
from sandbox.bigcommerce.api import api_blueprint, emulator, json_body, json_object, store
from sandbox.bigcommerce.carts import cart_discount, cart_json, cart_subtotal, find_cart
from sandbox.bigcommerce.catalog import iso
from sandbox.bigcommerce.order_records import announce_created, place_order
from sandbox.bigcommerce.pickup import order_pickup
from sandbox.bigcommerce.responses import ApiError, not_found, unprocessable, v3_data
from sandbox.bigcommerce.state import Address, Cart, Consignment, Order, OrderProduct, Store

blueprint = api_blueprint("checkouts", "v3", "store_checkout")

ADDRESS_FIELDS = ("first_name", "last_name", "address1", "city", "country_code", "postal_code")
INCLUDE_OPTIONS = "consignments.available_shipping_options"


def parse_address(body: Any, needs_email: bool) -> Address:
    if not isinstance(body, dict):
        raise unprocessable({"address": "address must be an object"})
    required = (*ADDRESS_FIELDS, "email") if needs_email else ADDRESS_FIELDS
    missing = {name: f"{name} is required" for name in required if not body.get(name)}
    if missing:
        raise unprocessable(missing)
    return Address(str(uuid.uuid4()), dict(body))


def _address_json(address: Address) -> dict[str, Any]:
    return {"id": address.id, **address.fields}


def _lines_for(cart: Cart, consignment: Consignment):
    return [ln for ln in cart.line_items if ln.id in consignment.line_item_ids]


def consignment_options(
    current: Store, cart: Cart, consignment: Consignment
) -> list[pricing.ShippingOption]:
    if consignment.address is None:
        return []  # a pickup consignment
    lines = _lines_for(cart, consignment)
    subtotal = cart_subtotal(current, cart) - cart_discount(current, cart, _now())
    quantity = sum(ln.quantity for ln in lines)
    address = consignment.address
    return pricing.shipping_options(
        current, address.country_code, pricing.state_code(address.fields), subtotal, quantity
    )


def _selected(
    current: Store, cart: Cart, consignment: Consignment
) -> pricing.ShippingOption | None:
    options = consignment_options(current, cart, consignment)
    return next((o for o in options if o.id == consignment.selected_option_id), None)


def _option_json(option: pricing.ShippingOption) -> dict[str, Any]:
    return {
        "id": option.id,
        "type": option.type,
        "description": option.description,
        "image_url": "",
        "cost": option.cost,
        "transit_time": "",
        "additional_description": "",
    }


def _tax_address(cart: Cart) -> tuple[str, str]:
    shipped = [c.address for c in cart.consignments if c.address is not None]
    address = shipped[0] if shipped else cart.billing_address
    return (address.country_code, pricing.state_code(address.fields)) if address else ("", "")


def checkout_totals(current: Store, cart: Cart) -> pricing.Totals:
    subtotal = cart_subtotal(current, cart)
    discount = cart_discount(current, cart, _now())
    shipping = Decimal("0")
    for consignment in cart.consignments:
        option = _selected(current, cart, consignment)
        shipping += option.cost if option else Decimal("0")
    rate = pricing.tax_rate_for(current, *_tax_address(cart))
    if rate is None:
        return pricing.totals(subtotal, discount, shipping, Decimal("0"), False)
    return pricing.totals(subtotal, discount, shipping, rate.rate, rate.tax_shipping)


def _now() -> float:
    return emulator().context.clock.now()


def checkout_json(current: Store, cart: Cart, with_options: bool) -> dict[str, Any]:
    t = checkout_totals(current, cart)
    rate = pricing.tax_rate_for(current, *_tax_address(cart))
    consignments = []
    for consignment in cart.consignments:
        option = _selected(current, cart, consignment)
        body: dict[str, Any] = {"id": consignment.id}
        if consignment.address is not None:
            body["shipping_address"] = body["address"] = _address_json(consignment.address)
        if consignment.pickup_method_id is not None:
            body["selected_pickup_option"] = {"pickup_method_id": consignment.pickup_method_id}
        body |= {
            "line_item_ids": consignment.line_item_ids,
            "shipping_cost_ex_tax": option.cost if option else 0,
            "shipping_cost_inc_tax": option.cost if option else 0,
            "handling_cost_ex_tax": 0,
            "handling_cost_inc_tax": 0,
        }
        if option is not None:
            body["selected_shipping_option"] = _option_json(option)
        if with_options:
            body["available_shipping_options"] = [
                _option_json(o) for o in consignment_options(current, cart, consignment)
            ]
        consignments.append(body)
    coupons = []
    for code in cart.coupon_codes:
        coupon = pricing.find_coupon(current, code)
        if coupon is not None:
            coupons.append(
                {
                    "id": coupon.id,
                    "code": coupon.code,
                    "coupon_type": coupon.type,
                    "display_name": coupon.name,
                    "discounted_amount": t.discount,
                }
            )
    return {
        "id": cart.id,
        "cart": cart_json(current, cart, _now()),
        "billing_address": _address_json(cart.billing_address) if cart.billing_address else {},
        "consignments": consignments,
        "taxes": [{"name": rate.name, "amount": t.tax}] if rate and t.tax else [],
        "coupons": coupons,
        "order_id": cart.order_id,
        "shipping_cost_total_ex_tax": t.shipping_ex_tax,
        "shipping_cost_total_inc_tax": t.shipping_inc_tax,
        "handling_cost_total_ex_tax": 0,
        "handling_cost_total_inc_tax": 0,
        "tax_total": t.tax,
        "subtotal_ex_tax": t.subtotal_ex_tax,
        "subtotal_inc_tax": t.subtotal_inc_tax,
        "grand_total": t.total_inc_tax,
        "created_time": iso(cart.created),
        "updated_time": iso(cart.updated),
        "customer_message": "",
    }


def _answer(current: Store, cart: Cart) -> Response:
    with_options = INCLUDE_OPTIONS in request.args.get("include", "")
    return v3_data(checkout_json(current, cart, with_options))


def _checkout(checkout_id: str) -> tuple[Store, Cart]:
    current = store()
    return current, find_cart(current, checkout_id)


@blueprint.get("/checkouts/<checkout_id>")
def show_checkout(checkout_id: str) -> Response:
    with emulator().state.lock:
        return _answer(*_checkout(checkout_id))


@blueprint.post("/checkouts/<checkout_id>/billing-address")
@blueprint.put("/checkouts/<checkout_id>/billing-address/<address_id>")
def set_billing_address(checkout_id: str, address_id: str | None = None) -> Response:
    body = json_object()
    with emulator().state.lock:
        current, cart = _checkout(checkout_id)
        if address_id is not None and (
            cart.billing_address is None or cart.billing_address.id != address_id
        ):
            raise not_found("billing address")
        cart.billing_address = parse_address(body, needs_email=True)
        cart.email = str(body["email"])
        cart.updated = _now()
        return _answer(current, cart)


def _pickup_method_id(current: Store, option: Any) -> int:
    method_id = option.get("pickup_method_id") if isinstance(option, dict) else None
    if isinstance(method_id, bool) or not isinstance(method_id, int):
        raise unprocessable({"pickup_option": "pickup_option needs a pickup_method_id"})
    if method_id not in current.pickup_methods:
        raise unprocessable({"pickup_option": f"no pickup method {method_id}"})
    return method_id


def new_consignment(current: Store, cart: Cart, body: Any) -> Consignment:
    if not isinstance(body, dict):
        raise unprocessable({"consignments": "each consignment must be an object"})
    given = body.get("address") or body.get("shipping_address")
    if "pickup_option" in body and given:
        raise unprocessable(
            {"pickup_option": "You cannot assign a shipping method with a pickup consignment."}
        )
    pickup = _pickup_method_id(current, body["pickup_option"]) if "pickup_option" in body else None
    address = None if pickup is not None else parse_address(given, needs_email=False)
    items = body.get("line_items")
    if not isinstance(items, list) or not items:
        raise unprocessable({"line_items": "line_items must list the cart's item_id values"})
    known = {ln.id for ln in cart.line_items}
    ids = [str(item.get("item_id")) for item in items if isinstance(item, dict)]
    unknown = [item_id for item_id in ids if item_id not in known]
    if unknown or not ids:
        raise unprocessable({"line_items": f"not in this cart: {', '.join(unknown)}"})
    return Consignment(str(uuid.uuid4()), address, ids, pickup_method_id=pickup)


@blueprint.post("/checkouts/<checkout_id>/consignments")
def add_consignments(checkout_id: str) -> Response:
    body = json_body()
    if not isinstance(body, list) or not body:
        raise ApiError(400, "The request body must be a non-empty list of consignments.")
    with emulator().state.lock:
        current, cart = _checkout(checkout_id)
        added = [new_consignment(current, cart, entry) for entry in body]
        claimed = {item for c in (*cart.consignments, *added) for item in c.line_item_ids}
        if len(claimed) != sum(len(c.line_item_ids) for c in (*cart.consignments, *added)):
            raise unprocessable({"line_items": "a line item can be in only one consignment"})
        cart.consignments.extend(added)
        cart.updated = _now()
        return _answer(current, cart)


def _find_consignment(cart: Cart, consignment_id: str) -> Consignment:
    found = next((c for c in cart.consignments if c.id == consignment_id), None)
    if found is None:
        raise not_found("consignment")
    return found


@blueprint.put("/checkouts/<checkout_id>/consignments/<consignment_id>")
def update_consignment(checkout_id: str, consignment_id: str) -> Response:
    body = json_object()
    with emulator().state.lock:
        current, cart = _checkout(checkout_id)
        consignment = _find_consignment(cart, consignment_id)
        if "address" in body or "line_items" in body:
            current_lines = [{"item_id": i} for i in consignment.line_item_ids]
            kept = (
                {"address": consignment.address.fields}
                if consignment.address is not None
                else {"pickup_option": {"pickup_method_id": consignment.pickup_method_id}}
            )
            fresh = new_consignment(current, cart, {**kept, "line_items": current_lines, **body})
            consignment.address, consignment.line_item_ids = fresh.address, fresh.line_item_ids
            consignment.pickup_method_id = fresh.pickup_method_id
            consignment.selected_option_id = None
        if "shipping_option_id" in body:
            offered = {o.id for o in consignment_options(current, cart, consignment)}
            if body["shipping_option_id"] not in offered:
                raise unprocessable({"shipping_option_id": "not an available shipping option"})
            consignment.selected_option_id = body["shipping_option_id"]
        cart.updated = _now()
        return _answer(current, cart)


@blueprint.delete("/checkouts/<checkout_id>/consignments/<consignment_id>")
def delete_consignment(checkout_id: str, consignment_id: str) -> Response:
    with emulator().state.lock:
        current, cart = _checkout(checkout_id)
        cart.consignments.remove(_find_consignment(cart, consignment_id))
        return _answer(current, cart)


@blueprint.post("/checkouts/<checkout_id>/coupons")
def apply_coupon(checkout_id: str) -> Response:
    code = str(json_object().get("coupon_code", "")).strip()
    with emulator().state.lock:
        current, cart = _checkout(checkout_id)
        coupon = pricing.find_coupon(current, code) if code else None
        if coupon is None:
            raise ApiError(400, f"The coupon code '{code}' is not valid.")
        pricing.coupon_discount(coupon, cart_subtotal(current, cart), _now())
        if coupon.code not in cart.coupon_codes:
            cart.coupon_codes = [coupon.code]
        cart.updated = _now()
        return _answer(current, cart)


@blueprint.delete("/checkouts/<checkout_id>/coupons/<code>")
def remove_coupon(checkout_id: str, code: str) -> Response:
    with emulator().state.lock:
        current, cart = _checkout(checkout_id)
        cart.coupon_codes = [c for c in cart.coupon_codes if c.lower() != code.lower()]
        return _answer(current, cart)


def _ready(current: Store, cart: Cart) -> None:
    problems = {}
    if cart.billing_address is None:
        problems["billing_address"] = "The checkout has no billing address."
    shipped = {item for c in cart.consignments for item in c.line_item_ids}
    if {ln.id for ln in cart.line_items} - shipped:
        problems["consignments"] = "Every physical item needs a consignment."
    if any(
        c.pickup_method_id is None and _selected(current, cart, c) is None
        for c in cart.consignments
    ):
        problems["shipping_option"] = "Every consignment needs a selected shipping option."
    if problems:
        raise unprocessable(problems)


def build_order(current: Store, cart: Cart, order_id: int) -> Order:
    """The Incomplete order for this checkout (totals exactly as the checkout shows)."""
    bc = emulator()
    t = checkout_totals(current, cart)
    rate = pricing.tax_rate_for(current, *_tax_address(cart))
    now = _now()
    lines = []
    for line in cart.line_items:
        product = current.products[line.product_id]
        variant = product.variant(line.variant_id)
        lines.append(
            OrderProduct(
                bc.state.next_id(),
                product.id,
                line.variant_id,
                product.name,
                variant.sku if variant else product.sku,
                line.quantity,
                pricing.unit_price(product, variant),
                variant.weight if variant and variant.weight is not None else product.weight,
                [],
            )
        )
    billing = _order_address(cart.billing_address, cart.email)
    options = [_selected(current, cart, c) for c in cart.consignments]
    picked_up = [c for c in cart.consignments if c.pickup_method_id is not None]
    return Order(
        id=order_id,
        store_hash=current.hash,
        status_id=0,
        billing_address=billing,
        shipping_addresses=[
            _order_address(c.address, cart.email) for c in cart.consignments if c.address
        ],
        products=lines,
        currency_code=current.currency,
        shipping_cost_ex_tax=t.shipping_ex_tax,
        shipping_method=", ".join(o.description for o in options if o),
        tax_rate=rate.rate if rate else Decimal("0"),
        tax_shipping=bool(rate and rate.tax_shipping),
        discount_amount=t.discount,
        coupon_codes=list(cart.coupon_codes),
        date_created=now,
        date_modified=now,
        customer_id=cart.customer_id,
        cart_id=cart.id,
        channel_id=cart.channel_id,
        order_source="checkout_api",
        pickups=[
            order_pickup(current, current.pickup_methods[c.pickup_method_id], bc.state.next_id())
            for c in picked_up
        ],
    )


def _order_address(address: Address | None, email: str) -> dict[str, Any]:
    """A checkout address in v2 order field names."""
    fields = address.fields if address else {}
    return {
        "first_name": fields.get("first_name", ""),
        "last_name": fields.get("last_name", ""),
        "company": fields.get("company", ""),
        "street_1": fields.get("address1", ""),
        "street_2": fields.get("address2", ""),
        "city": fields.get("city", ""),
        "state": fields.get("state_or_province", ""),
        "zip": fields.get("postal_code", ""),
        "country": fields.get("country", fields.get("country_code", "")),
        "country_iso2": fields.get("country_code", ""),
        "phone": fields.get("phone", ""),
        "email": fields.get("email", email),
    }


@blueprint.post("/checkouts/<checkout_id>/orders")
def create_order(checkout_id: str) -> Response:
    bc = emulator()
    with bc.state.lock:
        current, cart = _checkout(checkout_id)
        _ready(current, cart)
        existing = current.orders.get(cart.order_id) if cart.order_id else None
        if existing is not None and existing.status_id == 0:
            refreshed = build_order(current, cart, existing.id)
            refreshed.date_created = existing.date_created
            current.orders[existing.id] = refreshed
            return v3_data({"id": existing.id})
        order = build_order(current, cart, bc.state.next_id())
        moved = place_order(current, order)
        cart.order_id = order.id
    announce_created(order, moved)
    return v3_data({"id": order.id})
