"""REST-style JSON of Shopify resources: the REST API, webhook payloads and snapshots share it.

Field names and types follow the REST Admin API reference
(https://shopify.dev/docs/api/admin-rest/latest/resources/order, .../product, .../webhook,
.../scripttag, .../shop): money as decimal strings, ids as integers, times as ISO 8601.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sandbox.shopify.state import Order, Product, ScriptTag, Shop, Variant, WebhookSubscription


def iso(timestamp: float | None) -> str | None:
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")


def money(amount: Decimal) -> str:
    """Two-decimal string, as Shopify prints amounts ("19.99", "0.00")."""
    return str(amount.quantize(Decimal("0.01")))


def gid(kind: str, record_id: int) -> str:
    return f"gid://shopify/{kind}/{record_id}"


def shop_json(shop: Shop) -> dict[str, Any]:
    return {
        "id": shop.id,
        "name": shop.name,
        "email": shop.email,
        "domain": shop.domain,
        "myshopify_domain": shop.domain,
        "currency": shop.currency,
        "country_code": shop.country,
        "province_code": shop.province,
        "plan_name": shop.plan,
        "plan_display_name": shop.plan.title(),
        "money_format": "${{amount}}" if shop.currency == "USD" else "{{amount}} €",
        "taxes_included": False,
        "enabled_presentment_currencies": [shop.currency],
    }


def variant_json(variant: Variant) -> dict[str, Any]:
    return {
        "id": variant.id,
        "product_id": variant.product_id,
        "title": variant.title,
        "price": money(variant.price),
        "compare_at_price": money(variant.compare_at_price) if variant.compare_at_price else None,
        "sku": variant.sku,
        "position": variant.position,
        "inventory_policy": variant.inventory_policy,
        "inventory_management": "shopify",
        "inventory_quantity": variant.inventory_quantity,
        "inventory_item_id": variant.inventory_item_id,
        "option1": variant.title,
        "grams": variant.grams,
        "weight": float(Decimal(variant.grams) / 1000),  # REST reports weight as a number
        "weight_unit": "kg",
        "requires_shipping": variant.grams > 0,
        "taxable": True,
        "admin_graphql_api_id": gid("ProductVariant", variant.id),
        "created_at": iso(variant.created_at),
        "updated_at": iso(variant.updated_at),
    }


def product_json(product: Product, image: str) -> dict[str, Any]:
    picture = {
        "id": product.image_id,
        "product_id": product.id,
        "position": 1,
        "src": image,
        "width": 600,
        "height": 600,
        "alt": product.title,
        "variant_ids": [],
    }
    return {
        "id": product.id,
        "title": product.title,
        "handle": product.handle,
        "body_html": product.body_html,
        "vendor": product.vendor,
        "product_type": product.product_type,
        "status": product.status,
        "tags": ", ".join(product.tags),
        "variants": [variant_json(v) for v in product.variants],
        "options": [
            {"name": "Title", "position": 1, "values": [v.title for v in product.variants]}
        ],
        "images": [picture],
        "image": picture,
        "admin_graphql_api_id": gid("Product", product.id),
        "created_at": iso(product.created_at),
        "updated_at": iso(product.updated_at),
        "published_at": iso(product.created_at),
    }


def order_json(order: Order, shop: Shop) -> dict[str, Any]:
    def price_set(amount: Decimal) -> dict[str, Any]:
        value = {"amount": money(amount), "currency_code": order.currency}
        return {"shop_money": value, "presentment_money": value}

    return {
        "id": order.id,
        "admin_graphql_api_id": gid("Order", order.id),
        "name": order.name,
        "order_number": order.number,
        "number": order.number - 1000,
        "email": order.email,
        "currency": order.currency,
        "presentment_currency": order.currency,
        "financial_status": order.financial_status,
        "fulfillment_status": None,
        "tags": ", ".join(order.tags),
        "note": order.note,
        "note_attributes": order.note_attributes,
        "source_name": order.source_name,
        "subtotal_price": money(order.subtotal_price),
        "total_discounts": money(order.total_discounts),
        "total_tax": money(order.total_tax),
        "total_price": money(order.total_price),
        "total_line_items_price": money(
            sum((li.price * li.quantity for li in order.line_items), Decimal(0))
        ),
        "subtotal_price_set": price_set(order.subtotal_price),
        "total_price_set": price_set(order.total_price),
        "total_tax_set": price_set(order.total_tax),
        "discount_codes": [{"code": code, "type": "percentage"} for code in order.discount_codes],
        "tax_lines": [
            {"title": t.title, "rate": float(t.rate), "price": money(t.price)}
            for t in order.tax_lines
        ],
        # Removed lines stay listed, flagged `is_removed` (https://shopify.dev/changelog/
        # add-and-remove-shipping-lines-with-new-mutations-on-the-order-editing-api).
        "shipping_lines": [
            {
                "id": line.id,
                "title": line.title,
                "price": money(line.price),
                "price_set": price_set(line.price),
                "code": line.code or line.title,
                "is_removed": line.removed,
            }
            for line in order.shipping_lines
        ],
        "line_items": [
            {
                "id": li.id,
                "admin_graphql_api_id": gid("LineItem", li.id),
                "variant_id": li.variant_id,
                "product_id": li.product_id,
                "title": li.title,
                "variant_title": li.variant_title,
                "name": f"{li.title} - {li.variant_title}" if li.variant_title else li.title,
                "sku": li.sku,
                "quantity": li.quantity,
                "current_quantity": li.quantity,
                "price": money(li.price),
                "price_set": price_set(li.price),
                "total_discount": money(li.discount),
                "grams": li.grams,
                "taxable": li.taxable,
                "requires_shipping": li.grams > 0,
                "fulfillable_quantity": li.quantity,
            }
            for li in order.line_items
        ],
        "shipping_address": order.shipping_address,
        "billing_address": order.billing_address,
        "customer": {"email": order.email} if order.email else None,
        "app_id": None,
        "test": True,
        "confirmed": True,
        "buyer_accepts_marketing": False,
        "cancelled_at": iso(order.cancelled_at),
        "cancel_reason": order.cancel_reason,
        "processed_at": iso(order.created_at),
        "created_at": iso(order.created_at),
        "updated_at": iso(order.updated_at),
        "order_status_url": f"https://{shop.domain}/{shop.id}/orders/{order.id}/authenticate",
    }


def webhook_json(sub: WebhookSubscription) -> dict[str, Any]:
    return {
        "id": sub.id,
        "address": sub.address,
        "topic": sub.topic,
        "format": sub.format,
        "api_version": sub.api_version,
        "fields": sub.include_fields,
        "metafield_namespaces": [],
        "created_at": iso(sub.created_at),
        "updated_at": iso(sub.created_at),
    }


def script_tag_json(tag: ScriptTag) -> dict[str, Any]:
    return {
        "id": tag.id,
        "src": tag.src,
        "event": tag.event,
        "display_scope": tag.display_scope,
        "cache": tag.cache,
        "created_at": iso(tag.created_at),
        "updated_at": iso(tag.created_at),
    }
