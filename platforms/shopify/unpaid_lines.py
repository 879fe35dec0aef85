"""Taking an unpaid post-purchase line off a Shopify order.

When applyChangeset answers `partially_processed`, Shopify has edited the order but could
not charge the buyer (ChangesetProcessingStatus in Shopify/ui-extensions
packages/post-purchase-ui-extensions/src/extension-points/api/post-purchase/post-purchase.ts),
so the order carries the line with a balance due. Cartpath sets that line's quantity back
with an order edit (orderEditBegin, orderEditSetQuantity, orderEditCommit:
https://shopify.dev/docs/apps/build/orders-fulfillment/order-management-apps/edit-orders),
restocking it, rather than leave the shopper an invoice. A changeset that also added a
shipping line (a flat-shipping offer's add_shipping_line) left that charge due too; the
same edit removes it (orderEditRemoveShippingLine, which takes a CalculatedShippingLine id:
https://shopify.dev/docs/api/admin-graphql/2025-10/mutations/orderEditRemoveShippingLine),
found among the calculated order's shippingLines by its title and price, the last such one
(the changeset's came after the order's own). One commit removes both, so the marker below
guards the shipping as it guards the line.

The post-purchase API names the purchase only by its reference id, never the order, so the
order is found by what Shopify shows of it: partially paid, created since the offer's
window opened, holding the offer's variant, with money outstanding. Before the edit the
order is tagged with the offer (tagsAdd, https://shopify.dev/docs/api/admin-graphql/latest/
mutations/tagsAdd): "<marker>" to find it again and "<marker>:<quantity>", the variant's
quantity once the line is gone, so a retry after a lost answer knows whether the edit was
committed and never takes off a second unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from platforms.errors import RetriableError
from platforms.shopify.admin import graphql
from platforms.shopify.client import call
from platforms.shopify.orders import EDIT_COMMIT, TAGS_ADD, _mutate, _outstanding
from platforms.shopify.pricing import shop_amount, variant_gid

ORDER_FIELDS = """
  id tags displayFinancialStatus
  totalOutstandingSet { shopMoney { amount } }
  lineItems(first: 50) { nodes { quantity variant { id } } }
