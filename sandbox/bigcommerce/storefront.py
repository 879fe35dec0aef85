"""The shop itself: product pages, a cart, and the store's native checkout.

Pages live under /bigcommerce/stores/<hash>/storefront/ and work without
JavaScript. The cart is the shopper's session cart (cookie SHOP_CART_ID, scoped to
the store's path). Installed scripts are injected as a Stencil theme does with
{{head.scripts}} and {{footer.scripts}}: `storefront` pages get visibility
storefront/all_pages, the checkout gets checkout/all_pages, the confirmation
order_confirmation/all_pages (bigcommerce/docs docs/integrations/scripts.mdx).
The Storefront Cart API is in storefront_api.py.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from html import escape
from typing import Any

from flask import Blueprint, Response, abort, g, redirect, render_template, request

from sandbox.bigcommerce import scripts, webhooks
from sandbox.bigcommerce.api import emulator
from sandbox.bigcommerce.carts import add_items, cart_json, check_stock, new_cart
from sandbox.bigcommerce.checkouts import (
    build_order,
    checkout_json,
    consignment_options,
    new_consignment,
    parse_address,
)
from sandbox.bigcommerce.order_records import announce_created, announce_update, place_order
from sandbox.bigcommerce.responses import ApiError
from sandbox.bigcommerce.state import Cart, Store

blueprint = Blueprint(
    "bigcommerce_storefront",
    __name__,
    url_prefix="/bigcommerce/stores/<store_hash>",
    template_folder="templates",
)
CART_COOKIE = "SHOP_CART_ID"
PAID_STATUS = 11  # Awaiting Fulfillment: the native checkout took the payment


@blueprint.url_value_preprocessor
def load_shop(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Every shop route starts with the store's hash; unknown stores are 404."""
    found = emulator().state.stores.get((values or {}).pop("store_hash", ""))
    if found is None:
        abort(404)
    g.shop = found


@blueprint.errorhandler(ApiError)
def _api_error(error: ApiError) -> Response:
    return Response(f"<p>{escape(error.title)}</p>", error.status, mimetype="text/html")


def shop() -> Store:
    return g.shop


def base_url() -> str:
    return f"/bigcommerce/stores/{shop().hash}/storefront"


def money(amount: Decimal | int) -> str:
    symbol = {"USD": "$", "EUR": "€"}.get(shop().currency, "")
    return f"{symbol}{Decimal(amount).quantize(Decimal('0.01'))}"


def page(template: str, kind: str = "storefront", **values: Any) -> str:
    """Render a shop page with the installed scripts for this kind of page."""
    return render_template(
        f"bigcommerce/{template}",
        store=shop(),
        base=base_url(),
        money=money,
        head_scripts=scripts.render_tags(shop(), kind, "head"),
        footer_scripts=scripts.render_tags(shop(), kind, "footer"),
        **values,
    )


def session_cart() -> Cart | None:
    cart = shop().carts.get(request.cookies.get(CART_COOKIE, ""))
    return cart if cart is not None and cart.order_id is None else None


def with_cookie(response: Response, cart: Cart | None) -> Response:
    path = f"/bigcommerce/stores/{shop().hash}/"
    if cart is None:
        response.delete_cookie(CART_COOKIE, path=path)
    else:
        response.set_cookie(CART_COOKIE, cart.id, path=path, httponly=True, samesite="Lax")
    return response


@blueprint.get("/images/<file_name>")
def image(file_name: str) -> Response:
    """A product picture: an SVG tile in the product's own colour, with its name."""
    product = next(
        (p for p in shop().products.values() if any(i.file_name == file_name for i in p.images)),
        None,
    )
    if product is None:
        abort(404)
    hue = int(hashlib.sha256(product.name.encode()).hexdigest()[:2], 16) * 360 // 256
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" viewBox="0 0 400 400">'
        f'<rect width="400" height="400" fill="hsl({hue},55%,55%)"/>'
        '<text x="200" y="210" font-family="sans-serif" font-size="28" fill="#fff" '
        f'text-anchor="middle">{product.name}</text></svg>'
    )
    return Response(svg, mimetype="image/svg+xml")


@blueprint.get("/storefront/")
def home() -> str:
    with emulator().state.lock:
        products = [p for p in shop().products.values() if p.is_visible]
        return page("home.html", products=products)


@blueprint.get("/storefront/products/<slug>/")
def product_page(slug: str) -> str:
    with emulator().state.lock:
        product = next((p for p in shop().products.values() if p.slug == slug), None)
        if product is None:
            abort(404)
        return page("product.html", product=product)


