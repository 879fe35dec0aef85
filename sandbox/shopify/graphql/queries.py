"""QueryRoot resolvers: shop, products, variants, orders (Shopify search syntax), webhooks."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from babel import Locale
from graphql import GraphQLResolveInfo

from sandbox.shopify.graphql.nodes import (
    Ctx,
    connection,
    draft_lines,
    draft_node,
    order_node,
    parse_gid,
    product_node,
    shipping_rate_node,
    shop_node,
    variant_node,
    webhook_node,
)
from sandbox.shopify.pricing import Rate, quote
from sandbox.shopify.resources import gid
from sandbox.shopify.state import Location, Order, Product, Variant
from sandbox.shopify.webhooks import rest_topic

PICKUP_PAGE = 10  # pickup locations per page when localPickupCount is not given (ours)


def ctx_of(info: GraphQLResolveInfo) -> Ctx:
    return info.context


def search_terms(query: str | None) -> list[tuple[str, str]]:
    """`tag:vip name:#1001` -> [(tag, vip), (name, #1001)]; a bare word w -> ("", w).

    Shopify's search syntax: https://shopify.dev/docs/api/usage/search-syntax (terms are ANDed).
    """
    if not query:
        return []
    try:
        words = shlex.split(query)
    except ValueError:
        words = query.split()
    terms = []
    for word in words:
        if word.upper() == "AND":
            continue
        key, sep, value = word.partition(":")
        terms.append((key.lower(), value.strip("'\"")) if sep else ("", word))
    return terms


def _compare_time(timestamp: float, value: str) -> bool:
    """`created_at:>=2026-01-01T00:00:00Z`: range syntax with <, <=, >, >= or an exact time."""
    operator = next((op for op in (">=", "<=", ">", "<") if value.startswith(op)), "")
    try:
        bound = datetime.fromisoformat(value[len(operator) :].replace("Z", "+00:00"))
    except ValueError:
        return True  # Shopify ignores a filter it cannot read
    if bound.tzinfo is None:
        bound = bound.replace(tzinfo=UTC)
    wanted, actual = bound.timestamp(), timestamp
    return {
        ">=": actual >= wanted,
        "<=": actual <= wanted,
        ">": actual > wanted,
        "<": actual < wanted,
    }.get(operator, int(actual) == int(wanted))


def _order_matches(order: Order, key: str, value: str) -> bool:
    value_l = value.lower()
    checks: dict[str, Callable[[], bool]] = {
        "tag": lambda: value_l in (t.lower() for t in order.tags),
        "tag_not": lambda: value_l not in (t.lower() for t in order.tags),
        "name": lambda: order.name.lstrip("#") == value.lstrip("#"),
        "email": lambda: order.email.lower() == value_l,
        "financial_status": lambda: order.financial_status == value_l,
        "id": lambda: str(order.id) == value,
        "created_at": lambda: _compare_time(order.created_at, value),
        "": lambda: value_l in f"{order.name} {order.email} {' '.join(order.tags)}".lower(),
    }
    check = checks.get(key)
    return check() if check else True  # Shopify ignores filters it does not know


def _product_matches(product: Product, key: str, value: str) -> bool:
    value_l = value.lower()
    if key == "title":
        return value_l.rstrip("*") in product.title.lower()
    if key == "status":
        return product.status == value_l
    if key == "sku":
        return any(v.sku == value for v in product.variants)
    if key == "product_type":
        return product.product_type.lower() == value_l
    if key == "":
        return value_l in product.title.lower()
    return True


def _variant_matches(variant: Variant, key: str, value: str) -> bool:
    if key == "sku":
        return variant.sku == value
    if key == "product_id":
        return str(variant.product_id) == value
    return True


def resolve_shop(_root: Any, info: GraphQLResolveInfo) -> dict[str, Any]:
    return shop_node(ctx_of(info))


def resolve_shop_locales(
    _root: Any, info: GraphQLResolveInfo, published: bool = False
) -> list[dict[str, Any]]:
    """The sandbox shop has one locale, its primary, published."""
    code = ctx_of(info).shop.primary_locale
    name = Locale.parse(code.replace("-", "_")).english_name or code
    return [{"locale": code, "name": name, "primary": True, "published": True}]


def resolve_current_app_installation(_root: Any, info: GraphQLResolveInfo) -> dict[str, Any]:
    ctx = ctx_of(info)
    app = ctx.emulator.state.apps[ctx.token.client_id]
    return {
        "id": gid("AppInstallation", app.app_id),
        "app": {"id": gid("App", app.app_id), "title": app.name, "apiKey": app.client_id},
        "accessScopes": [{"handle": s} for s in ctx.token.scopes],
    }


def resolve_product(_root: Any, info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:  # noqa: A002
    ctx = ctx_of(info)
    product = ctx.shop.products.get(parse_gid(id, "Product") or -1)
    return product_node(ctx, product) if product else None


def resolve_products(_root: Any, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    ctx = ctx_of(info)
    terms = search_terms(args.get("query"))
    items = [
        p for p in ctx.shop.products.values() if all(_product_matches(p, k, v) for k, v in terms)
    ]
    return connection(items, lambda p: product_node(ctx, p), lambda p: p.id, args)


def resolve_product_variant(_root: Any, info: GraphQLResolveInfo, id: str) -> dict | None:  # noqa: A002
    ctx = ctx_of(info)
    variant = ctx.shop.variant(parse_gid(id, "ProductVariant") or -1)
    return variant_node(ctx, variant) if variant else None


def resolve_product_variants(_root: Any, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    ctx = ctx_of(info)
    terms = search_terms(args.get("query"))
    items = [
        v
        for p in ctx.shop.products.values()
        for v in p.variants
        if all(_variant_matches(v, k, val) for k, val in terms)
    ]
    return connection(items, lambda v: variant_node(ctx, v), lambda v: v.id, args)


def resolve_order(_root: Any, info: GraphQLResolveInfo, id: str) -> dict[str, Any] | None:  # noqa: A002
    ctx = ctx_of(info)
    order = ctx.shop.orders.get(parse_gid(id, "Order") or -1)
    return order_node(ctx, order) if order else None


def resolve_orders(_root: Any, info: GraphQLResolveInfo, **args: Any) -> dict[str, Any]:
    ctx = ctx_of(info)
    terms = search_terms(args.get("query"))
    items = [o for o in ctx.shop.orders.values() if all(_order_matches(o, k, v) for k, v in terms)]
    return connection(items, lambda o: order_node(ctx, o), lambda o: o.id, args)


def resolve_draft_order(_root: Any, info: GraphQLResolveInfo, id: str) -> dict | None:  # noqa: A002
    ctx = ctx_of(info)
    draft = ctx.shop.draft_orders.get(parse_gid(id, "DraftOrder") or -1)
    if draft is None:
        return None
    priced = quote(
        ctx.shop,
        draft.lines,
        address=draft.shipping_address,
        discount_codes=[draft.discount_code] if draft.discount_code else [],
        shipping_handle=draft.shipping_handle,
        now=ctx.now,
    )
    return draft_node(ctx, draft, priced)


def resolve_delivery_options(
    _root: Any,
    info: GraphQLResolveInfo,
    input: dict,  # noqa: A002
    localPickupCount: int | None = None,  # noqa: N803
    localPickupFrom: int | None = None,  # noqa: N803
    search: str | None = None,
    sessionToken: str | None = None,  # noqa: ARG001, N803 - tracing only
) -> dict:
    """draftOrderAvailableDeliveryOptions: shipping rates for the address, and the pickup
    locations (paged by localPickupFrom/localPickupCount, filtered by `search`); the
    sandbox has no local delivery. A variant that does not exist fails the query."""
    ctx = ctx_of(info)
    priced = quote(
        ctx.shop,
        draft_lines(input),
        address=input.get("shippingAddress"),
        discount_codes=input.get("discountCodes") or [],
        shipping_handle=None,
        now=ctx.now,
    )
    pickups = [p for p in priced.pickups if not search or search.lower() in p.title.lower()]
    start = max(localPickupFrom or 0, 0)
    page = pickups[start : start + (localPickupCount or PICKUP_PAGE)]
    currency = priced.currency
    return {
        "availableShippingRates": [
            {**shipping_rate_node(r, currency), "code": r.title, "source": "shopify"}
            for r in priced.rates
        ],
        "availableLocalDeliveryRates": [],
        "availableLocalPickupOptions": [_pickup_node(p, p.pickup_at) for p in page if p.pickup_at],
        "pageInfo": {
            "hasNextPage": start + len(page) < len(pickups),
            "hasPreviousPage": start > 0,
            "startCursor": None,
            "endCursor": None,
        },
    }


def _pickup_node(option: Rate, location: Location) -> dict[str, Any]:
    return {
        "code": location.name,
        "distanceFromBuyer": None,  # the sandbox does not geocode
        "handle": option.handle,
        "instructions": location.pickup_instructions or "",
        "locationId": gid("Location", location.id),
        "source": "shopify",
        "title": option.title,
    }


def _own_webhooks(ctx: Ctx):
    return [w for w in ctx.shop.webhooks.values() if w.client_id == ctx.token.client_id]


def resolve_webhook_subscription(_root: Any, info: GraphQLResolveInfo, id: str) -> dict | None:  # noqa: A002
    ctx = ctx_of(info)
    wanted = parse_gid(id, "WebhookSubscription")
    sub = next((w for w in _own_webhooks(ctx) if w.id == wanted), None)
    return webhook_node(sub) if sub else None


def resolve_webhook_subscriptions(_root: Any, info: GraphQLResolveInfo, **args: Any) -> dict:
    ctx = ctx_of(info)
    topics = {rest_topic(t) for t in args.get("topics") or []}
    items = [w for w in _own_webhooks(ctx) if not topics or w.topic in topics]
    return connection(items, webhook_node, lambda w: w.id, args)


RESOLVERS = {
    "shop": resolve_shop,
    "shopLocales": resolve_shop_locales,
    "currentAppInstallation": resolve_current_app_installation,
    "product": resolve_product,
    "products": resolve_products,
    "productVariant": resolve_product_variant,
    "productVariants": resolve_product_variants,
    "order": resolve_order,
    "orders": resolve_orders,
    "draftOrder": resolve_draft_order,
    "draftOrderAvailableDeliveryOptions": resolve_delivery_options,
    "webhookSubscription": resolve_webhook_subscription,
    "webhookSubscriptions": resolve_webhook_subscriptions,
}
