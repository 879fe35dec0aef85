"""Writing Cartpath's paid orders to a Shopify shop (custom-app hosted mode), GraphQL only.

orderCreate (https://shopify.dev/docs/api/admin-graphql/latest/mutations/orderCreate)
records the order as Cartpath sold it: the quoted unit prices, shipping line, tax and
discount code, and a SALE transaction for what the gateway charged, so Shopify shows
it paid without charging anyone. Options: inventory decremented obeying each variant's
policy and the shop's receipt sent
(https://shopify.dev/docs/api/admin-graphql/latest/input-objects/OrderCreateOptionsInput).
orderCreate takes no idempotency key (only mutations with the @idempotent directive do,
https://shopify.dev/docs/api/usage/idempotent-requests), so the order carries the tag
"cartpath-<reference>" and is looked up by it before any retried create
(search syntax: https://shopify.dev/docs/api/usage/search-syntax). Shopify's search
index can trail a create by a few seconds: the write-back's first retry waits longer.
draftOrderComplete was the alternative; it re-prices the draft at completion and
records its own "manual" payment, so the charge could not name the gateway or intent.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from platforms.errors import FinalError
from platforms.orders import (
    LineToAdd,
    OrderToWrite,
    PlatformOrderRef,
    reference_in_tags,
    reference_label,
)
from platforms.shopify.admin import graphql
from platforms.shopify.client import call
from platforms.shopify.pricing import _mailing_address, variant_gid

PAGE = 100  # orders per page when reconciling (a query may cost at most 1000 points)

ORDER_FIELDS = "id name tags totalPriceSet { shopMoney { amount } }"

FIND = f"""
query FindOrder($query: String!) {{
  orders(first: 5, query: $query) {{ nodes {{ {ORDER_FIELDS} }} }}
}}
"""

LIST = f"""
query CartpathOrders($query: String!, $first: Int!, $after: String) {{
  orders(first: $first, after: $after, query: $query) {{
    nodes {{ {ORDER_FIELDS} }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}
"""

CREATE = f"""
mutation WriteOrder($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) {{
  orderCreate(order: $order, options: $options) {{
    order {{ {ORDER_FIELDS} }}
    userErrors {{ field message code }}
  }}
}}
"""

ORDER_LINES = """
query OrderLines($id: ID!) {
  order(id: $id) { id tags lineItems(first: 250) { nodes { quantity variant { id } } } }
}
"""

TAGS_ADD = """
mutation Mark($id: ID!, $tags: [String!]!) {
  tagsAdd(id: $id, tags: $tags) { node { id } userErrors { field message } }
}
"""

EDIT_BEGIN = """
mutation Begin($id: ID!) {
  orderEditBegin(id: $id) { calculatedOrder { id } userErrors { field message } }
}
"""

EDIT_ADD = """
mutation Add($id: ID!, $variantId: ID!, $quantity: Int!) {
  orderEditAddVariant(id: $id, variantId: $variantId, quantity: $quantity, allowDuplicates: true) {
    calculatedLineItem { id } userErrors { field message }
  }
}
"""

EDIT_COMMIT = """
mutation Commit($id: ID!, $staffNote: String) {
  orderEditCommit(id: $id, notifyCustomer: true, staffNote: $staffNote) {
    order { id } userErrors { field message }
  }
}
"""


class ShopifyOrders:
    """OrderWriter for Shopify shops installed as a custom app."""

    def find(self, shop_id: int, reference: str, hint: str | None) -> PlatformOrderRef | None:
        label = reference_label(reference)
        variables = {"query": f'tag:"{label}"'}
        nodes = call(shop_id, lambda: graphql(FIND, variables))["orders"]["nodes"]
        # The search matches words loosely; only the exact tag counts.
        found = next((n for n in nodes if label in n["tags"]), None)
        return _ref(found) if found else None

    def create(self, shop_id: int, order: OrderToWrite) -> PlatformOrderRef:
        variables = {
            "order": order_input(order),
            "options": {"inventoryBehaviour": "DECREMENT_OBEYING_POLICY", "sendReceipt": True},
        }
        data = call(shop_id, lambda: graphql(CREATE, variables))["orderCreate"]
        if data["userErrors"]:
            message = "; ".join(e["message"] for e in data["userErrors"])
            raise FinalError(f"Shopify refused the order: {message}")
        return _ref(data["order"])

    def add_line(self, shop_id: int, platform_order_id: str, line: LineToAdd) -> bool:
        """An order edit adds the variant (orderEditBegin, orderEditAddVariant, orderEditCommit:
        https://shopify.dev/docs/apps/build/orders-fulfillment/order-management-apps/edit-orders).

        An edit cannot carry a tag, so the marker goes first, as a tag naming the variant's
        quantity the edit leads to ("<marker>:<quantity>", tagsAdd:
        https://shopify.dev/docs/api/admin-graphql/latest/mutations/tagsAdd); a retry that
        finds the tag and that quantity knows the edit was committed. The line is added at
        the variant's price: the sandbox has no orderEditAddLineItemDiscount.
        """
        order = call(shop_id, lambda: graphql(ORDER_LINES, {"id": platform_order_id}))["order"]
        if order is None:
            raise FinalError(f"Shopify has no order {platform_order_id}")
        wanted = variant_gid(line.variant_id)
        held = sum(
            n["quantity"]
            for n in order["lineItems"]["nodes"]
            if (n.get("variant") or {}).get("id") == wanted
        )
        prefix = f"{line.marker}:"
        marked = next((t for t in order["tags"] if t.startswith(prefix)), None)
        if marked is not None and held >= int(marked.removeprefix(prefix)):
            return False
        if marked is None:
            tag = f"{prefix}{held + line.quantity}"
            _mutate(shop_id, TAGS_ADD, "tagsAdd", {"id": platform_order_id, "tags": [tag]})
        begun = _mutate(shop_id, EDIT_BEGIN, "orderEditBegin", {"id": platform_order_id})
        edit_id = begun["calculatedOrder"]["id"]
        variables = {"id": edit_id, "variantId": wanted, "quantity": line.quantity}
        _mutate(shop_id, EDIT_ADD, "orderEditAddVariant", variables)
        _mutate(shop_id, EDIT_COMMIT, "orderEditCommit", {"id": edit_id, "staffNote": line.marker})
        return True

    def list_references(self, shop_id: int, since: datetime) -> dict[str, PlatformOrderRef]:
        query = f"created_at:>={since.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"
        found: dict[str, PlatformOrderRef] = {}
        after = None
        while True:
            variables = {"query": query, "first": PAGE, "after": after}
            page = call(shop_id, lambda v=variables: graphql(LIST, v))["orders"]
            for node in page["nodes"]:
                reference = reference_in_tags(node["tags"])
                if reference:
                    found[reference] = _ref(node)
            if not page["pageInfo"]["hasNextPage"]:
                return found
            after = page["pageInfo"]["endCursor"]


def _mutate(shop_id: int, mutation: str, name: str, variables: dict[str, Any]) -> dict[str, Any]:
    data = call(shop_id, lambda: graphql(mutation, variables))[name]
    if data["userErrors"]:
        message = "; ".join(e["message"] for e in data["userErrors"])
        raise FinalError(f"Shopify refused {name}: {message}")
    return data


def order_input(order: OrderToWrite) -> dict[str, Any]:
    """OrderCreateOrderInput (https://shopify.dev/docs/api/admin-graphql/latest/input-objects/OrderCreateOrderInput)."""

    def money(amount: Decimal) -> dict[str, Any]:
        return {"shopMoney": {"amount": str(amount), "currencyCode": order.currency}}

    data: dict[str, Any] = {
        "currency": order.currency,
        "email": order.email or None,
        "tags": [reference_label(order.reference)],
        "lineItems": [
            {
                "variantId": variant_gid(line.variant_id),
                "quantity": line.quantity,
                "priceSet": money(line.unit_price),
            }
            for line in order.lines
        ],
        "transactions": [
            {
                "kind": "SALE",
                "status": "SUCCESS",
                "gateway": order.charge.gateway,
                "authorizationCode": order.charge.intent_id,
                "amountSet": money(order.charge.amount),
            }
        ],
    }
    if order.shipping_address is not None:
        address = _mailing_address(order.shipping_address)
        data["shippingAddress"] = data["billingAddress"] = address
    if order.shipping is not None:
        data["shippingLines"] = [
            {
                "title": order.shipping.title,
                "code": order.shipping.id,
                "priceSet": money(order.shipping.price),
            }
        ]
    if order.tax_total:
        data["taxLines"] = [
            {"title": "Tax", "rate": str(_tax_rate(order)), "priceSet": money(order.tax_total)}
        ]
    if order.discount_code and order.discount_total:
        # One code per order; a fixed amount keeps the discount exactly as quoted.
        data["discountCode"] = {
            "itemFixedDiscountCode": {
                "code": order.discount_code,
                "amountSet": money(order.discount_total),
            }
        }
    return {name: value for name, value in data.items() if value is not None}


def _tax_rate(order: OrderToWrite) -> Decimal:
    """OrderCreateTaxLineInput needs a rate; the quote gives only the amount, so the rate
    is the effective one over what was taxed (the amount, priceSet, is what counts)."""
    taxed = order.subtotal - order.discount_total + order.shipping_total
    return (order.tax_total / taxed).quantize(Decimal("0.0001")) if taxed > 0 else Decimal(0)


def _ref(node: dict[str, Any]) -> PlatformOrderRef:
    return PlatformOrderRef(
        platform_id=node["id"],
        number=node["name"],
        total=Decimal(str(node["totalPriceSet"]["shopMoney"]["amount"])),
    )
