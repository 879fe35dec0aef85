"""Records as GraphQL objects: dicts keyed by field name, callables for fields with arguments.

graphql-core's default resolver reads dict keys and calls a callable value with
(info, **args), so nested connections stay lazy and honour their own `first`/`after`.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

from graphql import GraphQLError

from sandbox.shopify import orders as order_rules
from sandbox.shopify.pricing import PricingError, Quote, Rate
from sandbox.shopify.resources import gid, iso, money
from sandbox.shopify.state import (
    AccessToken,
    DraftOrder,
    LineItem,
    Order,
    OrderEdit,
    Product,
    ShippingLine,
    Shop,
    TaxLine,
    Variant,
    WebhookSubscription,
)

if TYPE_CHECKING:
    from sandbox.shopify import ShopifyEmulator

T = TypeVar("T")
MAX_PAGE = 250


@dataclass
class Ctx:
    """What every resolver needs: the emulator, the shop, the caller's token and the time."""

    emulator: ShopifyEmulator
    shop: Shop
    token: AccessToken
    now: float


def parse_gid(value: str, kind: str) -> int | None:
    """The numeric id of `gid://shopify/<kind>/<n>`, or None when it names something else."""
    prefix = f"gid://shopify/{kind}/"
    if not isinstance(value, str) or not value.startswith(prefix):
        return None
    tail = value[len(prefix) :].split("?", 1)[0]
    return int(tail) if tail.isdigit() else None


def connection(
    items: Sequence[T],
    node: Callable[[T], dict[str, Any]],
    key: Callable[[T], int],
    args: dict[str, Any],
) -> dict[str, Any]:
    """A Relay connection over `items` (already in order) with opaque cursors, like Shopify's."""
    first, last = args.get("first"), args.get("last")
    if first is None and last is None:
        raise GraphQLError("you must provide one of first or last")
    for name, value in (("first", first), ("last", last)):
        if value is not None and not 0 <= value <= MAX_PAGE:
            raise GraphQLError(f"The '{name}' argument must be between 0 and {MAX_PAGE}")
    ordered = list(reversed(items)) if args.get("reverse") else list(items)
    start, end = 0, len(ordered)
    if args.get("after"):
        start = _index_after(ordered, key, args["after"])
    if args.get("before"):
        end = _index_before(ordered, key, args["before"])
    window = ordered[start:end]
    if first is not None:
        window = window[:first]
    if last is not None:
        window = window[-last:] if last else []
    lo = ordered.index(window[0]) if window else start
    hi = ordered.index(window[-1]) + 1 if window else start
    cursors = [_cursor(key(item)) for item in window]
    return {
        "edges": [
            {"cursor": c, "node": node(item)} for c, item in zip(cursors, window, strict=True)
        ],
        "nodes": [node(item) for item in window],
        "pageInfo": {
            "hasNextPage": hi < len(ordered),
            "hasPreviousPage": lo > 0,
            "startCursor": cursors[0] if cursors else None,
            "endCursor": cursors[-1] if cursors else None,
        },
    }


def _cursor(record_id: int) -> str:
    return base64.b64encode(json.dumps({"last_id": record_id}).encode()).decode()


def _cursor_id(cursor: str) -> int:
    try:
        return int(json.loads(base64.b64decode(cursor))["last_id"])
    except (ValueError, KeyError, TypeError):
        raise GraphQLError(f"Invalid cursor for current pagination sort: {cursor}") from None


def _index_after(items: Sequence[T], key: Callable[[T], int], cursor: str) -> int:
    wanted = _cursor_id(cursor)
    return next((i + 1 for i, item in enumerate(items) if key(item) == wanted), len(items))


def _index_before(items: Sequence[T], key: Callable[[T], int], cursor: str) -> int:
    wanted = _cursor_id(cursor)
    return next((i for i, item in enumerate(items) if key(item) == wanted), 0)


def money_v2(amount: Decimal, currency: str) -> dict[str, Any]:
    return {"amount": money(amount), "currencyCode": currency}


def money_bag(amount: Decimal, currency: str) -> dict[str, Any]:
    value = money_v2(amount, currency)
    return {"shopMoney": value, "presentmentMoney": value}


