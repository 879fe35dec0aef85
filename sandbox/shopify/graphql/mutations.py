"""Mutation resolvers. Input problems become userErrors in the payload, as Shopify answers them.

Each resolver runs with `state.lock` held (the endpoint takes it for the whole request),
so a mutation commits completely before the answer is written, even if it is then lost.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from graphql import GraphQLResolveInfo

from sandbox.shopify import orders
from sandbox.shopify.graphql.nodes import (
    Ctx,
    calculated_draft_node,
    calculated_line,
    calculated_order_node,
    draft_lines,
    draft_node,
    order_node,
    parse_gid,
    webhook_node,
)
from sandbox.shopify.pricing import PricingError, Quote, quote
from sandbox.shopify.resources import gid, order_json
from sandbox.shopify.state import DraftOrder, OrderEdit, TaxLine, WebhookSubscription
from sandbox.shopify.webhooks import rest_topic


def user_error(field: list[str] | None, message: str, **extra: Any) -> dict[str, Any]:
    return {"field": field, "message": message, **extra}


def _amount(bag: dict[str, Any] | None) -> Decimal | None:
    if not bag:
        return None
    try:
        return Decimal(str(bag["shopMoney"]["amount"]))
    except (InvalidOperation, KeyError, TypeError):
        raise PricingError(["amount"], "Amount is not a decimal") from None


def _quote_input(ctx: Ctx, data: dict[str, Any]) -> Quote:
    shipping = data.get("shippingLine") or {}
    return quote(
        ctx.shop,
        draft_lines(data),
        address=data.get("shippingAddress"),
        discount_codes=data.get("discountCodes") or [],
        shipping_handle=shipping.get("shippingRateHandle"),
        now=ctx.now,
    )


def draft_order_calculate(_root: Any, info: GraphQLResolveInfo, input: dict) -> dict:  # noqa: A002
    ctx: Ctx = info.context
    try:
        priced = _quote_input(ctx, input)
    except PricingError as error:
        return {
            "calculatedDraftOrder": None,
            "userErrors": [user_error(["input", *error.field], str(error))],
        }
    return {"calculatedDraftOrder": calculated_draft_node(ctx, priced), "userErrors": []}


def draft_order_create(_root: Any, info: GraphQLResolveInfo, input: dict) -> dict:  # noqa: A002
    ctx: Ctx = info.context
    try:
        priced = _quote_input(ctx, input)
    except PricingError as error:
        return {"draftOrder": None, "userErrors": [user_error(["input", *error.field], str(error))]}
    state = ctx.emulator.state
    draft_id = state.next_id()
    draft = DraftOrder(
        id=draft_id,
        name=f"#D{len(ctx.shop.draft_orders) + 1}",
        email=input.get("email") or "",
        lines=draft_lines(input),
        shipping_address=input.get("shippingAddress"),
        discount_code=priced.discount_code,
        shipping_handle=priced.shipping.handle if priced.shipping else None,
        tags=input.get("tags") or [],
        note=input.get("note") or "",
        created_at=ctx.now,
    )
    ctx.shop.draft_orders[draft_id] = draft
    return {"draftOrder": draft_node(ctx, draft, priced), "userErrors": []}


def draft_order_complete(
    _root: Any, info: GraphQLResolveInfo, id: str, paymentPending: bool = False
) -> dict:  # noqa: A002, N803
    """paymentPending false marks the order paid (a sale transaction for the total)."""
    ctx: Ctx = info.context
    draft = ctx.shop.draft_orders.get(parse_gid(id, "DraftOrder") or -1)
    if draft is None:
        return {
            "draftOrder": None,
            "userErrors": [user_error(["id"], "Draft order does not exist")],
        }
    priced = quote(
        ctx.shop,
        draft.lines,
        address=draft.shipping_address,
        discount_codes=[draft.discount_code] if draft.discount_code else [],
        shipping_handle=draft.shipping_handle,
        now=ctx.now,
    )
    if draft.status == "completed":
        return {
            "draftOrder": draft_node(ctx, draft, priced),
            "userErrors": [user_error(["id"], "This order has been paid")],
        }
    payment = [] if paymentPending else [("sale", "success", priced.total, "manual")]
    new = orders.from_quote(
        priced,
        email=draft.email,
        tags=draft.tags,
        note=draft.note,
        shipping_address=draft.shipping_address,
        transactions=payment,
        source_name="shopify_draft_order",
    )
    order = orders.create(ctx.emulator.state, ctx.shop, new, ctx.now, ctx.token.client_id)
    draft.status, draft.order_id = "completed", order.id
    _order_events(ctx, order, created=True)
    return {"draftOrder": draft_node(ctx, draft, priced), "userErrors": []}


def _order_input(data: dict[str, Any], options: dict[str, Any]) -> orders.NewOrder:
    lines = []
    for index, line in enumerate(data.get("lineItems") or []):
        variant_id = None
        if line.get("variantId"):
            variant_id = parse_gid(line["variantId"], "ProductVariant")
            if variant_id is None:
                raise orders.OrderError(
                    ["order", "lineItems", str(index), "variantId"], "Variant does not exist"
                )
        lines.append(
            orders.NewLine(
                variant_id,
                line["quantity"],
                line.get("title"),
                _amount(line.get("priceSet")),
                line.get("sku"),
            )
        )
    discount, code = Decimal(0), None
    codes = data.get("discountCode") or {}
    subtotal = Decimal(0)
    if codes.get("itemPercentageDiscountCode") or codes.get("itemFixedDiscountCode"):
        # Needs line prices to compute a percentage: price the lines the way create() will.
        subtotal = sum((ln.price or Decimal(0)) * ln.quantity for ln in lines)
    if codes.get("itemPercentageDiscountCode"):
        spec = codes["itemPercentageDiscountCode"]
        code = spec["code"]
        discount = (subtotal * Decimal(str(spec.get("percentage") or 0)) / 100).quantize(
            Decimal("0.01")
        )
    elif codes.get("itemFixedDiscountCode"):
        spec = codes["itemFixedDiscountCode"]
        code, discount = spec["code"], _amount(spec.get("amountSet")) or Decimal(0)
    shipping = (data.get("shippingLines") or [None])[0]
    return orders.NewOrder(
        lines=lines,
        email=data.get("email") or "",
        tags=data.get("tags") or [],
        note=data.get("note") or "",
        shipping_address=data.get("shippingAddress"),
        billing_address=data.get("billingAddress"),
        tax_lines=[
            TaxLine(t["title"], Decimal(str(t["rate"])), _amount(t.get("priceSet")) or Decimal(0))
            for t in data.get("taxLines") or []
        ],
        shipping_title=shipping["title"] if shipping else None,
        shipping_code=shipping.get("code") if shipping else None,
        shipping_price=_amount(shipping["priceSet"]) if shipping else Decimal(0),
        discount_code=code,
        discount=discount,
        transactions=[
            (
                (t.get("kind") or "SALE").lower(),
                (t.get("status") or "SUCCESS").lower(),
                _amount(t["amountSet"]) or Decimal(0),
                t.get("gateway") or "manual",
                t.get("authorizationCode") or "",
            )
            for t in data.get("transactions") or []
        ],
        financial_status=(data.get("financialStatus") or "").lower() or None,
        inventory_behaviour=options.get("inventoryBehaviour") or "BYPASS",
        send_receipt=bool(options.get("sendReceipt")),
        source_name=data.get("sourceName") or "api",
        note_attributes=[
            {"name": a["key"], "value": a["value"]} for a in data.get("customAttributes") or []
        ],
    )


def order_create(
    _root: Any, info: GraphQLResolveInfo, order: dict, options: dict | None = None
) -> dict:
    """orderCreate: https://shopify.dev/docs/api/admin-graphql/2025-10/mutations/orderCreate."""
    ctx: Ctx = info.context
    try:
        new = _order_input(order, options or {})
        orders.check_dev_store_limit(ctx.shop, ctx.now)
        created = orders.create(ctx.emulator.state, ctx.shop, new, ctx.now, ctx.token.client_id)
    except (orders.OrderError, PricingError) as error:
        code = getattr(error, "code", "INVALID")
        return {"order": None, "userErrors": [user_error(error.field, str(error), code=code)]}
    ctx.shop.order_times.append(ctx.now)
    _order_events(ctx, created, created=True)
    return {"order": order_node(ctx, created), "userErrors": []}


