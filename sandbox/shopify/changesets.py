"""Shopify's side of post-purchase changesets: verify the app's JWT, price the change, apply it.

`calculateChangeset` and `applyChangeset` as typed in Shopify/ui-extensions
packages/post-purchase-ui-extensions/src/extension-points/api/post-purchase/post-purchase.ts
(@ee92a5a): the change types, the CalculatedPurchase shape, the statuses and error codes.
Token rules: https://shopify.dev/docs/api/checkout-extensions/post-purchase/jwt-specification.
Prices come from the shop's engine (pricing.tax_lines), as for order edits. Callers hold
`state.lock`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import jwt

from sandbox.shopify import cards
from sandbox.shopify.graphql.nodes import money_bag
from sandbox.shopify.orders import financial_status, paid_amount
from sandbox.shopify.pricing import cents, tax_lines
from sandbox.shopify.state import (
    App,
    ChangesetApplication,
    LineItem,
    Order,
    PostPurchaseSession,
    Product,
    ShippingLine,
    Shop,
    ShopifyState,
    TaxLine,
    Transaction,
    Variant,
)

# "Shopify limits customers to a maximum of 3 accepted post-purchase offers per order"
# (https://docs.aftersell.com/aftersell/best_practices; PLATFORMS.md H.3). Shopify's own
# number is only visible as `changesetApplicationsRemaining`.
MAX_APPLICATIONS = 3
# The tutorial signs `iat: Date.now()` (milliseconds) and RFC 7519 wants seconds; Shopify
# accepts the tutorial's tokens, so a value this large is read as milliseconds.
MILLISECONDS_FROM = 10**11


class ChangesetError(Exception):
    """A ChangesetError of the extension API: `code` is one of ChangesetErrorCode."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code

    def json(self) -> dict[str, str]:
        return {"code": self.code, "message": str(self)}


@dataclass
class AddedLine:
    variant: Variant
    product: Product
    quantity: int
    discount: Decimal

    @property
    def original(self) -> Decimal:
        return self.variant.price * self.quantity

    @property
    def total(self) -> Decimal:
        return self.original - self.discount


@dataclass
class AddedShipping:
    title: str
    price: Decimal


@dataclass
class Calculation:
    """The order as the changeset would leave it (Shopify's CalculatedPurchase)."""

    lines: list[AddedLine]
    shipping: list[AddedShipping]
    subtotal: Decimal
    tax_lines: list[TaxLine]
    added_taxes: list[TaxLine]
    total: Decimal
    outstanding: Decimal


