# ruff: noqa: E501 - SDL lines mirror Shopify's schema, one definition a line
"""Order edits that price what they add, and payments recorded on an order afterwards.

- orderEditAddLineItemDiscount
  (https://shopify.dev/docs/api/admin-graphql/2025-10/mutations/orderEditAddLineItemDiscount):
  a fixed amount (off each unit, as the admin's "amount per item") or a percentage off a
  line added in the same edit; "Only items added during the current edit may be
  discounted." otherwise (the error Shopify answers).
- orderEditAddShippingLine
  (https://shopify.dev/docs/api/admin-graphql/2025-10/mutations/orderEditAddShippingLine):
  a custom shipping line with a title and price, staged (stagedStatus ADDED).
- orderEditRemoveShippingLine
  (https://shopify.dev/docs/api/admin-graphql/2025-10/mutations/orderEditRemoveShippingLine):
  takes off one of the calculated order's shipping lines: one of the order's (stagedStatus
  REMOVED until the commit) or one staged in this edit (gone). Its errors carry the only
  OrderEditRemoveShippingLineUserErrorCode, INVALID.
- orderCreateManualPayment
  (https://shopify.dev/docs/api/admin-graphql/2025-10/mutations/orderCreateManualPayment):
  a payment received outside Shopify's checkout, at most the balance due
  (OrderCreateManualPaymentOrderCreateManualPaymentErrorCode for the refusals).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from graphql import GraphQLResolveInfo

from sandbox.shopify import orders
from sandbox.shopify.graphql.mutations import _edit, _order_events, user_error
from sandbox.shopify.graphql.nodes import (
    Ctx,
    calculated_line,
    calculated_order_node,
    calculated_shipping_line,
    order_node,
    parse_gid,
)
from sandbox.shopify.resources import gid
from sandbox.shopify.state import ShippingLine

SDL = """
input OrderEditAppliedDiscountInput { description: String fixedValue: MoneyInput percentValue: Float }
type OrderStagedChangeAddLineItemDiscount { id: ID! description: String! }
type OrderEditAddLineItemDiscountPayload {
  addedDiscountStagedChange: OrderStagedChangeAddLineItemDiscount
  calculatedLineItem: CalculatedLineItem
  calculatedOrder: CalculatedOrder
  userErrors: [UserError!]!
}
input OrderEditAddShippingLineInput { price: MoneyInput! title: String! }
type OrderEditAddShippingLineUserError { field: [String!] message: String! code: String }
type OrderEditAddShippingLinePayload {
  calculatedOrder: CalculatedOrder
  calculatedShippingLine: CalculatedShippingLine
  userErrors: [OrderEditAddShippingLineUserError!]!
}
enum OrderEditRemoveShippingLineUserErrorCode { INVALID }
type OrderEditRemoveShippingLineUserError { field: [String!] message: String! code: OrderEditRemoveShippingLineUserErrorCode }
type OrderEditRemoveShippingLinePayload {
  calculatedOrder: CalculatedOrder
  userErrors: [OrderEditRemoveShippingLineUserError!]!
}
enum OrderCreateManualPaymentOrderCreateManualPaymentErrorCode {
  AMOUNT_EXCEEDS_BALANCE AMOUNT_NOT_POSITIVE CURRENCY_MISMATCH GATEWAY_NOT_FOUND
  ORDER_IS_TEMPORARILY_UNAVAILABLE ORDER_NOT_FOUND PROCESSED_AT_INVALID
}
type OrderCreateManualPaymentOrderCreateManualPaymentError {
  field: [String!]
  message: String!
  code: OrderCreateManualPaymentOrderCreateManualPaymentErrorCode
}
type OrderCreateManualPaymentPayload {
  order: Order
  userErrors: [OrderCreateManualPaymentOrderCreateManualPaymentError!]!
}
extend type Mutation {
  orderEditAddLineItemDiscount(id: ID!, lineItemId: ID!, discount: OrderEditAppliedDiscountInput!): OrderEditAddLineItemDiscountPayload
  orderEditAddShippingLine(id: ID!, shippingLine: OrderEditAddShippingLineInput!): OrderEditAddShippingLinePayload
  orderEditRemoveShippingLine(id: ID!, shippingLineId: ID!): OrderEditRemoveShippingLinePayload
  orderCreateManualPayment(id: ID!, amount: MoneyInput, paymentMethodName: String, processedAt: DateTime): OrderCreateManualPaymentPayload
}
"""

NO_EDIT = "The calculated order does not exist."


def _money(value: dict[str, Any] | None, currency: str) -> Decimal | None:
    """A MoneyInput in the shop's currency; :raises ValueError: another currency or no number."""
    if value is None:
        return None
    if value.get("currencyCode") != currency:
        raise ValueError(f"The currency must be the order's ({currency}).")
    try:
        return Decimal(str(value["amount"]))
    except (InvalidOperation, KeyError):
        raise ValueError("The amount is not a number.") from None


