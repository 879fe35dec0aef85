"""v2 Orders: create, read, list with filters, update (status, notes, products), archive.

bigcommerce/docs reference/orders.v2.oas2.yml
(https://developer.bigcommerce.com/docs/rest-management/orders):
- POST /v2/orders needs billing_address and products; products name a catalogue
  product (product_id + variant_id or product_options[{id, value}]) or are custom
  ({name, quantity, price_ex_tax});
- GET /v2/orders filters: min_id, max_id, min_total, max_total, customer_id, email,
  status_id, cart_id, payment_method, channel_id, is_deleted, min/max_date_created,
  min/max_date_modified, sort, page, limit. There is NO external_id filter;
  an empty page is answered 204 with no body;
- PUT /v2/orders/{id}: a product without `id` is ADDED to the order (the upsell
  case), one with `id` is updated, quantity 0 removes it; totals are recomputed;
  `external_id` can be set only on POST: a PUT carrying it answers 400;
- status ids: 0 Incomplete ... 11 Awaiting Fulfillment (list below);
- events: store/order/created, updated, statusUpdated {status{previous_status_id,
  new_status_id}}, archived; a cart's order leaving Incomplete fires store/cart/converted.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from email.utils import parsedate_to_datetime

from flask import Response, request

from sandbox.bigcommerce import pricing, webhooks
from sandbox.bigcommerce.api import api_blueprint, emulator, json_object, no_content, store
from sandbox.bigcommerce.order_lines import (
    as_int,
    bad_request,
    check_address,
    money_field,
    order_product,
    plan_products,
)
from sandbox.bigcommerce.order_records import (
    STATUSES,
    announce_created,
    announce_update,
    change_status,
    differs,
    order_json,
    order_totals,
    place_order,
    product_line_json,
)
from sandbox.bigcommerce.responses import json_response, not_found, v2_money
from sandbox.bigcommerce.state import Order, Store

blueprint = api_blueprint("orders", "v2", "store_v2_orders")


@blueprint.post("/orders")
def create_order() -> Response:
    bc, body = emulator(), json_object()
    now = bc.context.clock.now()
    with bc.state.lock:
        current = store()
        billing = check_address(body.get("billing_address"), "billing_address")
        if not isinstance(body.get("products"), list) or not body["products"]:
            raise bad_request("The field 'products' is required and must be a non-empty list.")
        lines = [order_product(current, item) for item in body["products"]]
        shipping = [
            check_address(a, "shipping_addresses") for a in body.get("shipping_addresses") or []
        ]
        taxed = shipping[0] if shipping else billing
        rate = pricing.tax_rate_for(current, taxed["country_iso2"], pricing.state_code(taxed))
        status_id = body.get("status_id", 1)
        if status_id not in STATUSES:
            raise bad_request("The field 'status_id' is not a valid order status.")
        order = Order(
            id=bc.state.next_id(),
            store_hash=current.hash,
            status_id=status_id,
            billing_address=billing,
            shipping_addresses=shipping,
            products=lines,
            currency_code=current.currency,
            shipping_cost_ex_tax=money_field(body, "shipping_cost_ex_tax") or Decimal("0"),
            shipping_method=str(body.get("shipping_method", "")),
            tax_rate=rate.rate if rate else Decimal("0"),
            tax_shipping=bool(rate and rate.tax_shipping),
            discount_amount=money_field(body, "discount_amount") or Decimal("0"),
            coupon_codes=[],
            date_created=now,
            date_modified=now,
            customer_id=as_int(body.get("customer_id")) or 0,
            payment_method=str(body.get("payment_method", "")),
            external_source=body.get("external_source"),
            external_id=body.get("external_id"),
            staff_notes=str(body.get("staff_notes", "")),
            customer_message=str(body.get("customer_message", "")),
            channel_id=as_int(body.get("channel_id")) or 1,
        )
        moved = place_order(current, order)
        answer = order_json(order)
    announce_created(order, moved)
    return json_response(answer, 201)


def find_order(current: Store, order_id: int) -> Order:
    order = current.orders.get(order_id)
    if order is None:
        raise not_found("order")
    return order


@blueprint.get("/orders/<int:order_id>")
def show_order(order_id: int) -> Response:
    with emulator().state.lock:
        return json_response(order_json(find_order(store(), order_id)))


def _date_arg(name: str) -> float | None:
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        return parsedate_to_datetime(raw).timestamp()
    except (TypeError, ValueError):
        pass
    try:
        return datetime.fromisoformat(raw).timestamp()
    except ValueError:
        raise bad_request(f"The filter '{name}' must be an RFC 2822 or ISO 8601 date.") from None


def _matches(order: Order) -> bool:
    args = request.args
    t = order_totals(order)
    checks = [
        ("min_id", lambda v: order.id >= int(v)),
        ("max_id", lambda v: order.id <= int(v)),
        ("min_total", lambda v: t.total_inc_tax >= Decimal(v)),
        ("max_total", lambda v: t.total_inc_tax <= Decimal(v)),
        ("customer_id", lambda v: order.customer_id == int(v)),
        ("email", lambda v: order.billing_address.get("email", "").lower() == v.lower()),
        ("status_id", lambda v: order.status_id == int(v)),
        ("cart_id", lambda v: order.cart_id == v),
        ("payment_method", lambda v: order.payment_method == v),
        ("channel_id", lambda v: order.channel_id == int(v)),
        ("is_deleted", lambda v: order.is_deleted == (v in ("1", "true"))),
    ]
    try:
        for name, check in checks:
            if name in args and not check(args[name]):
                return False
    except (ValueError, InvalidOperation):
        raise bad_request("A filter value is not of the right type.") from None
    if "is_deleted" not in args and order.is_deleted:
        return False
    return _in_dates(order)


def _in_dates(order: Order) -> bool:
    bounds = [
        (_date_arg("min_date_created"), order.date_created, 1),
        (_date_arg("max_date_created"), order.date_created, -1),
        (_date_arg("min_date_modified"), order.date_modified, 1),
        (_date_arg("max_date_modified"), order.date_modified, -1),
    ]
    return all(bound is None or (value - bound) * sign >= 0 for bound, value, sign in bounds)


@blueprint.get("/orders")
def list_orders() -> Response:
    try:
        page = max(int(request.args.get("page", 1)), 1)
        limit = min(max(int(request.args.get("limit", 50)), 1), 250)
    except ValueError:
        raise bad_request("page and limit must be integers") from None
    field, _, direction = request.args.get("sort", "id:asc").partition(":")
    if field not in ("id", "date_created", "date_modified", "status_id"):
        raise bad_request("sort must be id, date_created, date_modified or status_id.")
    with emulator().state.lock:
        found = [o for o in store().orders.values() if _matches(o)]
        found.sort(key=lambda o: getattr(o, field), reverse=direction == "desc")
        chunk = found[(page - 1) * limit : page * limit]
        if not chunk:
            return no_content()
        return json_response([order_json(o) for o in chunk])


@blueprint.get("/orders/count")
def count_orders() -> Response:
    with emulator().state.lock:
        orders = [o for o in store().orders.values() if not o.is_deleted]
        statuses = [
            {"id": sid, "name": name, "count": sum(1 for o in orders if o.status_id == sid)}
            for sid, name in STATUSES.items()
        ]
        return json_response({"statuses": statuses, "count": len(orders)})


@blueprint.put("/orders/<int:order_id>")
def update_order(order_id: int) -> Response:
    """Everything is checked before anything changes: a refused update leaves no trace."""
    bc, body = emulator(), json_object()
    with bc.state.lock:
        current = store()
        order = find_order(current, order_id)
        snapshot = order_json(order)
        if "external_id" in body:
            raise bad_request(
                "The field 'external_id' cannot be written to. Please remove it from your "
                "request before trying again."
            )
        if "status_id" in body and body["status_id"] not in STATUSES:
            raise bad_request("The field 'status_id' is not a valid order status.")
        billing = None
        if "billing_address" in body:
            merged = {**order.billing_address, **(body["billing_address"] or {})}
            billing = check_address(merged, "billing_address")
        costs = {
            name: money_field(body, name) for name in ("shipping_cost_ex_tax", "discount_amount")
        }
        apply_products = plan_products(current, order, body.get("products", []))
        moved = apply_products()
        for name in ("payment_method", "payment_provider_id", "staff_notes", "customer_message"):
            if name in body:
                setattr(order, name, str(body[name]) if body[name] is not None else "")
        if "external_source" in body:
            order.external_source = body["external_source"]
        if billing is not None:
            order.billing_address = billing
        for name, value in costs.items():
            if value is not None:
                setattr(order, name, value)
        previous = order.status_id
        if "status_id" in body:
            moved += change_status(current, order, body["status_id"])
        order.date_modified = bc.context.clock.now()
        answer = order_json(order)
    announce_update(order, previous, moved, changed=differs(answer, snapshot))
    return json_response(answer)


@blueprint.delete("/orders/<int:order_id>")
def archive_order(order_id: int) -> Response:
    bc = emulator()
    with bc.state.lock:
        order = find_order(store(), order_id)
        order.is_deleted = True
        order.date_modified = bc.context.clock.now()
    webhooks.fire(bc, order.store_hash, "store/order/archived", {"type": "order", "id": order.id})
    return no_content()


@blueprint.get("/orders/<int:order_id>/products")
def list_order_products(order_id: int) -> Response:
    with emulator().state.lock:
        order = find_order(store(), order_id)
        return json_response([product_line_json(order, line) for line in order.products])


@blueprint.get("/orders/<int:order_id>/products/<int:line_id>")
def show_order_product(order_id: int, line_id: int) -> Response:
    with emulator().state.lock:
        order = find_order(store(), order_id)
        line = next((p for p in order.products if p.id == line_id), None)
        if line is None:
            raise not_found("order product")
        return json_response(product_line_json(order, line))


@blueprint.get("/orders/<int:order_id>/shipping_addresses")
def list_shipping_addresses(order_id: int) -> Response:
    with emulator().state.lock:
        order = find_order(store(), order_id)
        t = order_totals(order)
        addresses = [
            {
                **address,
                "id": order.id + index,
                "order_id": order.id,
                "items_total": sum(p.quantity for p in order.products),
                "shipping_method": order.shipping_method,
                "base_cost": v2_money(t.shipping_ex_tax),
                "cost_ex_tax": v2_money(t.shipping_ex_tax),
                "cost_inc_tax": v2_money(t.shipping_inc_tax),
                "cost_tax": v2_money(t.shipping_tax),
            }
            for index, address in enumerate(order.shipping_addresses)
        ]
        return json_response(addresses) if addresses else no_content()


@blueprint.get("/orders/<int:order_id>/consignments")
def list_consignments(order_id: int) -> Response:
    """Where the order's items go: shipped to addresses, or picked up at a store location
    (https://developer.bigcommerce.com/docs/rest-management/orders/order-consignments)."""
    with emulator().state.lock:
        order = find_order(store(), order_id)
        shipping = [
            {"id": order.id + index, **address}
            for index, address in enumerate(order.shipping_addresses)
        ]
        return json_response({"pickups": order.pickups, "shipping": shipping})


@blueprint.get("/orders/<int:order_id>/coupons")
def list_order_coupons(order_id: int) -> Response:
    with emulator().state.lock:
        current = store()
        order = find_order(current, order_id)
        coupons = []
        for code in order.coupon_codes:
            coupon = pricing.find_coupon(current, code)
            if coupon is not None:
                coupons.append(
                    {
                        "id": coupon.id,
                        "coupon_id": coupon.id,
                        "order_id": order.id,
                        "code": coupon.code,
                        "amount": v2_money(coupon.amount),
                        "type": {"percentage_discount": 1}.get(coupon.type, 0),
                        "discount": v2_money(order.discount_amount),
                    }
                )
        return json_response(coupons) if coupons else no_content()