def _order_events(ctx: Ctx, order, *, created: bool = False) -> None:
    payload = order_json(order, ctx.shop)
    hooks = ctx.emulator.webhooks
    hooks.emit(ctx.shop, "orders/create" if created else "orders/updated", payload)
    if order.financial_status == "paid":
        hooks.emit(ctx.shop, "orders/paid", payload)


def _edit(ctx: Ctx, edit_id: str) -> OrderEdit | None:
    edit = ctx.shop.order_edits.get(parse_gid(edit_id, "CalculatedOrder") or -1)
    return edit if edit is not None and not edit.committed else None


def order_edit_begin(_root: Any, info: GraphQLResolveInfo, id: str) -> dict:  # noqa: A002
    ctx: Ctx = info.context
    order = ctx.shop.orders.get(parse_gid(id, "Order") or -1)
    if order is None:
        return {
            "calculatedOrder": None,
            "userErrors": [user_error(["id"], "The order does not exist.")],
        }
    if order.cancelled_at is not None:
        return {
            "calculatedOrder": None,
            "userErrors": [user_error(["id"], "Cancelled orders can't be edited.")],
        }
    edit = OrderEdit(ctx.emulator.state.next_id(), order.id, [], {})
    ctx.shop.order_edits[edit.id] = edit
    return {"calculatedOrder": calculated_order_node(ctx, edit), "userErrors": []}