def shop_node(ctx: Ctx) -> dict[str, Any]:
    shop = ctx.shop
    names = {
        "basic": "Basic",
        "advanced": "Advanced",
        "plus": "Shopify Plus",
        "development": "Development",
    }
    return {
        "id": gid("Shop", shop.id),
        "name": shop.name,
        "email": shop.email,
        "currencyCode": shop.currency,
        "billingAddress": {"countryCodeV2": shop.country, "provinceCode": shop.province},
        "myshopifyDomain": shop.domain,
        "ianaTimezone": shop.timezone,
        "plan": {
            "displayName": names[shop.plan],
            "publicDisplayName": names[shop.plan],
            "partnerDevelopment": shop.plan == "development",
            "shopifyPlus": shop.plan == "plus",
        },
    }


def product_node(ctx: Ctx, product: Product) -> dict[str, Any]:
    return {
        "id": gid("Product", product.id),
        "title": product.title,
        "handle": product.handle,
        "descriptionHtml": product.body_html,
        "vendor": product.vendor,
        "productType": product.product_type,
        "status": product.status.upper(),
        "tags": product.tags,
        "totalInventory": sum(v.inventory_quantity for v in product.variants),
        "featuredImage": {
            "id": gid("ProductImage", product.image_id),
            "url": ctx.emulator.image_url(ctx.shop.domain, product.id),
            "altText": product.title,
            "width": 600,
            "height": 600,
        },
        "createdAt": iso(product.created_at),
        "updatedAt": iso(product.updated_at),
        "variants": lambda _info, **args: connection(
            product.variants, lambda v: variant_node(ctx, v), lambda v: v.id, args
        ),
    }


def variant_node(ctx: Ctx, variant: Variant) -> dict[str, Any]:
    product = ctx.shop.products.get(variant.product_id)
    return {
        "id": gid("ProductVariant", variant.id),
        "title": variant.title,
        "displayName": f"{product.title if product else ''} - {variant.title}",
        "sku": variant.sku,
        "price": money(variant.price),
        "compareAtPrice": money(variant.compare_at_price) if variant.compare_at_price else None,
        "inventoryQuantity": variant.inventory_quantity,
        "inventoryPolicy": variant.inventory_policy.upper(),
        "availableForSale": variant.inventory_policy == "continue"
        or variant.inventory_quantity > 0,
        "position": variant.position,
        "taxable": True,
        "inventoryItem": {
            "id": gid("InventoryItem", variant.inventory_item_id),
            "sku": variant.sku,
            "tracked": True,
            "requiresShipping": variant.grams > 0,
            "measurement": {
                "id": gid("InventoryItemMeasurement", variant.inventory_item_id),
                "weight": {"unit": "GRAMS", "value": float(variant.grams)},
            },
        },
        "product": (lambda _info: product_node(ctx, product)) if product else None,
        "createdAt": iso(variant.created_at),
        "updatedAt": iso(variant.updated_at),
    }


def tax_line_node(line: TaxLine, currency: str) -> dict[str, Any]:
    return {
        "title": line.title,
        "rate": float(line.rate),
        "ratePercentage": float(line.rate * 100),
        "priceSet": money_bag(line.price, currency),
    }


def address_node(address: dict[str, Any] | None) -> dict[str, Any] | None:
    if not address:
        return None
    return {
        **{k: address.get(k) for k in ("firstName", "lastName", "company", "address1", "address2")},
        **{k: address.get(k) for k in ("city", "zip", "phone", "provinceCode")},
        "name": " ".join(filter(None, [address.get("firstName"), address.get("lastName")])),
        "province": address.get("provinceCode"),
        "country": address.get("countryCode"),
        "countryCodeV2": address.get("countryCode"),
    }


def line_item_node(ctx: Ctx, item: LineItem, currency: str) -> dict[str, Any]:
    variant = ctx.shop.variant(item.variant_id) if item.variant_id else None
    return {
        "id": gid("LineItem", item.id),
        "title": item.title,
        "name": f"{item.title} - {item.variant_title}" if item.variant_title else item.title,
        "variantTitle": item.variant_title or None,
        "sku": item.sku,
        "quantity": item.quantity,
        "currentQuantity": item.quantity,
        "variant": (lambda _info: variant_node(ctx, variant)) if variant else None,
        "product": (
            (lambda _info: product_node(ctx, ctx.shop.products[variant.product_id]))
            if variant
            else None
        ),
        "originalUnitPriceSet": money_bag(item.price, currency),
        "originalTotalSet": money_bag(item.price * item.quantity, currency),
    }


