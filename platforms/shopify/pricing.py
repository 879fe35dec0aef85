"""Shopify prices a checkout with its own draft-order engine; Cartpath only reads the answer.

Lines are re-read with `productVariant` (one aliased field per line). A quote is two
requests, neither of which creates anything, so re-quoting on every edit is free of side
effects:
- draftOrderCalculate prices lines, discount codes, the chosen delivery and taxes
  (https://shopify.dev/docs/api/admin-graphql/latest/mutations/draftOrderCalculate);
- draftOrderAvailableDeliveryOptions lists the delivery options: shipping rates, local
  delivery rates and local pickup locations
  (https://shopify.dev/docs/api/admin-graphql/latest/queries/draftOrderAvailableDeliveryOptions;
  it replaces CalculatedDraftOrder.availableShippingRates, https://shopify.dev/changelog/new-graphql-api-for-draft-order-delivery-options-for-developers).
A delivery option is chosen by its handle, as ShippingLineInput.shippingRateHandle
(https://shopify.dev/docs/api/admin-graphql/latest/input-objects/ShippingLineInput): rates
and pickup locations both carry one (PickupInStoreLocation.handle, "a unique identifier for
this pickup location"). Shopify prices a pickup itself (free, taxed where it sees fit), so
the shopper's address is still sent and the totals are whatever the calculation says.
Amounts are the shop currency's (MoneyBag.shopMoney), Decimal strings as Shopify sends them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from platforms.errors import FinalError, NotFoundError
from platforms.pricing import (
    Address,
    CartItem,
    CartLine,
    CheckoutState,
    Quote,
    ShippingOption,
    refused_code_sentence,
)
from platforms.shopify.admin import graphql
from platforms.shopify.client import call

# Shopify names the only variant of a product without options "Default Title"
# (https://shopify.dev/docs/api/admin-graphql/latest/objects/ProductVariant); shoppers never see it.
DEFAULT_VARIANT_TITLE = "Default Title"

VARIANT_FRAGMENT = """
fragment CartVariant on ProductVariant {
  id title sku price inventoryQuantity inventoryPolicy availableForSale
  inventoryItem { tracked }
  product { id title featuredImage { url } }
}
"""

CALCULATE = (
    """
mutation Quote($input: DraftOrderInput!) {
  draftOrderCalculate(input: $input) {
    calculatedDraftOrder {
      currencyCode
      lineItems {
        quantity
        originalUnitPriceSet { shopMoney { amount } }
        variant { ...CartVariant }
      }
      lineItemsSubtotalPrice { shopMoney { amount } }
      totalDiscountsSet { shopMoney { amount } }
      totalShippingPriceSet { shopMoney { amount } }
      totalTaxSet { shopMoney { amount } }
      totalPriceSet { shopMoney { amount } }
      discountCodes
      warnings { errorCode field message }
    }
    userErrors { field message }
  }
}
"""
    + VARIANT_FRAGMENT
)


# At most this many pickup locations are listed (Shopify pages them; nearest first when it
# knows the distance): a checkout page is no store locator.
PICKUP_LOCATIONS = 10

DELIVERY_OPTIONS = """
query DeliveryOptions($input: DraftOrderAvailableDeliveryOptionsInput!, $pickups: Int) {
  draftOrderAvailableDeliveryOptions(input: $input, localPickupCount: $pickups) {
    availableShippingRates { handle title price { amount } }
    availableLocalDeliveryRates { handle title price { amount } }
    availableLocalPickupOptions { handle title instructions }
  }
}
"""


def variant_gid(variant_id: str) -> str:
    return f"gid://shopify/ProductVariant/{variant_id}"


def legacy_id(gid: str) -> str:
    """The numeric id the storefront uses, from "gid://shopify/<Type>/<id>"."""
    return gid.rsplit("/", 1)[-1]


class ShopifyPricing:
    """PricingEngine for Shopify shops (hosted mode: custom-app installs)."""

    def read_cart(
        self,
        shop_id: int,
        *,
        items: tuple[CartItem, ...] | None = None,
        platform_ref: str | None = None,
    ) -> tuple[str | None, tuple[CartLine, ...]]:
        """Shopify keeps no server-side cart for us: the lines are the storefront's variant
        ids and quantities, re-read with the shop's current prices and stock."""
        if not items:
            return None, ()
        query, variables = _variants_query(items)
        data = call(shop_id, lambda: graphql(query, variables))
        lines = []
        for index, item in enumerate(items):
            variant = data.get(f"v{index}")
            if variant is None:
                raise NotFoundError(f"Shopify has no variant {item.variant_id}")
            lines.append(_line(variant, item.quantity, _decimal(variant["price"])))
        return None, tuple(lines)

    def quote(self, shop_id: int, state: CheckoutState) -> Quote:
        """The calculation first: it is the one that names a variant gone since the cart."""
        draft_input = _draft_input(state)
        variables = {"input": draft_input}
        data = call(shop_id, lambda: graphql(CALCULATE, variables))["draftOrderCalculate"]
        if data["userErrors"]:
            raise _refusal(data["userErrors"])
        draft = data["calculatedDraftOrder"]
        options = _delivery_options(shop_id, draft_input) if state.address else ()
        # An option chosen for an earlier address or cart may be gone: then nothing is
        # selected (and Shopify charged nothing for it).
        chosen = state.shipping_option
        selected = chosen if chosen in {o.id for o in options} else None
        return Quote(
            currency=draft["currencyCode"],
            lines=tuple(
                _line(
                    line["variant"],
                    line["quantity"],
                    shop_amount(line["originalUnitPriceSet"]),
                )
                for line in draft["lineItems"]
            ),
            subtotal=shop_amount(draft["lineItemsSubtotalPrice"]),
            discount_total=shop_amount(draft["totalDiscountsSet"]),
            shipping_total=shop_amount(draft["totalShippingPriceSet"]),
            tax_total=shop_amount(draft["totalTaxSet"]),
            total=shop_amount(draft["totalPriceSet"]),
            shipping_options=options,
            selected_shipping=selected,
            discount_codes=tuple(draft["discountCodes"]),
            discount_errors=_discount_errors(state.discount_code, draft["warnings"]),
        )