def order_edit_add_variant(
    _root: Any,
    info: GraphQLResolveInfo,
    id: str,
    variantId: str,  # noqa: A002, N803
    quantity: int,
    allowDuplicates: bool = False,
) -> dict:  # noqa: N803
    ctx: Ctx = info.context
    failed = {"calculatedLineItem": None, "calculatedOrder": None}
    edit = _edit(ctx, id)
    if edit is None:
        return {
            **failed,
            "userErrors": [user_error(["id"], "The calculated order does not exist.")],
        }
    variant = ctx.shop.variant(parse_gid(variantId, "ProductVariant") or -1)
    if variant is None:
        return {**failed, "userErrors": [user_error(["variantId"], "The variant does not exist.")]}
    if quantity < 1:
        return {
            **failed,
            "userErrors": [user_error(["quantity"], "Quantity must be greater than 0.")],
        }
    order = ctx.shop.orders[edit.order_id]
    present = any(li.variant_id == variant.id for li in order.line_items) or any(
        v == variant.id for _, v, _ in edit.added
    )
    if present and not allowDuplicates:
        return {
            **failed,
            "userErrors": [
                user_error(
                    ["variantId"],
                    "The variant is already in the order; set allowDuplicates to add it again.",
                )
            ],
        }
    line_id = ctx.emulator.state.next_id()
    edit.added.append((line_id, variant.id, quantity))
    node = calculated_order_node(ctx, edit)
    line = next(x for x in orders.edited(ctx.shop, edit).lines if x.line_id == line_id)
    return {
        "calculatedLineItem": calculated_line(ctx, line),
        "calculatedOrder": node,
        "userErrors": [],
    }


def order_edit_set_quantity(
    _root: Any,
    info: GraphQLResolveInfo,
    id: str,
    lineItemId: str,  # noqa: A002, N803
    quantity: int,
    restock: bool = False,
) -> dict:
    ctx: Ctx = info.context
    failed = {"calculatedLineItem": None, "calculatedOrder": None}
    edit = _edit(ctx, id)
    if edit is None:
        return {
            **failed,
            "userErrors": [user_error(["id"], "The calculated order does not exist.")],
        }
    if quantity < 0:
        return {**failed, "userErrors": [user_error(["quantity"], "Quantity can't be negative.")]}
    line_id = parse_gid(lineItemId, "CalculatedLineItem")
    order = ctx.shop.orders[edit.order_id]
    if any(li.id == line_id for li in order.line_items):
        edit.quantities[line_id] = quantity
        if restock:
            edit.restock.add(line_id)
    elif any(added_id == line_id for added_id, _, _ in edit.added):
        edit.added = [(i, v, quantity if i == line_id else q) for i, v, q in edit.added]
    else:
        return {
            **failed,
            "userErrors": [user_error(["lineItemId"], "The line item does not exist.")],
        }
    line = next(x for x in orders.edited(ctx.shop, edit).lines if x.line_id == line_id)
    return {
        "calculatedLineItem": calculated_line(ctx, line),
        "calculatedOrder": calculated_order_node(ctx, edit),
        "userErrors": [],
    }