def order_node(ctx: Ctx, order: Order) -> dict[str, Any]:
    c = order.currency
    paid = order_rules.paid_amount(order)
    return {
        "id": gid("Order", order.id),
        "legacyResourceId": str(order.id),
        "name": order.name,
        "email": order.email or None,
        "note": order.note or None,
        "tags": order.tags,
        "createdAt": iso(order.created_at),
        "updatedAt": iso(order.updated_at),
        "processedAt": iso(order.created_at),
        "cancelledAt": iso(order.cancelled_at),
        "cancelReason": order.cancel_reason.upper() if order.cancel_reason else None,
        "currencyCode": c,
        "displayFinancialStatus": order.financial_status.upper(),
        "sourceName": order.source_name,
        "discountCodes": order.discount_codes,
        "customAttributes": [
            {"key": a["name"], "value": a["value"]} for a in order.note_attributes
        ],
        "shippingAddress": address_node(order.shipping_address),
        "billingAddress": address_node(order.billing_address),
        "subtotalPriceSet": money_bag(order.subtotal_price, c),
        "totalDiscountsSet": money_bag(order.total_discounts, c),
        "totalTaxSet": money_bag(order.total_tax, c),
        "totalShippingPriceSet": money_bag(order.shipping_price, c),
        "totalPriceSet": money_bag(order.total_price, c),
        "currentTotalPriceSet": money_bag(order.total_price, c),
        "totalReceivedSet": money_bag(paid, c),
        "totalOutstandingSet": money_bag(max(order.total_price - paid, Decimal(0)), c),
        "taxLines": [tax_line_node(t, c) for t in order.tax_lines],
        "shippingLine": next(
            (shipping_line_node(line, c) for line in order.current_shipping_lines), None
        ),
        # Removed lines only when asked (includeRemovals, false by default: https://shopify.dev/
        # changelog/add-and-remove-shipping-lines-with-new-mutations-on-the-order-editing-api).
        "shippingLines": lambda _info, includeRemovals=False, **args: connection(
            order.shipping_lines if includeRemovals else order.current_shipping_lines,
            lambda line: shipping_line_node(line, c),
            lambda line: line.id,
            args,
        ),
        "transactions": lambda _info, first=None: [
            {
                "id": gid("OrderTransaction", t.id),
                "kind": t.kind.upper(),
                "status": t.status.upper(),
                "gateway": t.gateway,
                "authorizationCode": t.authorization_code or None,
                "amountSet": money_bag(t.amount, c),
                "createdAt": iso(t.created_at),
            }
            for t in order.transactions[:first]
        ],
        "lineItems": lambda _info, **args: connection(
            order.line_items, lambda li: line_item_node(ctx, li, c), lambda li: li.id, args
        ),
    }


def shipping_line_node(line: ShippingLine, currency: str) -> dict[str, Any]:
    """ShippingLine (https://shopify.dev/docs/api/admin-graphql/2025-10/objects/ShippingLine)."""
    return {
        "id": gid("ShippingLine", line.id),
        "title": line.title,
        "code": line.code or line.title,
        "originalPriceSet": money_bag(line.price, currency),
        "isRemoved": line.removed,
    }


def draft_lines(data: dict[str, Any]) -> list[tuple[int, int]]:
    """(variant id, quantity) of a DraftOrderInput's lineItems; a bad id is a PricingError."""
    lines = []
    for index, line in enumerate(data.get("lineItems") or []):
        variant_id = parse_gid(line.get("variantId") or "", "ProductVariant")
        if variant_id is None:
            raise PricingError(["lineItems", str(index), "variantId"], "Variant does not exist")
        lines.append((variant_id, line["quantity"]))
    return lines


def shipping_rate_node(rate: Rate, currency: str) -> dict[str, Any]:
    return {"handle": rate.handle, "title": rate.title, "price": money_v2(rate.price, currency)}