@blueprint.get("/storefront/cart.php")
def cart_page() -> Response | str:
    bc = emulator()
    with bc.state.lock:
        if request.args.get("action") in ("load", "loadInCheckout"):
            return _load_redirect_url()
        cart = session_cart()
        body = cart_json(shop(), cart, bc.context.clock.now()) if cart else None
        return page("cart.html", cart=body)


def _load_redirect_url() -> Response:
    """A cart_url/checkout_url from the carts API: single-use, then the session has the cart."""
    cart = shop().carts.get(request.args.get("id", ""))
    token = request.args.get("token", "")
    if cart is None or token not in cart.redirect_tokens:
        abort(404, "This link has expired or was already used.")
    cart.redirect_tokens.discard(token)
    target = "checkout" if request.args["action"] == "loadInCheckout" else "cart.php"
    return with_cookie(redirect(f"{base_url()}/{target}", 302), cart)


@blueprint.post("/storefront/cart.php")
def add_to_cart() -> Response:
    """The product page's Add to cart form."""
    bc = emulator()
    item = {
        "product_id": request.form.get("product_id", type=int),
        "variant_id": request.form.get("variant_id", type=int),
        "quantity": request.form.get("qty", default=1, type=int),
    }
    with bc.state.lock:
        cart = session_cart()
        if cart is None:
            cart = new_cart(shop(), {"line_items": [item]}, bc.context.clock.now())
            scope = "store/cart/created"
        else:
            add_items(shop(), cart, [item])
            cart.updated = bc.context.clock.now()
            scope = "store/cart/updated"
    webhooks.fire(bc, shop().hash, scope, {"type": "cart", "id": cart.id})
    return with_cookie(redirect(f"{base_url()}/cart.php", 303), cart)


@blueprint.get("/storefront/checkout")
def checkout_page() -> Response | str:
    with emulator().state.lock:
        cart = session_cart()
        if cart is None:
            return redirect(f"{base_url()}/cart.php", 302)
        return page("checkout.html", "checkout", checkout=None, address={})


@blueprint.post("/storefront/checkout")
def checkout_address() -> Response | str:
    """Step 1 posted: keep the address on the checkout, show shipping options and totals."""
    fields = {k: v.strip() for k, v in request.form.items() if k != "shipping_option_id"}
    with emulator().state.lock:
        cart = session_cart()
        if cart is None:
            return redirect(f"{base_url()}/cart.php", 302)
        try:
            cart.billing_address = parse_address(fields, needs_email=True)
            consignment = new_consignment(
                shop(),
                cart,
                {"address": fields, "line_items": [{"item_id": ln.id} for ln in cart.line_items]},
            )
        except ApiError as error:
            return page("checkout.html", "checkout", checkout=None, address=fields, error=error)
        cart.email = fields.get("email", "")
        cart.consignments = [consignment]
        options = consignment_options(shop(), cart, consignment)
        chosen = request.form.get("shipping_option_id")
        consignment.selected_option_id = chosen if chosen else (options[0].id if options else None)
        checkout = checkout_json(shop(), cart, with_options=True)
        return page("checkout.html", "checkout", checkout=checkout, address=fields)


@blueprint.post("/storefront/checkout/place")
def place() -> Response:
    """Place the order as the native checkout does once the payment went through."""
    bc = emulator()
    with bc.state.lock:
        cart = session_cart()
        if cart is None or not cart.consignments:
            return redirect(f"{base_url()}/cart.php", 302)
        consignment = cart.consignments[0]
        offered = {o.id for o in consignment_options(shop(), cart, consignment)}
        if request.form.get("shipping_option_id") not in offered:
            abort(400, "Choose a shipping option.")
        consignment.selected_option_id = request.form["shipping_option_id"]
        for line in cart.line_items:
            product = shop().products[line.product_id]
            check_stock(cart, product, product.variant(line.variant_id))  # type: ignore[arg-type]
        order = build_order(shop(), cart, bc.state.next_id())
        order.order_source = "www"
        order.payment_method = "Test Payment Gateway"
        order.status_id = PAID_STATUS
        moved = place_order(shop(), order)
        cart.order_id = order.id
    announce_created(order, moved)
    announce_update(order, 0, [], changed=False)
    return with_cookie(redirect(f"{base_url()}/checkout/order-confirmation/{order.id}", 303), None)


@blueprint.get("/storefront/checkout/order-confirmation/<int:order_id>")
def confirmation(order_id: int) -> str:
    with emulator().state.lock:
        order = shop().orders.get(order_id)
        if order is None:
            abort(404)
        return page("confirmation.html", "order_confirmation", order=order)
