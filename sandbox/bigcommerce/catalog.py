"""v3 Catalog: products and variants, read and updated, with pagination meta.

bigcommerce/docs reference/catalog/products_catalog.v3.yml and
product-variants_catalog.v3.yml: GET /v3/catalog/products (page, limit <= 250,
id:in, sku, name, include=variants,images), GET one, PUT one; variants under
/products/{id}/variants. Inventory lives on the product or on its variants
(inventory_tracking "product" | "variant" | "none"). Updates fire
store/product/updated and, when stock changes, store/product/inventory/updated.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from flask import Response, request

from sandbox.bigcommerce import webhooks
from sandbox.bigcommerce.api import api_blueprint, emulator, json_object, store
from sandbox.bigcommerce.responses import ApiError, not_found, unprocessable, v3_data
from sandbox.bigcommerce.state import Image, Product, Store, Variant

blueprint = api_blueprint("catalog", "v3", "store_v2_products")

MAX_LIMIT = 250


def iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def image_url(store_hash: str, file_name: str) -> str:
    return f"{emulator().context.public_url}/bigcommerce/stores/{store_hash}/images/{file_name}"


def image_json(store_hash: str, image: Image) -> dict[str, Any]:
    url = image_url(store_hash, image.file_name)
    return {
        "id": image.id,
        "product_id": image.product_id,
        "is_thumbnail": image.is_thumbnail,
        "sort_order": image.sort_order,
        "description": image.description,
        "image_file": image.file_name,
        "url_zoom": url,
        "url_standard": url,
        "url_thumbnail": url,
        "url_tiny": url,
        "date_modified": iso(0),
    }


def variant_json(product: Product, variant: Variant) -> dict[str, Any]:
    price = variant.price if variant.price is not None else product.price
    return {
        "id": variant.id,
        "product_id": product.id,
        "sku": variant.sku,
        "sku_id": variant.id,
        "price": variant.price,
        "calculated_price": price,
        "sale_price": None,
        "retail_price": None,
        "map_price": None,
        "weight": variant.weight,
        "calculated_weight": variant.weight if variant.weight is not None else product.weight,
        "width": None,
        "height": None,
        "depth": None,
        "is_free_shipping": False,
        "fixed_cost_shipping_price": None,
        "purchasing_disabled": False,
        "purchasing_disabled_message": "",
        "image_url": "",
        "cost_price": None,
        "upc": "",
        "mpn": "",
        "gtin": "",
        "inventory_level": variant.inventory_level,
        "inventory_warning_level": 0,
        "bin_picking_number": "",
        "option_values": [
            {
                "id": value.id,
                "label": value.label,
                "option_id": value.option_id,
                "option_display_name": value.option_display_name,
            }
            for value in variant.option_values
        ],
    }


def product_json(store_hash: str, product: Product, include: set[str]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": product.id,
        "name": product.name,
        "type": "physical",
        "sku": product.sku,
        "description": product.description,
        "weight": product.weight,
        "width": 0,
        "depth": 0,
        "height": 0,
        "price": product.price,
        "cost_price": 0,
        "retail_price": product.retail_price,
        "sale_price": product.sale_price,
        "map_price": 0,
        "tax_class_id": 0,
        "categories": [],
        "brand_id": 0,
        "inventory_level": product_stock(product),
        "inventory_warning_level": 0,
        "inventory_tracking": product.inventory_tracking,
        "is_visible": product.is_visible,
        "availability": "available",
        "calculated_price": product.sale_price if product.sale_price > 0 else product.price,
        "base_variant_id": product.variants[0].id if len(product.variants) == 1 else None,
        "custom_url": {"url": f"/{product.slug}/", "is_customized": False},
        "date_created": iso(product.date_created),
        "date_modified": iso(product.date_modified),
    }
    if "variants" in include:
        body["variants"] = [variant_json(product, v) for v in product.variants]
    if "images" in include:
        body["images"] = [image_json(store_hash, image) for image in product.images]
    return body


def paginate(items: list[Any]) -> tuple[list[Any], dict[str, Any]]:
    """Slice by ?page and ?limit and build v3's meta.pagination."""
    try:
        page = max(int(request.args.get("page", 1)), 1)
        limit = min(max(int(request.args.get("limit", 50)), 1), MAX_LIMIT)
    except ValueError:
        raise ApiError(400, "page and limit must be integers") from None
    total_pages = max((len(items) + limit - 1) // limit, 1)
    chunk = items[(page - 1) * limit : page * limit]
    links: dict[str, str] = {"current": f"?page={page}&limit={limit}"}
    if page > 1:
        links["previous"] = f"?page={page - 1}&limit={limit}"
    if page < total_pages:
        links["next"] = f"?page={page + 1}&limit={limit}"
    return chunk, {
        "pagination": {
            "total": len(items),
            "count": len(chunk),
            "per_page": limit,
            "current_page": page,
            "total_pages": total_pages,
            "links": links,
        }
    }


def product_stock(product: Product) -> int:
    """A variant-tracked product reports the sum of its variants' stock, as BigCommerce does."""
    if product.inventory_tracking == "variant":
        return sum(v.inventory_level for v in product.variants)
    return product.inventory_level


def stock_of(product: Product, variant: Variant) -> int | None:
    """Units that can be sold, or None when the product does not track inventory."""
    if product.inventory_tracking == "product":
        return product.inventory_level
    if product.inventory_tracking == "variant":
        return variant.inventory_level
    return None


def take_stock(product: Product, variant: Variant, quantity: int) -> int | None:
    """Decrement (or, negative, give back) tracked stock; returns the new level."""
    if product.inventory_tracking == "product":
        product.inventory_level -= quantity
        return product.inventory_level
    if product.inventory_tracking == "variant":
        variant.inventory_level -= quantity
        return variant.inventory_level
    return None


def includes() -> set[str]:
    return {part.strip() for part in request.args.get("include", "").split(",") if part.strip()}


def get_product(current: Store, product_id: int) -> Product:
    product = current.products.get(product_id)
    if product is None:
        raise not_found("product")
    return product


def _filtered(current: Store) -> list[Product]:
    products = sorted(current.products.values(), key=lambda p: p.id)
    if ids := request.args.get("id:in"):
        wanted = {int(part) for part in ids.split(",") if part.strip().isdigit()}
        products = [p for p in products if p.id in wanted]
    if sku := request.args.get("sku"):
        products = [p for p in products if p.sku == sku or any(v.sku == sku for v in p.variants)]
    if name := request.args.get("name"):
        products = [p for p in products if p.name == name]
    if (visible := request.args.get("is_visible")) is not None:
        products = [p for p in products if p.is_visible == (visible in ("1", "true"))]
    return products


@blueprint.get("/catalog/products")
def list_products() -> Response:
    with emulator().state.lock:
        current = store()
        chunk, meta = paginate(_filtered(current))
        wanted = includes()
        return v3_data([product_json(current.hash, p, wanted) for p in chunk], meta=meta)


@blueprint.get("/catalog/products/<int:product_id>")
def show_product(product_id: int) -> Response:
    with emulator().state.lock:
        current = store()
        return v3_data(product_json(current.hash, get_product(current, product_id), includes()))


def _decimal(body: dict[str, Any], name: str) -> Decimal | None:
    if name not in body or body[name] is None:
        return None
    try:
        value = Decimal(str(body[name]))
    except InvalidOperation:
        raise unprocessable({name: f"{name} must be a number"}) from None
    if value < 0:
        raise unprocessable({name: f"{name} must not be negative"})
    return value


def _stock(body: dict[str, Any]) -> int | None:
    if "inventory_level" not in body:
        return None
    level = body["inventory_level"]
    if not isinstance(level, int) or isinstance(level, bool) or level < 0:
        raise unprocessable({"inventory_level": "inventory_level must be a whole number >= 0"})
    return level


@blueprint.put("/catalog/products/<int:product_id>")
def update_product(product_id: int) -> Response:
    bc, body = emulator(), json_object()
    with bc.state.lock:
        current = store()
        product = get_product(current, product_id)
        for name in ("price", "sale_price", "retail_price", "weight"):
            if (value := _decimal(body, name)) is not None:
                setattr(product, name, value)
        if isinstance(body.get("name"), str) and body["name"].strip():
            product.name = body["name"].strip()
        if isinstance(body.get("is_visible"), bool):
            product.is_visible = body["is_visible"]
        tracking = body.get("inventory_tracking")
        if tracking is not None:
            if tracking not in ("none", "product", "variant"):
                raise unprocessable({"inventory_tracking": "must be none, product or variant"})
            product.inventory_tracking = tracking
        level = _stock(body)
        if level is not None:
            product.inventory_level = level
        product.date_modified = bc.context.clock.now()
        answer = product_json(current.hash, product, includes())
    announce_product_change(current.hash, product, level is not None)
    return v3_data(answer)


def announce_product_change(store_hash: str, product: Product, stock_changed: bool) -> None:
    bc = emulator()
    webhooks.fire(bc, store_hash, "store/product/updated", {"type": "product", "id": product.id})
    if stock_changed:
        announce_stock(store_hash, product, "absolute", product_stock(product))


def announce_stock(store_hash: str, product: Product, method: str, value: int) -> None:
    """store/product/inventory/updated (webhooks/callbacks/data/store_product_inventory_updated)."""
    data = {
        "type": "product",
        "id": product.id,
        "inventory": {"product_id": product.id, "method": method, "value": value},
    }
    webhooks.fire(emulator(), store_hash, "store/product/inventory/updated", data)


@blueprint.get("/catalog/products/<int:product_id>/variants")
def list_variants(product_id: int) -> Response:
    with emulator().state.lock:
        product = get_product(store(), product_id)
        chunk, meta = paginate(product.variants)
        return v3_data([variant_json(product, v) for v in chunk], meta=meta)


def _id_filter(name: str) -> set[int] | None:
    """?<name>:in=1,2,3 as a set of ids (None when the filter is absent)."""
    if (ids := request.args.get(f"{name}:in")) is None:
        return None
    return {int(part) for part in ids.split(",") if part.strip().isdigit()}


@blueprint.get("/catalog/variants")
def list_all_variants() -> Response:
    """Variants across products ("Get all variants", reference/catalog/
    product-variants_catalog.v3.yml), filtered by id:in and product_id:in."""
    ids, product_ids = _id_filter("id"), _id_filter("product_id")
    with emulator().state.lock:
        rows = [
            (product, variant)
            for product in sorted(store().products.values(), key=lambda p: p.id)
            if product_ids is None or product.id in product_ids
            for variant in product.variants
            if ids is None or variant.id in ids
        ]
        chunk, meta = paginate(rows)
        return v3_data([variant_json(p, v) for p, v in chunk], meta=meta)


def _variant(product: Product, variant_id: int) -> Variant:
    variant = product.variant(variant_id)
    if variant is None:
        raise not_found("variant")
    return variant


@blueprint.get("/catalog/products/<int:product_id>/variants/<int:variant_id>")
def show_variant(product_id: int, variant_id: int) -> Response:
    with emulator().state.lock:
        product = get_product(store(), product_id)
        return v3_data(variant_json(product, _variant(product, variant_id)))


@blueprint.put("/catalog/products/<int:product_id>/variants/<int:variant_id>")
def update_variant(product_id: int, variant_id: int) -> Response:
    bc, body = emulator(), json_object()
    with bc.state.lock:
        current = store()
        product = get_product(current, product_id)
        variant = _variant(product, variant_id)
        if "price" in body:
            variant.price = _decimal(body, "price")
        if (weight := _decimal(body, "weight")) is not None:
            variant.weight = weight
        level = _stock(body)
        if level is not None:
            variant.inventory_level = level
        product.date_modified = bc.context.clock.now()
        answer = variant_json(product, variant)
    webhooks.fire(bc, current.hash, "store/product/updated", {"type": "product", "id": product.id})
    if level is not None:
        announce_stock(current.hash, product, "absolute", level)
    return v3_data(answer)
