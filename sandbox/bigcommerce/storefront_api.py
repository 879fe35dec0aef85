"""The Storefront Cart API a theme's JavaScript calls, on the shopper's session cart.

bigcommerce/docs reference/carts.sf.yml: GET /api/storefront/carts (a list: the
session's cart or none), POST /api/storefront/carts {lineItems[{productId,
variantId | optionSelections, quantity}]}, POST .../carts/{id}/items,
PUT/DELETE .../carts/{id}/items/{itemId}, DELETE .../carts/{id}; camelCase JSON;
errors in the v3 shape. Served under <storefront>/api/storefront/.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from sandbox.bigcommerce import webhooks
from sandbox.bigcommerce.api import emulator
from sandbox.bigcommerce.carts import add_items, cart_json, check_stock, new_cart
from sandbox.bigcommerce.responses import ApiError, json_response, v3_error
from sandbox.bigcommerce.state import Cart
from sandbox.bigcommerce.storefront import load_shop, session_cart, shop, with_cookie

blueprint = Blueprint(
    "bigcommerce_storefront_api",
    __name__,
    url_prefix="/bigcommerce/stores/<store_hash>/storefront/api/storefront",
)
blueprint.url_value_preprocessor(load_shop)
blueprint.register_error_handler(ApiError, v3_error)


def _sf_cart(cart: Cart) -> dict[str, Any]:
    """A cart in the Storefront API's camelCase shape."""
    data = cart_json(shop(), cart, emulator().context.clock.now())
    items = data["line_items"]["physical_items"]
    return {
        "id": data["id"],
        "customerId": data["customer_id"],
        "email": data["email"],
        "currency": {"code": shop().currency, "decimalPlaces": 2},
        "isTaxIncluded": False,
        "baseAmount": data["base_amount"],
        "discountAmount": data["discount_amount"],
        "cartAmount": data["cart_amount"],
        "coupons": data["coupons"],
        "discounts": [],
        "lineItems": {
            "physicalItems": [
                {
                    "id": i["id"],
                    "parentId": None,
                    "variantId": i["variant_id"],
                    "productId": i["product_id"],
                    "sku": i["sku"],
                    "name": i["name"],
                    "url": i["url"],
                    "quantity": i["quantity"],
                    "isTaxable": True,
                    "imageUrl": i["image_url"],
                    "discounts": [],
                    "discountAmount": 0,
                    "couponAmount": 0,
                    "listPrice": i["list_price"],
                    "salePrice": i["sale_price"],
                    "extendedListPrice": i["extended_list_price"],
                    "extendedSalePrice": i["extended_sale_price"],
                    "isShippingRequired": True,
                    "type": "physical",
                    "isMutable": True,
                    "options": i["options"],
                }
                for i in items
            ],
            "digitalItems": [],
            "giftCertificates": [],
            "customItems": [],
        },
        "createdTime": data["created_time"],
        "updatedTime": data["updated_time"],
        "locale": "en",
    }


def _sf_items(body: Any, key: str = "lineItems") -> list[dict[str, Any]]:
    if not isinstance(body, dict) or not isinstance(body.get(key), list):
        raise ApiError(400, f"The request body needs {key}.")
    return [
        {
            "product_id": item.get("productId"),
            "variant_id": item.get("variantId"),
            "quantity": item.get("quantity"),
            "option_selections": [
                {"option_id": s.get("optionId"), "option_value": s.get("optionValue")}
                for s in item.get("optionSelections") or []
            ],
        }
        for item in body[key]
        if isinstance(item, dict)
    ]


def _sf_cart_or_404(cart_id: str) -> Cart:
    cart = session_cart()
    if cart is None or cart.id != cart_id:
        raise ApiError(404, "Cart not found.")
    return cart


@blueprint.get("/carts")
def sf_carts() -> Response:
    with emulator().state.lock:
        cart = session_cart()
        return json_response([_sf_cart(cart)] if cart else [])


@blueprint.get("/carts/<cart_id>")
def sf_cart(cart_id: str) -> Response:
    with emulator().state.lock:
        return json_response(_sf_cart(_sf_cart_or_404(cart_id)))


@blueprint.post("/carts")
def sf_create_cart() -> Response:
    bc = emulator()
    items = _sf_items(request.get_json(silent=True))
    with bc.state.lock:
        cart = new_cart(shop(), {"line_items": items}, bc.context.clock.now())
        answer = with_cookie(json_response(_sf_cart(cart)), cart)
    webhooks.fire(bc, shop().hash, "store/cart/created", {"type": "cart", "id": cart.id})
    return answer


def _changed(cart: Cart) -> Response:
    bc = emulator()
    cart.updated = bc.context.clock.now()
    webhooks.fire(bc, shop().hash, "store/cart/updated", {"type": "cart", "id": cart.id})
    return json_response(_sf_cart(cart))


@blueprint.post("/carts/<cart_id>/items")
def sf_add_items(cart_id: str) -> Response:
    items = _sf_items(request.get_json(silent=True))
    with emulator().state.lock:
        cart = _sf_cart_or_404(cart_id)
        add_items(shop(), cart, items)
        return _changed(cart)


@blueprint.put("/carts/<cart_id>/items/<item_id>")
def sf_update_item(cart_id: str, item_id: str) -> Response:
    body = request.get_json(silent=True)
    with emulator().state.lock:
        cart = _sf_cart_or_404(cart_id)
        line = next((ln for ln in cart.line_items if ln.id == item_id), None)
        item = _sf_items({"lineItems": [(body or {}).get("lineItem") or {}]})[0]
        if line is None:
            raise ApiError(404, "Line item not found.")
        if not isinstance(item["quantity"], int) or item["quantity"] < 1:
            raise ApiError(422, "JSON data is missing or invalid", {"quantity": "at least 1"})
        previous, line.quantity = line.quantity, item["quantity"]
        product = shop().products[line.product_id]
        try:
            check_stock(cart, product, product.variant(line.variant_id))  # type: ignore[arg-type]
        except ApiError:
            line.quantity = previous
            raise
        return _changed(cart)


@blueprint.delete("/carts/<cart_id>/items/<item_id>")
def sf_delete_item(cart_id: str, item_id: str) -> Response:
    with emulator().state.lock:
        cart = _sf_cart_or_404(cart_id)
        cart.line_items = [ln for ln in cart.line_items if ln.id != item_id]
        if cart.line_items:
            return _changed(cart)
        del shop().carts[cart.id]
        return with_cookie(json_response([]), None)


@blueprint.delete("/carts/<cart_id>")
def sf_delete_cart(cart_id: str) -> Response:
    with emulator().state.lock:
        del shop().carts[_sf_cart_or_404(cart_id).id]
    return with_cookie(Response(status=204), None)
