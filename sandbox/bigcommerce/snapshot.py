"""What the emulated BigCommerce holds, as JSON for /_control/state (no tokens or secrets)."""

from __future__ import annotations

from typing import Any

from sandbox.bigcommerce.catalog import product_stock
from sandbox.bigcommerce.state import BigCommerceState, Store


def _store(store: Store) -> dict[str, Any]:
    return {
        "id": store.id,
        "name": store.name,
        "currency": store.currency,
        "plan": store.plan,
        "quota": store.quota,
        "users": sorted(store.users),
        "products": {
            str(p.id): {
                "name": p.name,
                "price": str(p.price),
                "inventory_level": product_stock(p),
                "variants": {str(v.id): v.inventory_level for v in p.variants},
            }
            for p in store.products.values()
        },
        "carts": sorted(store.carts),
        "orders": {
            str(o.id): {
                "status_id": o.status_id,
                "cart_id": o.cart_id,
                "external_id": o.external_id,
                "external_source": o.external_source,
                "products": [
                    [line.product_id, line.variant_id, line.quantity] for line in o.products
                ],
                "is_deleted": o.is_deleted,
                "pickups": [p["pickup_method_id"] for p in o.pickups],
                "shipping_addresses": len(o.shipping_addresses),
            }
            for o in store.orders.values()
        },
        "hooks": [
            {"id": h.id, "client_id": h.client_id, "scope": h.scope, "is_active": h.is_active}
            for h in store.hooks.values()
        ],
        "scripts": [
            {"uuid": s.uuid, "client_id": s.client_id, "name": s.fields.get("name")}
            for s in store.scripts.values()
        ],
    }


def snapshot(state: BigCommerceState) -> dict[str, Any]:
    with state.lock:
        return {
            "stores": {h: _store(s) for h, s in state.stores.items()},
            "apps": sorted(state.apps),
            "installations": [
                {
                    "store": i.store_hash,
                    "client_id": i.client_id,
                    "scope": i.scope,
                    "user_id": i.user_id,
                }
                for i in state.installations.values()
            ],
        }