"""

FIND = f"""
query UnpaidOrders($query: String!) {{
  orders(first: 5, reverse: true, query: $query) {{ nodes {{ {ORDER_FIELDS} }} }}
}}
"""

# CalculatedOrder.shippingLines: [CalculatedShippingLine!]! with id, title, price (MoneyBag)
# and stagedStatus ADDED | NONE | REMOVED
# (https://shopify.dev/docs/api/admin-graphql/2025-10/objects/CalculatedShippingLine,
# https://shopify.dev/docs/api/admin-graphql/2025-10/enums/CalculatedShippingLineStagedStatus).
EDIT_BEGIN_LINES = """
mutation Begin($id: ID!) {
  orderEditBegin(id: $id) {
    calculatedOrder {
      id
      lineItems(first: 100) { nodes { id quantity variant { id } } }
      shippingLines { id title price { shopMoney { amount } } stagedStatus }
    }
    userErrors { field message }
  }
}
"""

EDIT_SET_QUANTITY = """
mutation SetQuantity($id: ID!, $lineItemId: ID!, $quantity: Int!) {
  orderEditSetQuantity(id: $id, lineItemId: $lineItemId, quantity: $quantity, restock: true) {
    calculatedLineItem { id } userErrors { field message }
  }
}
"""


EDIT_REMOVE_SHIPPING = """
mutation RemoveShipping($id: ID!, $shippingLineId: ID!) {
  orderEditRemoveShippingLine(id: $id, shippingLineId: $shippingLineId) {
    calculatedOrder { id } userErrors { field message }
  }
}
"""


@dataclass(frozen=True)
class AddedShipping:
    """A shipping line the failed changeset added, as Shopify keeps it: title and price."""

    title: str
    amount: Decimal


@dataclass(frozen=True)
class UnpaidLine:
    """What the failed changeset added: `quantity` of `variant_id`, shown at `since` or later,
    and its `shipping` lines, if any."""

    marker: str
    variant_id: str
    quantity: int
    since: datetime
    shipping: tuple[AddedShipping, ...] = ()


def _held(order: dict[str, Any], wanted: str) -> int:
    return sum(
        node["quantity"]
        for node in order["lineItems"]["nodes"]
        if (node.get("variant") or {}).get("id") == wanted
    )


def _find(shop_id: int, query: str) -> list[dict[str, Any]]:
    return call(shop_id, lambda: graphql(FIND, {"query": query}))["orders"]["nodes"]


def find_unpaid_order(shop_id: int, line: UnpaidLine) -> dict[str, Any] | None:
    """The newest partially paid order since the offer that holds its line with money
    outstanding, or None."""
    wanted = variant_gid(line.variant_id)
    since = line.since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    query = f"financial_status:partially_paid created_at:>={since}"
    return next(
        (
            o
            for o in _find(shop_id, query)
            if _outstanding(o) > 0 and _held(o, wanted) >= line.quantity
        ),
        None,
    )


def _shipping_to_remove(
    calculated: dict[str, Any], wanted: tuple[AddedShipping, ...]
) -> tuple[list[str], list[AddedShipping]]:
    """The calculated shipping lines that are `wanted` (the last one of each title and
    price, none twice), and the wanted shipping that no line matches."""
    candidates = [s for s in calculated["shippingLines"] if s["stagedStatus"] != "REMOVED"]
    chosen: list[str] = []
    missing: list[AddedShipping] = []
    for added in wanted:
        found = next(
            (
                s["id"]
                for s in reversed(candidates)
                if s["id"] not in chosen
                and s["title"] == added.title
                and shop_amount(s["price"]) == added.amount
            ),
            None,
        )
        if found is None:
            missing.append(added)
        else:
            chosen.append(found)
    return chosen, missing


@dataclass(frozen=True)
class Removal:
    """What taking the line off did; `still_owed` is what the order shows outstanding after
    the edit (the shipping the changeset added that no line matched, `shipping_left`, stays
    for staff to settle)."""

    outcome: str
    shipping_left: tuple[AddedShipping, ...] = ()
    still_owed: Decimal = Decimal(0)

    def __str__(self) -> str:
        if not self.shipping_left:
            return self.outcome
        named = ", ".join(f"{s.title!r} at {s.amount}" for s in self.shipping_left)
        return f"{self.outcome}; no shipping line {named} on the order"


def remove_unpaid_line(shop_id: int, line: UnpaidLine) -> Removal:
    """Take the unpaid line, and the shipping its changeset added, off its order, once.
    Returns what happened; shipping no line matches is left and named there.

    :raises RetriableError: no such order is visible yet (Shopify's search trails writes).
    :raises FinalError: Shopify refused the edit.
    """
    wanted = variant_gid(line.variant_id)
    marked = [o for o in _find(shop_id, f'tag:"{line.marker}"') if line.marker in o["tags"]]
    if marked:
        order = marked[0]
        prefix = f"{line.marker}:"
        target = next(int(t.removeprefix(prefix)) for t in order["tags"] if t.startswith(prefix))
        if _held(order, wanted) <= target:
            return Removal("already removed")
    else:
        order = find_unpaid_order(shop_id, line)
        if order is None:
            raise RetriableError("no partially paid order holds the unpaid line yet", retry_after=5)
        target = _held(order, wanted) - line.quantity
        tags = [line.marker, f"{line.marker}:{target}"]
        _mutate(shop_id, TAGS_ADD, "tagsAdd", {"id": order["id"], "tags": tags})
    if _outstanding(order) <= 0:
        return Removal("nothing unpaid")
    begun = _mutate(shop_id, EDIT_BEGIN_LINES, "orderEditBegin", {"id": order["id"]})
    calculated = begun["calculatedOrder"]
    # The post-purchase line was appended last; take its units off first.
    lines = [
        n for n in calculated["lineItems"]["nodes"] if (n.get("variant") or {}).get("id") == wanted
    ]
    to_remove = _held(order, wanted) - target
    for node in reversed(lines):
        if to_remove <= 0:
            break
        taken = min(node["quantity"], to_remove)
        variables = {
            "id": calculated["id"],
            "lineItemId": node["id"],
            "quantity": node["quantity"] - taken,
        }
        _mutate(shop_id, EDIT_SET_QUANTITY, "orderEditSetQuantity", variables)
        to_remove -= taken
    shipping_ids, missing = _shipping_to_remove(calculated, line.shipping)
    for shipping_id in shipping_ids:
        variables = {"id": calculated["id"], "shippingLineId": shipping_id}
        _mutate(shop_id, EDIT_REMOVE_SHIPPING, "orderEditRemoveShippingLine", variables)
    removed = "line and shipping removed" if shipping_ids else "line removed"
    committed = _mutate(
        shop_id,
        EDIT_COMMIT,
        "orderEditCommit",
        {"id": calculated["id"], "staffNote": f"{line.marker}: payment failed, {removed}"},
    )
    if missing:
        owed = _outstanding(committed["order"])
        return Removal("removed the line only", tuple(missing), owed)
    return Removal("removed")