def calculated_draft_node(ctx: Ctx, quote: Quote) -> dict[str, Any]:
    c = quote.currency
    shipping = quote.shipping.price if quote.shipping else Decimal(0)
    return {
        "currencyCode": c,
        "lineItems": [
            {
                "title": line.product.title,
                "sku": line.variant.sku,
                "quantity": line.quantity,
                "variant": variant_node(ctx, line.variant),
                "product": product_node(ctx, line.product),
                "originalUnitPriceSet": money_bag(line.unit_price, c),
                "originalTotalSet": money_bag(line.total, c),
            }
            for line in quote.lines
        ],
        "lineItemsSubtotalPrice": money_bag(quote.line_total, c),
        "subtotalPriceSet": money_bag(quote.subtotal, c),
        "totalDiscountsSet": money_bag(quote.discount, c),
        "totalShippingPriceSet": money_bag(shipping, c),
        "totalTaxSet": money_bag(quote.total_tax, c),
        "totalPriceSet": money_bag(quote.total, c),
        "taxLines": [tax_line_node(t, c) for t in quote.tax_lines],
        "availableShippingRates": [shipping_rate_node(r, c) for r in quote.rates],
        "shippingLine": (
            {
                "title": quote.shipping.title,
                "code": quote.shipping.handle,
                "originalPriceSet": money_bag(quote.shipping.price, c),
                "isRemoved": False,
            }
            if quote.shipping
            else None
        ),
        "discountCodes": [quote.discount_code] if quote.discount_code else [],
        "warnings": [
            {"errorCode": "INVALID_INPUT", "field": "discountCodes", "message": w}
            for w in quote.warnings
        ],
    }


def draft_node(ctx: Ctx, draft: DraftOrder, quote: Quote) -> dict[str, Any]:
    c = quote.currency
    order = ctx.shop.orders.get(draft.order_id) if draft.order_id else None
    shipping = quote.shipping.price if quote.shipping else Decimal(0)
    return {
        "id": gid("DraftOrder", draft.id),
        "name": draft.name,
        "status": draft.status.upper(),
        "email": draft.email or None,
        "tags": draft.tags,
        "order": order_node(ctx, order) if order else None,
        "subtotalPriceSet": money_bag(quote.subtotal, c),
        "totalTaxSet": money_bag(quote.total_tax, c),
        "totalShippingPriceSet": money_bag(shipping, c),
        "totalPriceSet": money_bag(quote.total, c),
        "taxLines": [tax_line_node(t, c) for t in quote.tax_lines],
        "createdAt": iso(draft.created_at),
    }


def calculated_line(ctx: Ctx, line: order_rules.EditedLine) -> dict[str, Any]:
    variant = ctx.shop.variant(line.variant_id) if line.variant_id else None
    return {
        "id": gid("CalculatedLineItem", line.line_id),
        "title": line.title,
        "sku": line.sku,
        "quantity": line.quantity,
        "variant": variant_node(ctx, variant) if variant else None,
        "originalUnitPriceSet": money_bag(line.price, ctx.shop.currency),
    }


def calculated_shipping_line(shipping: order_rules.EditedShipping, currency: str) -> dict[str, Any]:
    """CalculatedShippingLine (https://shopify.dev/docs/api/admin-graphql/2025-10/objects/CalculatedShippingLine)."""
    return {
        "id": gid("CalculatedShippingLine", shipping.line.id),
        "title": shipping.line.title,
        "price": money_bag(shipping.line.price, currency),
        "stagedStatus": shipping.status,
    }


def calculated_order_node(ctx: Ctx, edit: OrderEdit) -> dict[str, Any]:
    order = ctx.shop.orders[edit.order_id]
    totals = order_rules.edited(ctx.shop, edit)
    c = order.currency
    every = totals.lines
    added = [line for line in every if line.added]
    return {
        "id": gid("CalculatedOrder", edit.id),
        "committed": edit.committed,
        "originalOrder": order_node(ctx, order),
        "lineItems": lambda _info, **args: connection(
            every, lambda x: calculated_line(ctx, x), lambda x: x.line_id, args
        ),
        "addedLineItems": lambda _info, **args: connection(
            added, lambda x: calculated_line(ctx, x), lambda x: x.line_id, args
        ),
        "shippingLines": [calculated_shipping_line(s, c) for s in totals.shipping],
        "subtotalPriceSet": money_bag(totals.subtotal, c),
        "totalPriceSet": money_bag(totals.total, c),
        "totalOutstandingSet": money_bag(totals.outstanding, c),
    }


def webhook_node(sub: WebhookSubscription) -> dict[str, Any]:
    return {
        "id": gid("WebhookSubscription", sub.id),
        "legacyResourceId": str(sub.id),
        "topic": sub.topic.upper().replace("/", "_"),
        "uri": sub.address,
        "callbackUrl": sub.address,
        "format": sub.format.upper(),
        "includeFields": sub.include_fields,
        "apiVersion": {"handle": sub.api_version},
        "createdAt": iso(sub.created_at),
        "updatedAt": iso(sub.created_at),
    }
