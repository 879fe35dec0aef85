"""GET /v3/pickup/methods: the store's local pickup methods, each at one of its locations.

https://developer.bigcommerce.com/docs/rest-management/pickup-methods: {data: [{id,
location_id, display_name, collection_instructions, collection_time_description}]},
filterable with ?id:in=1,3,5. A checkout consignment takes one as
`pickup_option: {pickup_method_id}` instead of an address (checkouts.py), and the order
made from that checkout lists it under GET /v2/orders/{id}/consignments "pickups"
(https://developer.bigcommerce.com/docs/rest-management/orders/order-consignments).
"""

from __future__ import annotations

from typing import Any

from flask import Response, request

from sandbox.bigcommerce.api import api_blueprint, emulator, store
from sandbox.bigcommerce.responses import v3_data
from sandbox.bigcommerce.state import PickupMethod, Store

# Pickup sits beside checkouts in the store; a checkout app reads it with its checkout scope.
blueprint = api_blueprint("pickup", "v3", "store_checkout")


def method_json(method: PickupMethod) -> dict[str, Any]:
    return {
        "id": method.id,
        "location_id": method.location_id,
        "display_name": method.display_name,
        "collection_instructions": method.collection_instructions,
        "collection_time_description": method.collection_time_description,
    }


def order_pickup(current: Store, method: PickupMethod, consignment_id: int) -> dict[str, Any]:
    """An order's pickup consignment: the method and its location as they were when ordered."""
    location = current.locations[method.location_id]
    return {
        "id": consignment_id,
        "pickup_method_id": method.id,
        "pickup_method_display_name": method.display_name,
        "collection_instructions": method.collection_instructions,
        "collection_time_description": method.collection_time_description,
        "location": {"id": location.id, "name": location.label, **location.address},
    }


@blueprint.get("/pickup/methods")
def list_pickup_methods() -> Response:
    wanted = {part.strip() for part in request.args.get("id:in", "").split(",") if part.strip()}
    with emulator().state.lock:
        methods = [
            method_json(m)
            for m in store().pickup_methods.values()
            if not wanted or str(m.id) in wanted
        ]
    return v3_data(methods)
