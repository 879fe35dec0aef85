"""Creating and editing orders for orderCreate, draftOrderComplete, order edits and checkout.

Callers hold `state.lock`; each function either changes the shop completely or
raises OrderError without changing anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sandbox.shopify.pricing import Quote, cents, pickup_address, tax_lines
from sandbox.shopify.state import (
    LineItem,
    Order,
    OrderEdit,
    ShippingLine,
    Shop,
    ShopifyState,
    TaxLine,
    Transaction,
)

DEV_ORDERS_PER_MINUTE = (
    5  # https://shopify.dev/docs/api/admin-graphql/2025-04/payloads/OrderCreatePayload
)


class OrderError(ValueError):
    """A userError: `field` is the input path, `code` the OrderCreateUserErrorCode."""

    def __init__(self, field_path: list[str] | None, message: str, code: str = "INVALID") -> None:
        super().__init__(message)
        self.field = field_path
        self.code = code


@dataclass
class NewLine:
    variant_id: int | None
    quantity: int
    title: str | None = None
    price: Decimal | None = None
    sku: str | None = None


@dataclass
class NewOrder:
    """What orderCreate (or a checkout) asks for, already parsed from its input."""

    lines: list[NewLine]
    email: str = ""
    tags: list[str] = field(default_factory=list)
    note: str = ""
    shipping_address: dict[str, Any] | None = None
    billing_address: dict[str, Any] | None = None
    tax_lines: list[TaxLine] = field(default_factory=list)
    shipping_title: str | None = None
    shipping_code: str | None = None
    shipping_price: Decimal = Decimal(0)
    discount_code: str | None = None
    discount: Decimal = Decimal(0)
    # (kind, status, amount, gateway), optionally followed by the authorization code
    transactions: list[tuple[Any, ...]] = field(default_factory=list)
    financial_status: str | None = None
    inventory_behaviour: str = "BYPASS"
    send_receipt: bool = False
    source_name: str = "web"
    note_attributes: list[dict[str, str]] = field(default_factory=list)


def from_quote(quote: Quote, **extra: Any) -> NewOrder:
    """The order a priced cart or draft becomes: every price as the engine computed it."""
    return NewOrder(
        lines=[
            NewLine(line.variant.id, line.quantity, price=line.unit_price) for line in quote.lines
        ],
        tax_lines=quote.tax_lines,
        shipping_title=quote.shipping.title if quote.shipping else None,
        shipping_code=quote.shipping.handle if quote.shipping else None,
        shipping_price=quote.shipping.price if quote.shipping else Decimal(0),
        discount_code=quote.discount_code,
        discount=quote.discount,
        **extra,
    )


def check_dev_store_limit(shop: Shop, now: float) -> None:
    """Trial and development stores accept at most 5 new orders per minute through orderCreate.

    The doc states the limit, not the error text; the message below is ours. The caller
    records `now` in `shop.order_times` once the order exists.
    """
    if shop.plan != "development":
        return
    shop.order_times = [t for t in shop.order_times if t > now - 60]
    if len(shop.order_times) >= DEV_ORDERS_PER_MINUTE:
        raise OrderError(
            None,
            "Too many orders: a development store can create at most 5 orders per minute.",
        )


def create(state: ShopifyState, shop: Shop, new: NewOrder, now: float, app: str | None) -> Order:
    """Validate everything first, then write the order and its inventory effects."""
    if not new.lines:
        raise OrderError(["order", "lineItems"], "Line items must have at least one line item")
    items = [_line_item(state, shop, index, line) for index, line in enumerate(new.lines)]
    _claim_inventory(shop, items, new.inventory_behaviour)
    line_total = sum((li.price * li.quantity for li in items), Decimal(0))
    subtotal = line_total - new.discount
    total_tax = sum((t.price for t in new.tax_lines), Decimal(0))
    total = cents(subtotal + total_tax + new.shipping_price)
    transactions = [
        Transaction(state.next_id(), kind, status, amount, gateway, now, *code)
        for kind, status, amount, gateway, *code in new.transactions
    ]
    shipping = (
        [ShippingLine(state.next_id(), new.shipping_title, new.shipping_price, new.shipping_code)]
        if new.shipping_title
        else []
    )
    number = shop.next_order_number
    shop.next_order_number += 1
    order = Order(
        id=state.next_id(),
        number=number,
        name=f"#{number}",
        email=new.email,
        currency=shop.currency,
        line_items=items,
        subtotal_price=subtotal,
        total_discounts=new.discount,
        tax_lines=list(new.tax_lines),
        total_tax=total_tax,
        shipping_lines=shipping,
        total_price=total,
        financial_status=new.financial_status or "pending",
        tags=list(new.tags),
        note=new.note,
        discount_codes=[new.discount_code] if new.discount_code else [],
        shipping_address=new.shipping_address,
        transactions=transactions,
        created_at=now,
        updated_at=now,
        source_name=new.source_name,
        app_client_id=app,
        receipt_sent=new.send_receipt,
        note_attributes=list(new.note_attributes),
        billing_address=new.billing_address,
    )
    if new.financial_status is None:
        order.financial_status = financial_status(order)
    shop.orders[order.id] = order
    if new.inventory_behaviour != "BYPASS":
        for item in items:
            variant = shop.variant(item.variant_id) if item.variant_id else None
            if variant is not None:
                variant.inventory_quantity -= item.quantity
    return order


def paid_amount(order: Order) -> Decimal:
    return sum(
        (
            t.amount if t.kind in ("sale", "capture") else -t.amount
            for t in order.transactions
            if t.status == "success" and t.kind in ("sale", "capture", "refund")
        ),
        Decimal(0),
    )


def record_manual_payment(
    state: ShopifyState, order: Order, amount: Decimal | None, method: str | None, now: float
) -> Transaction:
    """orderCreateManualPayment: a successful sale for at most the balance due; the whole
    balance when no amount is given, under "Other" when no method is named
    (https://shopify.dev/docs/api/admin-graphql/2025-10/mutations/orderCreateManualPayment).
    """
    balance = order.total_price - paid_amount(order)
    if balance <= 0:
        raise OrderError(["id"], "The order is already paid.", "AMOUNT_EXCEEDS_BALANCE")
    amount = balance if amount is None else amount
    if amount <= 0:
        raise OrderError(["amount"], "Amount must be positive.", "AMOUNT_NOT_POSITIVE")
    if amount > balance:
        message = "Amount exceeds the remaining balance."
        raise OrderError(["amount"], message, "AMOUNT_EXCEEDS_BALANCE")
    payment = Transaction(state.next_id(), "sale", "success", amount, method or "Other", now)
    order.transactions.append(payment)
    order.financial_status = financial_status(order)
    order.updated_at = now
    return payment


def financial_status(order: Order) -> str:
    """Derived from successful transactions against the current total."""
    paid = paid_amount(order)
    if paid <= 0:
        return "pending"
    if paid < order.total_price:
        return "partially_paid"
    return "paid"


def _line_item(state: ShopifyState, shop: Shop, index: int, line: NewLine) -> LineItem:
    if line.quantity < 1:
        raise OrderError(
            ["order", "lineItems", str(index), "quantity"], "Quantity must be greater than 0"
        )
    if line.variant_id is None:
        if not line.title or line.price is None:
            raise OrderError(
                ["order", "lineItems", str(index)],
                "A custom line item needs a title and a price",
            )
        return LineItem(
            state.next_id(),
            None,
            None,
            line.title,
            "",
            line.sku or "",
            line.quantity,
            line.price,
            0,
        )
    variant = shop.variant(line.variant_id)
    if variant is None:
        raise OrderError(["order", "lineItems", str(index), "variantId"], "Variant does not exist")
    product = shop.products[variant.product_id]
    return LineItem(
        state.next_id(),
        variant.id,
        product.id,
        line.title or product.title,
        "" if variant.title == "Default Title" else variant.title,
        variant.sku,
        line.quantity,
        line.price if line.price is not None else variant.price,
        variant.grams,
    )


def _claim_inventory(shop: Shop, items: list[LineItem], behaviour: str) -> None:
    """DECREMENT_OBEYING_POLICY refuses to oversell a variant whose policy is "deny"."""
    if behaviour != "DECREMENT_OBEYING_POLICY":
        return
    wanted: dict[int, int] = {}
    for item in items:
        if item.variant_id is not None:
            wanted[item.variant_id] = wanted.get(item.variant_id, 0) + item.quantity
    for variant_id, quantity in wanted.items():
        variant = shop.variant(variant_id)
        if variant and variant.inventory_policy == "deny" and variant.inventory_quantity < quantity:
            raise OrderError(
                ["order", "lineItems"],
                f"Unable to reserve inventory for {variant.sku}: only "
                f"{max(variant.inventory_quantity, 0)} available",
                "INVENTORY_CLAIM_FAILED",
            )


@dataclass
class EditedLine:
    line_id: int
    variant_id: int | None
    title: str
    sku: str
    quantity: int
    price: Decimal
    grams: int
    added: bool
    discount: Decimal = Decimal(0)  # off the whole line (orderEditAddLineItemDiscount)


@dataclass
class EditedShipping:
    """A shipping line as the staged edit leaves it: CalculatedShippingLine.stagedStatus
    (https://shopify.dev/docs/api/admin-graphql/2025-10/enums/CalculatedShippingLineStagedStatus)."""

    line: ShippingLine
    status: str  # "NONE" | "ADDED" | "REMOVED"


@dataclass
class EditedTotals:
    lines: list[EditedLine]
    shipping: list[EditedShipping]
    subtotal: Decimal
    tax_lines: list[TaxLine]
    total: Decimal
    outstanding: Decimal
    discounts: Decimal


def _released_discount(line: LineItem, quantity: int) -> Decimal:
    """The part of a line's discount that leaves with the units an edit removes."""
    if quantity >= line.quantity or not line.discount:
        return Decimal(0)
    return cents(line.discount * (line.quantity - quantity) / line.quantity)


def edited(shop: Shop, edit: OrderEdit) -> EditedTotals:
    """The order as the staged edit would leave it; tax recomputed for the shipping address.

    A higher total leaves a balance due (https://shopify.dev/docs/api/admin-graphql/latest/mutations/orderEditCommit).
    """
    order = shop.orders[edit.order_id]
    lines = [
        EditedLine(
            li.id,
            li.variant_id,
            li.title,
            li.sku,
            edit.quantities.get(li.id, li.quantity),
            li.price,
            li.grams,
            False,
        )
        for li in order.line_items
    ]
    for line_id, variant_id, quantity in edit.added:
        variant = shop.variant(variant_id)
        if variant is None:  # deleted since it was added to the edit
            continue
        title = shop.products[variant.product_id].title
        lines.append(
            EditedLine(
                line_id,
                variant_id,
                title,
                variant.sku,
                quantity,
                variant.price,
                variant.grams,
                True,
                line_discount(edit, line_id, variant.price, quantity),
            )
        )
    released = sum(
        (
            _released_discount(li, edit.quantities.get(li.id, li.quantity))
            for li in order.line_items
        ),
        Decimal(0),
    )
    # total_discounts holds the order's discounts, earlier edits' line discounts included;
    # the discounts staged on added lines come off here and join it at the commit.
    discounts = order.total_discounts - released
    subtotal = sum((x.price * x.quantity - x.discount for x in lines), Decimal(0)) - discounts
    subtotal = max(subtotal, Decimal(0))
    # Taxed where the goods go: the shipping address, or the pickup location of an order
    # to collect; an order with neither keeps the taxes it was created with.
    taxed_at = order.shipping_address or pickup_address(shop, order.shipping_code)
    taxes = tax_lines(shop, taxed_at, subtotal) if taxed_at else list(order.tax_lines)
    shipping = _edited_shipping(order, edit)
    charged = sum((s.line.price for s in shipping if s.status != "REMOVED"), Decimal(0))
    total = cents(subtotal + sum((t.price for t in taxes), Decimal(0)) + charged)
    outstanding = max(total - paid_amount(order), Decimal(0))
    return EditedTotals(lines, shipping, subtotal, taxes, total, outstanding, discounts)


def _edited_shipping(order: Order, edit: OrderEdit) -> list[EditedShipping]:
    """The order's current shipping lines, those the edit removes marked so, then those it
    adds; a staged line removed again is simply gone."""
    kept = [
        EditedShipping(line, "REMOVED" if line.id in edit.removed_shipping else "NONE")
        for line in order.current_shipping_lines
    ]
    return kept + [EditedShipping(line, "ADDED") for line in edit.shipping]


def line_discount(edit: OrderEdit, line_id: int, price: Decimal, quantity: int) -> Decimal:
    """The discount staged on an added line: a fixed amount off each unit (the admin's
    "amount per item"), or a percentage of the line, never more than the line."""
    if line_id not in edit.discounts:
        return Decimal(0)
    _description, fixed, percent = edit.discounts[line_id]
    line_total = price * quantity
    off = fixed * quantity if fixed is not None else cents(line_total * (percent or 0) / 100)
    return min(off, line_total)


def commit_edit(shop: Shop, edit: OrderEdit, now: float) -> Order:
    """Apply the staged edit to the order; inventory of added variants is decremented, and
    units removed with `restock` go back to stock."""
    order = shop.orders[edit.order_id]
    totals = edited(shop, edit)
    kept = {x.line_id: x.quantity for x in totals.lines if not x.added}
    for li in order.line_items:
        removed = li.quantity - kept.get(li.id, 0)
        variant = shop.variant(li.variant_id) if li.variant_id else None
        if removed > 0 and li.id in edit.restock and variant is not None:
            variant.inventory_quantity += removed
        li.discount -= _released_discount(li, kept.get(li.id, 0))
    order.line_items = [li for li in order.line_items if kept.get(li.id, 0) > 0]
    for li in order.line_items:
        li.quantity = kept[li.id]
    order.total_discounts = totals.discounts
    for x in totals.lines:
        if x.added and x.quantity > 0:
            variant = shop.variant(x.variant_id) if x.variant_id else None
            product_id = variant.product_id if variant else None
            order.line_items.append(
                LineItem(
                    x.line_id,
                    x.variant_id,
                    product_id,
                    x.title,
                    "",
                    x.sku,
                    x.quantity,
                    x.price,
                    x.grams,
                    discount=x.discount,
                )
            )
            if variant is not None:
                variant.inventory_quantity -= x.quantity
    order.total_discounts += sum((x.discount for x in totals.lines if x.added), Decimal(0))
    for line in order.shipping_lines:
        line.removed = line.removed or line.id in edit.removed_shipping
    order.shipping_lines.extend(edit.shipping)
    order.subtotal_price = totals.subtotal
    order.tax_lines = totals.tax_lines
    order.total_tax = sum((t.price for t in totals.tax_lines), Decimal(0))
    order.total_price = totals.total
    order.financial_status = financial_status(order)
    order.updated_at = now
    edit.committed = True
    return order