def order_edit_add_line_item_discount(
    _root: Any,
    info: GraphQLResolveInfo,
    id: str,  # noqa: A002
    lineItemId: str,  # noqa: N803
    discount: dict[str, Any],
) -> dict[str, Any]:
    ctx: Ctx = info.context
    failed = {
        "addedDiscountStagedChange": None,
        "calculatedLineItem": None,
        "calculatedOrder": None,
    }
    edit = _edit(ctx, id)
    if edit is None:
        return {**failed, "userErrors": [user_error(["id"], NO_EDIT)]}
    line_id = parse_gid(lineItemId, "CalculatedLineItem")
    added = next(((i, v, q) for i, v, q in edit.added if i == line_id), None)
    if added is None:
        message = "Only items added during the current edit may be discounted."
        return {**failed, "userErrors": [user_error(["lineItemId"], message)]}
    currency = ctx.shop.orders[edit.order_id].currency
    try:
        fixed = _money(discount.get("fixedValue"), currency)
    except ValueError as error:
        return {**failed, "userErrors": [user_error(["discount", "fixedValue"], str(error))]}
    percent = discount.get("percentValue")
    if (fixed is None) == (percent is None):
        message = "Provide either a fixed value or a percentage."
        return {**failed, "userErrors": [user_error(["discount"], message)]}
    if (fixed is not None and fixed <= 0) or (percent is not None and not 0 < percent <= 100):
        message = "The discount must be more than 0 (a percentage at most 100)."
        return {**failed, "userErrors": [user_error(["discount"], message)]}
    description = discount.get("description") or ""
    edit.discounts[line_id] = (
        description,
        fixed,
        Decimal(str(percent)) if percent is not None else None,
    )
    line = next(x for x in orders.edited(ctx.shop, edit).lines if x.line_id == line_id)
    return {
        "addedDiscountStagedChange": {
            "id": gid("OrderStagedChangeAddLineItemDiscount", line_id),
            "description": description,
        },
        "calculatedLineItem": calculated_line(ctx, line),
        "calculatedOrder": calculated_order_node(ctx, edit),
        "userErrors": [],
    }


def order_edit_add_shipping_line(
    _root: Any,
    info: GraphQLResolveInfo,
    id: str,  # noqa: A002
    shippingLine: dict[str, Any],  # noqa: N803
) -> dict[str, Any]:
    ctx: Ctx = info.context
    failed = {"calculatedOrder": None, "calculatedShippingLine": None}
    edit = _edit(ctx, id)
    if edit is None:
        return {**failed, "userErrors": [user_error(["id"], NO_EDIT)]}
    currency = ctx.shop.orders[edit.order_id].currency
    try:
        price = _money(shippingLine["price"], currency)
    except ValueError as error:
        return {**failed, "userErrors": [user_error(["shippingLine", "price"], str(error))]}
    title = (shippingLine.get("title") or "").strip()
    if price is None or price < 0 or not title:
        message = "A shipping line needs a title and a price of 0 or more."
        return {**failed, "userErrors": [user_error(["shippingLine"], message)]}
    added = ShippingLine(ctx.emulator.state.next_id(), title, price)
    edit.shipping.append(added)
    return {
        "calculatedOrder": calculated_order_node(ctx, edit),
        "calculatedShippingLine": calculated_shipping_line(
            orders.EditedShipping(added, "ADDED"), currency
        ),
        "userErrors": [],
    }


def order_edit_remove_shipping_line(
    _root: Any,
    info: GraphQLResolveInfo,
    id: str,  # noqa: A002
    shippingLineId: str,  # noqa: N803
) -> dict[str, Any]:
    ctx: Ctx = info.context
    edit = _edit(ctx, id)
    if edit is None:
        return {"calculatedOrder": None, "userErrors": [user_error(["id"], NO_EDIT)]}
    line_id = parse_gid(shippingLineId, "CalculatedShippingLine")
    order = ctx.shop.orders[edit.order_id]
    kept = {line.id for line in order.current_shipping_lines} - edit.removed_shipping
    if any(line.id == line_id for line in edit.shipping):
        edit.shipping = [line for line in edit.shipping if line.id != line_id]
    elif line_id in kept:
        edit.removed_shipping.add(line_id)
    else:
        message = "The shipping line does not exist or was already removed."
        error = user_error(["shippingLineId"], message, code="INVALID")
        return {"calculatedOrder": None, "userErrors": [error]}
    return {"calculatedOrder": calculated_order_node(ctx, edit), "userErrors": []}


def order_create_manual_payment(
    _root: Any,
    info: GraphQLResolveInfo,
    id: str,  # noqa: A002
    amount: dict[str, Any] | None = None,
    paymentMethodName: str | None = None,  # noqa: N803
    processedAt: str | None = None,  # noqa: N803
) -> dict[str, Any]:
    ctx: Ctx = info.context
    order = ctx.shop.orders.get(parse_gid(id, "Order") or -1)
    if order is None:
        error = user_error(["id"], "Order is not found.", code="ORDER_NOT_FOUND")
        return {"order": None, "userErrors": [error]}
    try:
        value = _money(amount, order.currency)
    except ValueError as problem:
        error = user_error(["amount"], str(problem), code="CURRENCY_MISMATCH")
        return {"order": None, "userErrors": [error]}
    try:
        orders.record_manual_payment(ctx.emulator.state, order, value, paymentMethodName, ctx.now)
    except orders.OrderError as problem:
        error = user_error(problem.field, str(problem), code=problem.code)
        return {"order": None, "userErrors": [error]}
    _order_events(ctx, order)
    return {"order": order_node(ctx, order), "userErrors": []}


MUTATIONS = {
    "orderEditAddLineItemDiscount": order_edit_add_line_item_discount,
    "orderEditAddShippingLine": order_edit_add_shipping_line,
    "orderEditRemoveShippingLine": order_edit_remove_shipping_line,
    "orderCreateManualPayment": order_create_manual_payment,
}
