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
An order to collect has a billing address and no shipping address, the pickup as its
(free) shipping line with the pickup's handle as code, and a "Local pickup" note
attribute: orderCreate takes no delivery method, so that is where staff read it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import ROUND_CEILING, Decimal
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
from platforms.shopify.pricing import _mailing_address, shop_amount, variant_gid

PICKUP_ATTRIBUTE = "Local pickup"  # the order's note attribute naming where it is collected
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

ORDER_STATE = """
  id tags
  lineItems(first: 250) { nodes { quantity variant { id } } }
  transactions(first: 50) { gateway }
  totalOutstandingSet { shopMoney { amount } }
"""

ORDER_LINES = f"""
query OrderLines($id: ID!) {{ order(id: $id) {{ {ORDER_STATE} }} }}
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
    calculatedLineItem { id }
    calculatedOrder { totalOutstandingSet { shopMoney { amount } } }
    userErrors { field message }
  }
}
"""

EDIT_DISCOUNT = """
mutation Discount($id: ID!, $lineItemId: ID!, $discount: OrderEditAppliedDiscountInput!) {
  orderEditAddLineItemDiscount(id: $id, lineItemId: $lineItemId, discount: $discount) {
    calculatedOrder { totalOutstandingSet { shopMoney { amount } } } userErrors { field message }
  }
}
"""

EDIT_SHIPPING = """
mutation Ship($id: ID!, $shippingLine: OrderEditAddShippingLineInput!) {
  orderEditAddShippingLine(id: $id, shippingLine: $shippingLine) {
    calculatedOrder { totalOutstandingSet { shopMoney { amount } } } userErrors { field message }
  }
}
"""

EDIT_COMMIT = f"""
mutation Commit($id: ID!, $staffNote: String) {{
  orderEditCommit(id: $id, notifyCustomer: true, staffNote: $staffNote) {{
    order {{ {ORDER_STATE} }} userErrors {{ field message }}
  }}
}}
"""