def _delivery_options(shop_id: int, draft_input: dict[str, Any]) -> tuple[ShippingOption, ...]:
    """Shipping and local delivery rates for the draft's address, then the pickup locations
    (the page asks for the address before any delivery choice, so only once it is known).
    The options depend on the lines, the address and the codes, never on the choice made."""
    wanted = ("lineItems", "shippingAddress", "discountCodes")
    variables = {
        "input": {name: draft_input[name] for name in wanted if name in draft_input},
        "pickups": PICKUP_LOCATIONS,
    }
    data = call(shop_id, lambda: graphql(DELIVERY_OPTIONS, variables))
    found = data["draftOrderAvailableDeliveryOptions"]
    rates = tuple(
        ShippingOption(r["handle"], r["title"], _decimal(r["price"]["amount"]))
        for r in found["availableShippingRates"] + found["availableLocalDeliveryRates"]
    )
    pickups = tuple(
        ShippingOption(
            p["handle"], p["title"], Decimal(0), pickup=True, instructions=p["instructions"]
        )
        for p in found["availableLocalPickupOptions"]
    )
    return rates + pickups


def _variants_query(items: tuple[CartItem, ...]) -> tuple[str, dict[str, str]]:
    """One aliased productVariant field per line, so a missing variant reads as null."""
    params = ", ".join(f"$v{i}: ID!" for i in range(len(items)))
    fields = " ".join(
        f"v{i}: productVariant(id: $v{i}) {{ ...CartVariant }}" for i in range(len(items))
    )
    query = f"query CartVariants({params}) {{ {fields} }}\n{VARIANT_FRAGMENT}"
    return query, {f"v{i}": variant_gid(item.variant_id) for i, item in enumerate(items)}


def _line(variant: dict[str, Any], quantity: int, unit_price: Decimal) -> CartLine:
    product = variant["product"]
    tracked = variant["inventoryItem"]["tracked"]
    inventory = variant["inventoryQuantity"] if tracked else None
    # availableForSale is true while any unit can be sold; a line also needs enough of
    # them unless the variant keeps selling when out of stock (inventoryPolicy CONTINUE).
    enough = inventory is None or variant["inventoryPolicy"] == "CONTINUE" or inventory >= quantity
    image = product.get("featuredImage") or {}
    title = variant["title"]
    return CartLine(
        variant_id=legacy_id(variant["id"]),
        product_id=legacy_id(product["id"]),
        title=product["title"],
        variant_title="" if title == DEFAULT_VARIANT_TITLE else title,
        sku=variant.get("sku") or "",
        quantity=quantity,
        unit_price=unit_price,
        image_url=image.get("url"),
        available=bool(variant["availableForSale"]) and enough,
        inventory=inventory,
    )


def _draft_input(state: CheckoutState) -> dict[str, Any]:
    """DraftOrderInput (https://shopify.dev/docs/api/admin-graphql/latest/input-objects/DraftOrderInput)."""
    draft: dict[str, Any] = {
        "lineItems": [
            {"variantId": variant_gid(item.variant_id), "quantity": item.quantity}
            for item in state.items
        ]
    }
    if state.email:
        draft["email"] = state.email
    if state.address is not None:
        draft["shippingAddress"] = _mailing_address(state.address)
    if state.discount_code:
        draft["discountCodes"] = [state.discount_code]
    if state.shipping_option:
        draft["shippingLine"] = {"shippingRateHandle": state.shipping_option}
    return draft


def _mailing_address(address: Address) -> dict[str, str]:
    """MailingAddressInput (https://shopify.dev/docs/api/admin-graphql/latest/input-objects/MailingAddressInput)."""
    fields = {
        "firstName": address.first_name,
        "lastName": address.last_name,
        "company": address.company,
        "address1": address.address1,
        "address2": address.address2,
        "city": address.city,
        "provinceCode": address.province_code,
        "countryCode": address.country_code.upper(),
        "zip": address.postal_code,
        "phone": address.phone,
    }
    return {name: value for name, value in fields.items() if value}


def _refusal(errors: list[dict[str, Any]]) -> FinalError:
    """userErrors on lineItems.N.variantId mean the variant is gone (deleted meanwhile)."""
    message = "; ".join(e["message"] for e in errors)
    if any("variantId" in (e.get("field") or []) for e in errors):
        return NotFoundError(f"Shopify no longer has a variant in this cart: {message}")
    return FinalError(f"Shopify refused to price the checkout: {message}")


def _discount_errors(code: str | None, warnings: list[dict[str, Any]]) -> tuple[str, ...]:
    """A shopper's sentence for each warning about the requested code.

    Shopify reports a code it could not apply as a draft-order warning, not an error
    (https://shopify.dev/docs/api/admin-graphql/latest/objects/DraftOrderDiscountNotAppliedWarning);
    the warning is matched by the code it names, its reason by its wording.
    """
    if not code:
        return ()
    sentences = []
    for warning in warnings:
        message = warning["message"]
        if code.lower() not in message.lower():
            continue
        sentences.append(refused_code_sentence(code, message))
    return tuple(sentences)


def shop_amount(bag: dict[str, Any]) -> Decimal:
    """A MoneyBag's amount in the shop's currency."""
    return _decimal(bag["shopMoney"]["amount"])


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value))
