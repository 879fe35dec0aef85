"""The legacy REST Admin API subset: shop, products, orders (read), webhooks, script tags.

Every call passes the REST leaky bucket (X-Shopify-Shop-Api-Call-Limit, 429 + Retry-After).
Lists paginate with page_info cursors in a Link header
(https://shopify.dev/docs/api/admin-rest/usage/pagination); 422 bodies are
`{"errors": {field: [messages]}}` as ShopifyAPI's resource errors expect.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlencode

from flask import Blueprint, Response, g, jsonify, request

from sandbox.shopify import resources
from sandbox.shopify.admin_api import authenticate, fail
from sandbox.shopify.state import ScriptTag, WebhookSubscription
from sandbox.shopify.webhooks import TOPICS

if TYPE_CHECKING:
    from sandbox.shopify import ShopifyEmulator

T = TypeVar("T")
PREFIX = "/shopify/<shop>/admin/api/<version>"
MAX_LIMIT = 250


def _page_info(last_id: int, direction: str) -> str:
    raw = json.dumps({"last_id": last_id, "direction": direction}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _read_page_info(value: str) -> tuple[int, str]:
    try:
        data = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
        return int(data["last_id"]), str(data["direction"])
    except (ValueError, KeyError, TypeError):
        fail(400, {"errors": {"page_info": "Invalid value."}})


def paginate(items: Sequence[T], key: Callable[[T], int]) -> tuple[list[T], str | None]:
    """One page of `items` (sorted by id) and the Link header for its neighbours."""
    try:
        limit = int(request.args.get("limit", 50))
    except ValueError:
        fail(400, {"errors": {"limit": "Invalid value."}})
    limit = max(1, min(limit, MAX_LIMIT))
    ordered = sorted(items, key=key)
    if request.args.get("page_info"):
        last_id, direction = _read_page_info(request.args["page_info"])
        if direction == "next":
            rest = [i for i in ordered if key(i) > last_id]
            page = rest[:limit]
        else:
            before = [i for i in ordered if key(i) < last_id]
            page = before[-limit:]
    else:
        since = int(request.args.get("since_id", 0) or 0)
        page = [i for i in ordered if key(i) > since][:limit]
    links = []
    base = f"{request.host_url.rstrip('/')}{request.path}"
    if page and key(page[0]) > key(ordered[0]):
        query = urlencode({"limit": limit, "page_info": _page_info(key(page[0]), "previous")})
        links.append(f'<{base}?{query}>; rel="previous"')
    if page and key(page[-1]) < key(ordered[-1]):
        query = urlencode({"limit": limit, "page_info": _page_info(key(page[-1]), "next")})
        links.append(f'<{base}?{query}>; rel="next"')
    return page, ", ".join(links) or None


def _listed(name: str, rows: list[dict[str, Any]], link: str | None) -> Response:
    response = jsonify({name: rows})
    if link:
        response.headers["Link"] = link
    return response


def blueprint(emulator: ShopifyEmulator) -> Blueprint:
    bp = Blueprint("shopify_rest", __name__)
    state = emulator.state

    @bp.before_request
    def admin_call() -> Response | None:
        """Authenticate, then count the call against the app+shop bucket."""
        args = request.view_args or {}
        shop, token = authenticate(emulator, args.get("shop", ""), args.get("version", ""))
        allowed, used, wait = emulator.limits.hit_rest(
            (token.client_id, shop.domain), shop.plan, emulator.clock.now()
        )
        g.shopify_shop, g.shopify_token, g.shopify_call_limit = shop, token, used
        if allowed:
            return None
        response = jsonify(
            errors="Exceeded 2 calls per second for api client. "
            "Reduce request rates to resume uninterrupted service."
        )
        response.status_code = 429
        response.headers["Retry-After"] = f"{max(math.ceil(wait), 1):.1f}"
        return response

    @bp.after_request
    def call_limit_header(response: Response) -> Response:
        used = g.get("shopify_call_limit")
        if used:
            response.headers["X-Shopify-Shop-Api-Call-Limit"] = used
        return response

    @bp.get(f"{PREFIX}/shop.json")
    def shop_json(shop: str, version: str):
        with state.lock:
            return jsonify(shop=resources.shop_json(g.shopify_shop))

    @bp.get(f"{PREFIX}/products.json")
    def products(shop: str, version: str):
        record = g.shopify_shop
        with state.lock:
            page, link = paginate(list(record.products.values()), lambda p: p.id)
            rows = [
                resources.product_json(p, emulator.image_url(record.domain, p.id)) for p in page
            ]
        return _listed("products", rows, link)

    @bp.get(f"{PREFIX}/products/<int:product_id>.json")
    def one_product(shop: str, version: str, product_id: int):
        record = g.shopify_shop
        with state.lock:
            found = record.products.get(product_id)
            if found is None:
                fail(404, {"errors": "Not Found"})
            return jsonify(
                product=resources.product_json(found, emulator.image_url(record.domain, found.id))
            )

    @bp.get(f"{PREFIX}/orders.json")
    def orders(shop: str, version: str):
        record = g.shopify_shop
        status = request.args.get("status", "open")  # REST default: open orders only
        with state.lock:
            chosen = [
                o
                for o in record.orders.values()
                if status == "any"
                or (status == "open" and o.cancelled_at is None)
                or (status == "cancelled" and o.cancelled_at is not None)
            ]
            page, link = paginate(chosen, lambda o: o.id)
            rows = [resources.order_json(o, record) for o in page]
        return _listed("orders", rows, link)

    @bp.get(f"{PREFIX}/orders/<int:order_id>.json")
    def one_order(shop: str, version: str, order_id: int):
        record = g.shopify_shop
        with state.lock:
            found = record.orders.get(order_id)
            if found is None:
                fail(404, {"errors": "Not Found"})
            return jsonify(order=resources.order_json(found, record))

    def body_of(name: str) -> dict[str, Any]:
        data = request.get_json(silent=True)
        if not isinstance(data, dict) or not isinstance(data.get(name), dict):
            fail(400, {"errors": {name: "Required parameter missing or invalid"}})
        return data[name]

    def own(table: dict[int, Any]) -> list[Any]:
        return [v for v in table.values() if v.client_id == g.shopify_token.client_id]

    @bp.get(f"{PREFIX}/webhooks.json")
    def webhooks(shop: str, version: str):
        with state.lock:
            page, link = paginate(own(g.shopify_shop.webhooks), lambda w: w.id)
            return _listed("webhooks", [resources.webhook_json(w) for w in page], link)

    @bp.post(f"{PREFIX}/webhooks.json")
    def create_webhook(shop: str, version: str):
        data = body_of("webhook")
        topic, address = str(data.get("topic", "")), str(data.get("address", ""))
        errors: dict[str, list[str]] = {}
        if topic not in TOPICS:
            errors["topic"] = [f"Invalid topic specified: {topic}"]
        if not address.startswith(("https://", "http://")):
            errors["address"] = ["is invalid"]
        with state.lock:
            mine = own(g.shopify_shop.webhooks)
            if any(w.topic == topic and w.address == address for w in mine):
                errors.setdefault("address", []).append("for this topic has already been taken")
            if errors:
                return jsonify(errors=errors), 422
            app = state.apps[g.shopify_token.client_id]
            sub = WebhookSubscription(
                id=state.next_id(),
                client_id=app.client_id,
                topic=topic,
                address=address,
                format=str(data.get("format", "json")),
                api_version=app.webhook_api_version,
                include_fields=list(data.get("fields") or []),
                created_at=emulator.clock.now(),
            )
            g.shopify_shop.webhooks[sub.id] = sub
            return jsonify(webhook=resources.webhook_json(sub)), 201

    @bp.delete(f"{PREFIX}/webhooks/<int:webhook_id>.json")
    def delete_webhook(shop: str, version: str, webhook_id: int):
        with state.lock:
            if not any(w.id == webhook_id for w in own(g.shopify_shop.webhooks)):
                fail(404, {"errors": "Not Found"})
            del g.shopify_shop.webhooks[webhook_id]
        return jsonify({})

    @bp.get(f"{PREFIX}/script_tags.json")
    def script_tags(shop: str, version: str):
        with state.lock:
            page, link = paginate(own(g.shopify_shop.script_tags), lambda t: t.id)
            return _listed("script_tags", [resources.script_tag_json(t) for t in page], link)

    @bp.post(f"{PREFIX}/script_tags.json")
    def create_script_tag(shop: str, version: str):
        data = body_of("script_tag")
        src, event = str(data.get("src", "")), str(data.get("event", "onload"))
        errors: dict[str, list[str]] = {}
        if not src.startswith(("https://", "http://")):
            errors["src"] = ["is invalid"]
        if event != "onload":
            errors["event"] = ["is not included in the list"]
        scope = str(data.get("display_scope", "online_store"))
        if scope not in ("online_store", "order_status", "all"):
            errors["display_scope"] = ["is not included in the list"]
        if errors:
            return jsonify(errors=errors), 422
        with state.lock:
            tag = ScriptTag(
                state.next_id(), g.shopify_token.client_id, src, event, scope, emulator.clock.now()
            )
            g.shopify_shop.script_tags[tag.id] = tag
            return jsonify(script_tag=resources.script_tag_json(tag)), 201

    @bp.delete(f"{PREFIX}/script_tags/<int:tag_id>.json")
    def delete_script_tag(shop: str, version: str, tag_id: int):
        with state.lock:
            if not any(t.id == tag_id for t in own(g.shopify_shop.script_tags)):
                fail(404, {"errors": "Not Found"})
            del g.shopify_shop.script_tags[tag_id]
        return jsonify({})

    return bp