MANUAL_PAYMENT = """
mutation Paid($id: ID!, $amount: MoneyInput!, $paymentMethodName: String!) {
  orderCreateManualPayment(id: $id, amount: $amount, paymentMethodName: $paymentMethodName) {
    order { id } userErrors { field message code }
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
        """An order edit adds the variant at the offer's price, with its shipping, then the
        gateway's charge is recorded as the order's payment, so Shopify shows it paid
        (https://shopify.dev/docs/apps/build/orders-fulfillment/order-management-apps/edit-orders):
        orderEditBegin, orderEditAddVariant, orderEditAddLineItemDiscount (the offer's
        discount, an amount off each unit), orderEditAddShippingLine (when the offer's
        shipping is not free), orderEditCommit; then orderCreateManualPayment
        (https://shopify.dev/docs/api/admin-graphql/2025-10/mutations/orderCreateManualPayment)
        named after the gateway, its charge and the marker. Shopify recomputes the
        edited order's tax itself, on the whole order (an edit takes no tax input), while
        the offer's tax was quoted for the item alone: the two can round a cent apart.
        The payment records what was charged, or the balance when Shopify's came out
        lower; a cent higher is taken off the item before the commit (see _edit).

        An edit cannot carry a tag, so the marker goes first, as a tag naming the variant's
        quantity the edit leads to ("<marker>:<quantity>", tagsAdd:
        https://shopify.dev/docs/api/admin-graphql/latest/mutations/tagsAdd); a retry that
        finds the tag and that quantity knows the edit was committed, and one that finds
        a payment named with the marker knows it was recorded.
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
        edited = marked is not None and held >= int(marked.removeprefix(prefix))
        if not edited:
            if marked is None:
                tag = f"{prefix}{held + line.quantity}"
                _mutate(shop_id, TAGS_ADD, "tagsAdd", {"id": platform_order_id, "tags": [tag]})
            order = self._edit(shop_id, order, line)
        if not any(line.marker in (t.get("gateway") or "") for t in order["transactions"]):
            self._record_payment(shop_id, order, line)
        return not edited

    def _edit(self, shop_id: int, order: dict[str, Any], line: LineToAdd) -> dict[str, Any]:
        """One committed order edit: the item at the offer's price and its shipping; the
        order after it.

        Shopify's tax on the whole edited order can round a cent above the item's own
        quoted tax, which would leave that cent due; the staged edit shows it before the
        commit, so such an edit is left uncommitted (Shopify discards it) and staged
        again with the difference added to the item's discount.
        """
        before = _outstanding(order)
        edit_id, due = self._stage(shop_id, order["id"], line, Decimal(0))
        over = due - before - line.charge.amount
        if over > 0:
            extra = (over / line.quantity).quantize(Decimal("0.01"), rounding=ROUND_CEILING)
            edit_id, due = self._stage(shop_id, order["id"], line, extra)
        note = {"id": edit_id, "staffNote": line.marker}
        return _mutate(shop_id, EDIT_COMMIT, "orderEditCommit", note)["order"]

    def _stage(
        self, shop_id: int, order_id: str, line: LineToAdd, extra_off_each: Decimal
    ) -> tuple[str, Decimal]:
        """An order edit staged, not committed: its id and the order's balance after it."""
        begun = _mutate(shop_id, EDIT_BEGIN, "orderEditBegin", {"id": order_id})
        edit_id = begun["calculatedOrder"]["id"]
        variant = variant_gid(line.variant_id)
        variables = {"id": edit_id, "variantId": variant, "quantity": line.quantity}
        staged = _mutate(shop_id, EDIT_ADD, "orderEditAddVariant", variables)
        line_id = staged["calculatedLineItem"]["id"]
        off_each = min(
            line.list_unit_price - line.unit_price + extra_off_each, line.list_unit_price
        )
        if off_each > 0:
            discount = {
                "description": "Post-purchase offer",
                "fixedValue": {"amount": str(off_each), "currencyCode": line.currency},
            }
            variables = {"id": edit_id, "lineItemId": line_id, "discount": discount}
            staged = _mutate(shop_id, EDIT_DISCOUNT, "orderEditAddLineItemDiscount", variables)
        if line.shipping > 0:
            shipping = {
                "title": "Shipping for an added item",
                "price": {"amount": str(line.shipping), "currencyCode": line.currency},
            }
            variables = {"id": edit_id, "shippingLine": shipping}
            staged = _mutate(shop_id, EDIT_SHIPPING, "orderEditAddShippingLine", variables)
        return edit_id, _outstanding(staged["calculatedOrder"])

    def _record_payment(self, shop_id: int, order: dict[str, Any], line: LineToAdd) -> None:
        amount = min(line.charge.amount, _outstanding(order))
        if amount <= 0:
            return
        variables = {
            "id": order["id"],
            "amount": {"amount": str(amount), "currencyCode": line.currency},
            "paymentMethodName": f"{line.charge.gateway} {line.charge.intent_id} ({line.marker})",
        }
        _mutate(shop_id, MANUAL_PAYMENT, "orderCreateManualPayment", variables)

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


def _outstanding(order: dict[str, Any]) -> Decimal:
    return shop_amount(order["totalOutstandingSet"])


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
    shipping = order.shipping
    pickup = shipping is not None and shipping.pickup
    if order.shipping_address is not None:
        address = _mailing_address(order.shipping_address)
        data["billingAddress"] = address
        if not pickup:  # an order to collect ships nowhere, as Shopify's own pickup orders
            data["shippingAddress"] = address
    if shipping is not None:
        data["shippingLines"] = [
            {"title": shipping.title, "code": shipping.id, "priceSet": money(shipping.price)}
        ]
        if shipping.pickup:
            # orderCreate cannot make the order's fulfillment a pickup (OrderCreateOrderInput
            # has no delivery method), so staff read where it is collected on the order itself.
            details = " ".join(filter(None, (shipping.title, shipping.instructions)))
            data["customAttributes"] = [{"key": PICKUP_ATTRIBUTE, "value": details}]
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
        total=shop_amount(node["totalPriceSet"]),
    )
