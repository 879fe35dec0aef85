"""BigCommerce's products for the picker: GET /v3/catalog/products with variants and
images (https://developer.bigcommerce.com/docs/rest-catalog/products) and the store's
currency from GET /v2/store
(https://developer.bigcommerce.com/docs/rest-management/store-information)."""

from __future__ import annotations

from typing import Any

from platforms.bigcommerce.api import request
from platforms.bigcommerce.pricing import money
from platforms.bigcommerce.setup import store_connection
from platforms.catalog import MAX_PRODUCTS, Catalog, CatalogProduct, CatalogVariant


def read_catalog(shop_id: int) -> Catalog:
    conn = store_connection(shop_id)
    query = {"include": "variants,images", "limit": MAX_PRODUCTS, "is_visible": "true"}
    products = request(lambda: conn.get("catalog/products", **query))["data"]
    store = request(lambda: store_connection(shop_id, "v2").get("store")) or {}
    return Catalog(
        currency=str(store.get("currency") or "USD"),
        products=tuple(_product(p) for p in products),
    )


def _product(data: dict[str, Any]) -> CatalogProduct:
    images = sorted(
        data.get("images") or [], key=lambda image: (not image["is_thumbnail"], image["sort_order"])
    )
    variants = data.get("variants") or []
    return CatalogProduct(
        id=str(data["id"]),
        title=str(data["name"]),
        image_url=images[0]["url_standard"] if images else None,
        variants=tuple(
            CatalogVariant(
                id=str(v["id"]),
                title=" / ".join(str(o["label"]) for o in v.get("option_values") or [])
                if len(variants) > 1
                else "",
                price=money(v.get("calculated_price") or data["price"]),
                available=not v.get("purchasing_disabled"),
            )
            for v in variants
        ),
    )