def order_edit_commit(
    _root: Any,
    info: GraphQLResolveInfo,
    id: str,
    notifyCustomer: bool = False,  # noqa: A002, N803
    staffNote: str | None = None,
) -> dict:  # noqa: N803
    ctx: Ctx = info.context
    edit = _edit(ctx, id)
    if edit is None:
        return {
            "order": None,
            "userErrors": [user_error(["id"], "The calculated order does not exist.")],
        }
    order = orders.commit_edit(ctx.shop, edit, ctx.now)
    _order_events(ctx, order)
    return {"order": order_node(ctx, order), "userErrors": []}


def tags_add(_root: Any, info: GraphQLResolveInfo, id: str, tags: list[str]) -> dict:  # noqa: A002
    """tagsAdd (https://shopify.dev/docs/api/admin-graphql/latest/mutations/tagsAdd): tags as
    a list, or one comma-separated string; tags already present are kept once."""
    ctx: Ctx = info.context
    order = ctx.shop.orders.get(parse_gid(id, "Order") or -1)
    if order is None:
        return {"node": None, "userErrors": [user_error(["id"], "Resource not found")]}
    for tag in (t.strip() for value in tags for t in value.split(",")):
        if tag and tag not in order.tags:
            order.tags.append(tag)
    return {"node": order_node(ctx, order), "userErrors": []}


def webhook_subscription_create(
    _root: Any, info: GraphQLResolveInfo, topic: str, webhookSubscription: dict
) -> dict:  # noqa: N803
    ctx: Ctx = info.context
    address = webhookSubscription.get("uri") or webhookSubscription.get("callbackUrl") or ""
    if not address.startswith(("https://", "http://")):
        return {
            "webhookSubscription": None,
            "userErrors": [
                user_error(["webhookSubscription", "callbackUrl"], "Address is invalid")
            ],
        }
    name = rest_topic(topic)
    mine = [w for w in ctx.shop.webhooks.values() if w.client_id == ctx.token.client_id]
    if any(w.topic == name and w.address == address for w in mine):
        return {
            "webhookSubscription": None,
            "userErrors": [
                user_error(
                    ["webhookSubscription", "callbackUrl"],
                    "Address for this topic has already been taken",
                )
            ],
        }
    app = ctx.emulator.state.apps[ctx.token.client_id]
    sub = WebhookSubscription(
        id=ctx.emulator.state.next_id(),
        client_id=app.client_id,
        topic=name,
        address=address,
        format=(webhookSubscription.get("format") or "JSON").lower(),
        api_version=app.webhook_api_version,
        include_fields=webhookSubscription.get("includeFields") or [],
        created_at=ctx.now,
    )
    ctx.shop.webhooks[sub.id] = sub
    return {"webhookSubscription": webhook_node(sub), "userErrors": []}


def webhook_subscription_delete(_root: Any, info: GraphQLResolveInfo, id: str) -> dict:  # noqa: A002
    ctx: Ctx = info.context
    sub = ctx.shop.webhooks.get(parse_gid(id, "WebhookSubscription") or -1)
    if sub is None or sub.client_id != ctx.token.client_id:
        return {
            "deletedWebhookSubscriptionId": None,
            "userErrors": [user_error(["id"], "Webhook subscription does not exist")],
        }
    del ctx.shop.webhooks[sub.id]
    return {"deletedWebhookSubscriptionId": gid("WebhookSubscription", sub.id), "userErrors": []}


def app_uninstall(_root: Any, info: GraphQLResolveInfo) -> dict:
    """The app uninstalls itself (2025-07+): app/uninstalled fires, then tokens die."""
    ctx: Ctx = info.context
    app = ctx.emulator.state.apps[ctx.token.client_id]
    ctx.emulator.uninstall(ctx.shop, app.client_id)
    return {
        "app": {"id": gid("App", app.app_id), "title": app.name, "apiKey": app.client_id},
        "userErrors": [],
    }


RESOLVERS = {
    "draftOrderCalculate": draft_order_calculate,
    "draftOrderCreate": draft_order_create,
    "draftOrderComplete": draft_order_complete,
    "orderCreate": order_create,
    "orderEditBegin": order_edit_begin,
    "orderEditAddVariant": order_edit_add_variant,
    "orderEditSetQuantity": order_edit_set_quantity,
    "orderEditCommit": order_edit_commit,
    "tagsAdd": tags_add,
    "webhookSubscriptionCreate": webhook_subscription_create,
    "webhookSubscriptionDelete": webhook_subscription_delete,
    "appUninstall": app_uninstall,
}
