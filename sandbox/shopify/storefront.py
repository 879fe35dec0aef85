"""The Online Store at /shopify/<shop>/: product pages, the AJAX cart, Shopify's native checkout.

Every page injects the shop's script tags (src + ?shop=<domain>) in <head> and the
installed app-embed scripts at the end of <body>, so a storefront script can be
tested end to end. The native checkout takes an email, an address and a test card
and creates a paid order: Cartpath's "fall back to Shopify checkout" path.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, redirect, render_template, request, url_for

from sandbox.shopify import cards, orders
from sandbox.shopify import cart as carts
from sandbox.shopify.admin_api import fail
from sandbox.shopify.pricing import PricingError, quote
from sandbox.shopify.resources import money, order_json
from sandbox.shopify.state import Cart, Shop, Variant

if TYPE_CHECKING:
    from sandbox.shopify import ShopifyEmulator

COOKIE = "cart"
SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="600" height="600" viewBox="0 0 600 600">
<rect width="600" height="600" fill="{colour}"/>
<text x="300" y="310" font-family="sans-serif" font-size="40" fill="#fff"
 text-anchor="middle">{title}</text>
</svg>"""


def blueprint(emulator: ShopifyEmulator) -> Blueprint:
    bp = Blueprint(
        "shopify_storefront", __name__, url_prefix="/shopify/<shop>", template_folder="templates"
    )
    state = emulator.state

    def shop_or_404(domain: str) -> Shop:
        shop = state.shop(domain)
        if shop is None:
            fail(404, {"errors": "Not Found"})
        return shop

    def current_cart(shop: Shop) -> Cart:
        return shop.carts.get(request.cookies.get(COOKIE, "")) or carts.new_cart(shop)

    def with_cookie(response: Response, shop: Shop, cart: Cart) -> Response:
        response.set_cookie(
            COOKIE,
            cart.token,
            path=f"/shopify/{shop.domain}/",
            httponly=False,
            samesite="Lax",
            max_age=14 * 86400,
        )
        return response

    def page(template: str, shop: Shop, **values: Any) -> str:
        tags = [
            f"{t.src}{'&' if '?' in t.src else '?'}{urlencode({'shop': shop.domain})}"
            for t in shop.script_tags.values()
            if t.display_scope in ("online_store", "all")
        ]
        embeds = [src for srcs in shop.app_embeds.values() for src in srcs]
        return render_template(
            f"shopify/{template}",
            shop=shop,
            script_tags=tags,
            app_embeds=embeds,
            money=lambda amount: f"{money(amount)} {shop.currency}",
            cents=lambda value: f"{money(Decimal(value) / 100)} {shop.currency}",
            available=lambda v: v.inventory_policy == "continue" or v.inventory_quantity > 0,
            **values,
        )

    @bp.get("/")
    def home(shop: str):
        with state.lock:
            record = shop_or_404(shop)
            products = [p for p in record.products.values() if p.status == "active"]
            return page("store_home.html", record, products=products)

    @bp.get("/products/<handle>")
    def product_page(shop: str, handle: str):
        with state.lock:
            record = shop_or_404(shop)
            product = next((p for p in record.products.values() if p.handle == handle), None)
            if product is None:
                return page("store_home.html", record, products=[]), 404
            return page("store_product.html", record, product=product)

    @bp.get("/cdn/products/<int:product_id>.svg")
    def product_image(shop: str, product_id: int):
        with state.lock:
            product = shop_or_404(shop).products.get(product_id)
            if product is None:
                return jsonify(errors="Not Found"), 404
            svg = SVG.format(colour=product.colour, title=product.title.replace("&", "&amp;"))
        return Response(
            svg, mimetype="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"}
        )

    @bp.errorhandler(carts.CartError)
    def cart_error(error: carts.CartError):
        return jsonify(error.body), error.status

    def json_or_form() -> dict[str, Any]:
        data = request.get_json(silent=True)
        return data if isinstance(data, dict) else request.form.to_dict()

    @bp.get("/cart.js")
    def cart_js(shop: str):
        with state.lock:
            record = shop_or_404(shop)
            cart = current_cart(record)
            return with_cookie(jsonify(carts.cart_json(record, cart)), record, cart)

    @bp.post("/cart/add.js")
    def cart_add_js(shop: str):
        data = json_or_form()
        lines = data.get("items") or [{"id": data.get("id"), "quantity": data.get("quantity", 1)}]
        with state.lock:
            record = shop_or_404(shop)
            cart = current_cart(record)
            before = list(cart.items)
            try:
                added = [
                    carts.add(record, cart, _int(x.get("id")), _int(x.get("quantity", 1)))
                    for x in lines
                ]
            except carts.CartError:
                cart.items = before  # all or nothing
                raise
            body = {"items": added} if data.get("items") else added[0]
            return with_cookie(jsonify(body), record, cart)

    @bp.post("/cart/add")
    def cart_add_form(shop: str):
        with state.lock:
            record = shop_or_404(shop)
            cart = current_cart(record)
            try:
                carts.add(
                    record,
                    cart,
                    _int(request.form.get("id")),
                    _int(request.form.get("quantity", 1)),
                )
            except carts.CartError as error:
                html = page(
                    "store_cart.html",
                    record,
                    cart=carts.cart_json(record, cart),
                    error=error.body["description"],
                )
                return with_cookie(Response(html, status=error.status), record, cart)
            response = redirect(url_for("shopify_storefront.cart_page", shop=record.domain), 302)
            return with_cookie(response, record, cart)

    @bp.post("/cart/change.js")
    def cart_change_js(shop: str):
        data = json_or_form()
        with state.lock:
            record = shop_or_404(shop)
            cart = current_cart(record)
            line = data.get("line")
            carts.change(
                record,
                cart,
                key=data.get("id"),
                line=_int(line) if line else None,
                quantity=_int(data.get("quantity", 0)),
            )
            return with_cookie(jsonify(carts.cart_json(record, cart)), record, cart)

    @bp.post("/cart/clear.js")
    def cart_clear_js(shop: str):
        with state.lock:
            record = shop_or_404(shop)
            cart = current_cart(record)
            cart.items = []
            return with_cookie(jsonify(carts.cart_json(record, cart)), record, cart)

    @bp.get("/cart")
    def cart_page(shop: str):
        with state.lock:
            record = shop_or_404(shop)
            cart = current_cart(record)
            html = page("store_cart.html", record, cart=carts.cart_json(record, cart), error=None)
            return with_cookie(Response(html), record, cart)

    @bp.route("/checkout", methods=["GET", "POST"])
    def checkout(shop: str):
        with state.lock:
            record = shop_or_404(shop)
            cart = current_cart(record)
            if not cart.items:
                return redirect(url_for("shopify_storefront.cart_page", shop=record.domain), 302)
            form = request.form.to_dict()
            address = {
                "firstName": form.get("name", ""),
                "address1": form.get("address1", ""),
                "city": form.get("city", ""),
                "countryCode": (form.get("country_code") or record.country).upper(),
                "provinceCode": (form.get("province_code") or "").upper() or None,
                "zip": form.get("zip", ""),
            }
            priced = quote(
                record,
                cart.items,
                address=address,
                discount_codes=[],
                shipping_handle=None,
                now=emulator.clock.now(),
            )
            if form.get("step") != "pay":
                return page("store_checkout.html", record, quote=priced, form=form, error=None)
            error = _checkout_problem(form, record, cart)
            if error:
                html = page("store_checkout.html", record, quote=priced, form=form, error=error)
                return Response(html, status=422)
            cheapest = min(priced.rates, key=lambda r: r.price, default=None)
            if cheapest is not None:
                priced = quote(
                    record,
                    cart.items,
                    address=address,
                    discount_codes=[],
                    shipping_handle=cheapest.handle,
                    now=emulator.clock.now(),
                )
            new = orders.from_quote(
                priced,
                email=form["email"],
                shipping_address=address,
                transactions=[("sale", "success", priced.total, "bogus")],
                inventory_behaviour="DECREMENT_OBEYING_POLICY",
                send_receipt=True,
                source_name="web",
            )
            try:
                order = orders.create(state, record, new, emulator.clock.now(), None)
            except (orders.OrderError, PricingError) as failure:
                html = page(
                    "store_checkout.html", record, quote=priced, form=form, error=str(failure)
                )
                return Response(html, status=422)
            cart.items = []
            payload = order_json(order, record)
            emulator.webhooks.emit(record, "orders/create", payload)
            emulator.webhooks.emit(record, "orders/paid", payload)
            call = emulator.post_purchase.begin(record, order, form["card_number"])
            if call is None:
                return page("store_thank_you.html", record, order=order)
        # Outside the lock: the app's backend may call the Admin API while the page waits.
        return redirect(emulator.post_purchase.fetch_offers(call), 303)

    return bp


def _checkout_problem(form: dict[str, str], shop: Shop, cart: Cart) -> str | None:
    if "@" not in form.get("email", ""):
        return "Enter a valid email"
    if not cards.pays_checkout(form.get("card_number", "")):
        return "Your card was declined."
    for variant_id, quantity in cart.items:
        variant: Variant | None = shop.variant(variant_id)
        if variant is None or (
            variant.inventory_policy == "deny" and variant.inventory_quantity < quantity
        ):
            return "Some items are no longer available."
    return None


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise carts.CartError(422, "Parameter Missing or Invalid") from None