def _seconds(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ChangesetError("invalid_request", "iat and exp must be numeric dates")
    return value / 1000 if value >= MILLISECONDS_FROM else float(value)


def verify_token(token: str, *, app: App, session: PostPurchaseSession, now: float) -> dict:
    """The app's changeset claims, or ChangesetError("invalid_request").

    HS256 with the app's client secret; jti, iss (= the API key), sub (= the reference ID)
    and iat required; exp optional; a changeset signed before the initial purchase
    completed is refused (the JWT specification's security note).
    """
    try:
        claims = jwt.decode(
            token,
            app.client_secret,
            algorithms=["HS256"],
            options={
                "require": ["jti", "iss", "sub", "iat"],
                "verify_exp": False,  # checked below against the sandbox clock
                "verify_iat": False,
                "verify_nbf": False,
            },
        )
    except jwt.PyJWTError as error:
        raise ChangesetError("invalid_request", f"Invalid changeset token: {error}") from None
    if claims["iss"] != app.client_id:
        raise ChangesetError("invalid_request", "The changeset token was not issued by this app")
    if claims["sub"] != session.reference_id:
        raise ChangesetError("invalid_request", "The changeset token is for another purchase")
    if _seconds(claims["iat"]) < math.floor(session.completed_at):
        raise ChangesetError(
            "invalid_request", "The changeset was signed before the initial purchase completed"
        )
    if "exp" in claims and _seconds(claims["exp"]) <= now:
        raise ChangesetError("invalid_request", "The changeset token has expired")
    return claims


def _number(value: Any, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ChangesetError("invalid_request", f"{what} must be a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ChangesetError("invalid_request", f"{what} must be a number") from None
    if not number.is_finite() or number < 0:
        raise ChangesetError("invalid_request", f"{what} must be a number of at least 0")
    return number


def _variant_id(change: dict[str, Any]) -> int:
    # The type says `variantId`; Shopify's tutorial sends `variantID` and works, so both are read.
    value = change.get("variantId", change.get("variantID"))
    if isinstance(value, str) and value.isdigit():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ChangesetError("invalid_request", "add_variant needs a numeric variantId (not a GID)")
    return value


def _discount(change: dict[str, Any], original: Decimal) -> Decimal:
    """ExplicitDiscount: a percentage of the line, or a fixed amount off the line (capped)."""
    discount = change.get("discount")
    if discount is None:
        return Decimal(0)
    if not isinstance(discount, dict) or not isinstance(discount.get("title", ""), str):
        raise ChangesetError("invalid_request", "discount must be {value, valueType, title}")
    value = _number(discount.get("value"), "discount.value")
    kind = discount.get("valueType")
    if kind == "percentage":
        if value > 100:
            raise ChangesetError("invalid_request", "a percentage discount is at most 100")
        return cents(original * value / 100)
    if kind == "fixed_amount":
        return min(cents(value), original)
    raise ChangesetError("invalid_request", "discount.valueType is percentage or fixed_amount")


def parse_changes(shop: Shop, changes: Any) -> tuple[list[AddedLine], list[AddedShipping]]:
    """The `changes` list of a changeset; unsupported or malformed entries are invalid_request."""
    if not isinstance(changes, list) or not changes:
        raise ChangesetError("invalid_request", "changes must be a non-empty list")
    lines: list[AddedLine] = []
    shipping: list[AddedShipping] = []
    for change in changes:
        kind = change.get("type") if isinstance(change, dict) else None
        if kind == "add_variant":
            variant = shop.variant(_variant_id(change))
            if variant is None:
                raise ChangesetError("invalid_request", "The variant does not exist")
            quantity = change.get("quantity")
            if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
                raise ChangesetError("invalid_request", "quantity must be a whole number >= 1")
            product = shop.products[variant.product_id]
            original = variant.price * quantity
            lines.append(AddedLine(variant, product, quantity, _discount(change, original)))
        elif kind == "add_shipping_line":
            title = change.get("presentmentTitle") or change.get("title") or "Shipping"
            shipping.append(AddedShipping(str(title), cents(_number(change.get("price"), "price"))))
        elif kind in ("set_metafield", "add_subscription"):
            raise ChangesetError("invalid_request", f"{kind} is not supported by the sandbox")
        else:
            raise ChangesetError("invalid_request", f"Unknown change type {kind!r}")
    return lines, shipping


def _check_inventory(lines: list[AddedLine]) -> None:
    wanted: dict[int, int] = {}
    for line in lines:
        wanted[line.variant.id] = wanted.get(line.variant.id, 0) + line.quantity
    for line in lines:
        variant = line.variant
        if variant.inventory_policy == "deny" and variant.inventory_quantity < wanted[variant.id]:
            raise ChangesetError(
                "insufficient_inventory", f"{line.product.title} - {variant.title} is out of stock"
            )


def calculate(
    shop: Shop, order: Order, lines: list[AddedLine], shipping: list[AddedShipping]
) -> Calculation:
    """Price the change against the order: tax recomputed on the new subtotal, as an order edit.

    Raises ChangesetError("insufficient_inventory") when an added variant cannot be sold.
    """
    _check_inventory(lines)
    subtotal = order.subtotal_price + sum((line.total for line in lines), Decimal(0))
    taxes = (
        tax_lines(shop, order.shipping_address, subtotal)
        if order.shipping_address
        else list(order.tax_lines)
    )
    before = {t.title: t.price for t in order.tax_lines}
    added_taxes = [
        TaxLine(t.title, t.rate, t.price - before.get(t.title, Decimal(0)))
        for t in taxes
        if t.price > before.get(t.title, Decimal(0))
    ]
    extra_shipping = sum((s.price for s in shipping), Decimal(0))
    total = cents(
        subtotal + sum((t.price for t in taxes), Decimal(0)) + order.shipping_price + extra_shipping
    )
    outstanding = max(total - paid_amount(order), Decimal(0))
    return Calculation(lines, shipping, subtotal, taxes, added_taxes, total, outstanding)


def calculated_purchase_json(calculation: Calculation, currency: str) -> dict[str, Any]:
    """CalculatedPurchase: order-wide totals, plus only what the changeset adds."""
    return {
        "subtotalPriceSet": money_bag(calculation.subtotal, currency),
        "totalPriceSet": money_bag(calculation.total, currency),
        "addedTaxLines": [
            {"priceSet": money_bag(t.price, currency), "rate": float(t.rate), "title": t.title}
            for t in calculation.added_taxes
        ],
        "updatedLineItems": [
            {
                "priceSet": money_bag(line.variant.price, currency),
                "totalPriceSet": money_bag(line.total, currency),
                "productId": line.product.id,
                "variantId": line.variant.id,
                "productHandle": line.product.handle,
                "quantity": line.quantity,
            }
            for line in calculation.lines
        ],
        "addedShippingLines": [
            {"priceSet": money_bag(s.price, currency), "presentmentTitle": s.title}
            for s in calculation.shipping
        ],
        "totalOutstandingSet": money_bag(calculation.outstanding, currency),
    }


def remaining(session: PostPurchaseSession) -> int:
    """changesetApplicationsRemaining: applications that edited the order count."""
    edited = sum(1 for a in session.applications if a.status != "unprocessed")
    return max(MAX_APPLICATIONS - edited, 0)


def apply(
    state: ShopifyState,
    shop: Shop,
    session: PostPurchaseSession,
    app: App,
    token: str,
    *,
    now: float,
) -> ChangesetApplication:
    """applyChangeset: verify, edit the order, charge the original payment method, record.

    `processed` when paid, `partially_processed` when the order was edited but the charge
    failed (a balance stays due), `unprocessed` with the reason otherwise.
    """
    order = shop.orders[session.order_id]
    jti: str | None = None
    try:
        if session.state != "offered":  # the buyer has moved on to the thank-you page
            raise ChangesetError(
                "order_released_error", "The order has been released to fulfillment"
            )
        claims = verify_token(token, app=app, session=session, now=now)
        jti = claims["jti"]
        if jti in session.used_jtis:
            raise ChangesetError("changeset_already_applied", "This changeset was already applied")
        if remaining(session) == 0:
            raise ChangesetError(
                "invalid_request", "No more changesets can be applied to this purchase"
            )
        lines, shipping = parse_changes(shop, claims.get("changes"))
        calculation = calculate(shop, order, lines, shipping)
    except ChangesetError as error:
        return _record(session, jti, "unprocessed", [error.json()], Decimal(0), now)
    session.used_jtis.add(jti)
    _edit(state, order, calculation, now)
    charged = calculation.outstanding
    errors: list[dict[str, str]] = []
    if charged > 0:
        paid = cards.pays_again(session.card)
        kind = "success" if paid else "failure"
        order.transactions.append(Transaction(state.next_id(), "sale", kind, charged, "bogus", now))
        if not paid:
            errors.append(
                ChangesetError(
                    "payment_required", "The original payment method couldn't be charged"
                ).json()
            )
    order.financial_status = financial_status(order)
    status = "partially_processed" if errors else "processed"
    return _record(session, jti, status, errors, Decimal(0) if errors else charged, now)


def _edit(state: ShopifyState, order: Order, calculation: Calculation, now: float) -> None:
    """Add the lines and shipping; the line discounts join the order's discounts."""
    for line in calculation.lines:
        variant = line.variant
        order.line_items.append(
            LineItem(
                state.next_id(),
                variant.id,
                line.product.id,
                line.product.title,
                "" if variant.title == "Default Title" else variant.title,
                variant.sku,
                line.quantity,
                variant.price,
                variant.grams,
                discount=line.discount,
            )
        )
        variant.inventory_quantity -= line.quantity
        order.total_discounts += line.discount
    for extra in calculation.shipping:
        order.shipping_lines.append(ShippingLine(state.next_id(), extra.title, extra.price))
    order.subtotal_price = calculation.subtotal
    order.tax_lines = calculation.tax_lines
    order.total_tax = sum((t.price for t in calculation.tax_lines), Decimal(0))
    order.total_price = calculation.total
    order.updated_at = now


def _record(
    session: PostPurchaseSession,
    jti: str | None,
    status: str,
    errors: list[dict[str, str]],
    charged: Decimal,
    now: float,
) -> ChangesetApplication:
    application = ChangesetApplication(jti, status, errors, charged, 0, now)
    session.applications.append(application)
    application.remaining = remaining(session)
    return application


def application_json(application: ChangesetApplication) -> dict[str, Any]:
    """ApplyChangesetResult."""
    return {
        "status": application.status,
        "errors": application.errors,
        "changesetApplicationsRemaining": application.remaining,
    }
