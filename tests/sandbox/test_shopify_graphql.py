"""Admin GraphQL in the Shopify sandbox, driven through ShopifyAPI's GraphQL client and requests."""

from __future__ import annotations

from decimal import Decimal

import pytest
import requests

from tests.support.shopify import DEMO_SHOP, OTHER_SHOP, ShopifySandbox

PRODUCTS = """
query Products($first: Int!, $after: String) {
  products(first: $first, after: $after) {
    edges { cursor node { id title variants(first: 5) { nodes {
      id sku price inventoryQuantity inventoryPolicy
      inventoryItem { measurement { weight { unit value } } }
    } } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""

CALCULATE = """
mutation Calc($input: DraftOrderInput!) {
  draftOrderCalculate(input: $input) {
    calculatedDraftOrder {
      subtotalPriceSet { shopMoney { amount currencyCode } }
      totalDiscountsSet { shopMoney { amount } }
      totalTaxSet { shopMoney { amount } }
      totalShippingPriceSet { shopMoney { amount } }
      totalPriceSet { shopMoney { amount } }
      taxLines { title rate priceSet { shopMoney { amount } } }
      availableShippingRates { handle title price { amount } }
      discountCodes
      warnings { message }
    }
    userErrors { field message }
  }
}
"""

ORDER_CREATE = """
mutation Create($order: OrderCreateOrderInput!, $options: OrderCreateOptionsInput) {
  orderCreate(order: $order, options: $options) {
    order { id name displayFinancialStatus tags totalPriceSet { shopMoney { amount } }
            lineItems(first: 5) { nodes { id sku quantity } } }
    userErrors { field message code }
  }
}
"""


@pytest.fixture
def shop(sandbox) -> ShopifySandbox:
    return ShopifySandbox(sandbox.url)


@pytest.fixture
def token(shop) -> str:
    return shop.token()


def variant_ids(shop: ShopifySandbox, token: str) -> dict[str, str]:
    """SKU -> variant GID."""
    answer = shop.gql(token, "{ productVariants(first: 50) { nodes { id sku } } }")
    return {v["sku"]: v["id"] for v in answer["data"]["productVariants"]["nodes"]}


def money(amount: str, currency: str = "USD") -> dict:
    return {"shopMoney": {"amount": amount, "currencyCode": currency}}


def create_order(shop, token, variant: str, quantity: int = 1, **extra):
    order = {
        "lineItems": [{"variantId": variant, "quantity": quantity}],
        "email": "buyer@example.com",
        "tags": ["cartpath", "checkout-abc"],
        "transactions": [{"kind": "SALE", "status": "SUCCESS", "amountSet": money("89.00")}],
        **extra.pop("order", {}),
    }
    return shop.gql(token, ORDER_CREATE, {"order": order, **extra})


def test_shop_and_cost_extension_via_shopifyapi(shop, token):
    answer = shop.gql(
        token,
        "{ shop { name currencyCode myshopifyDomain plan { displayName partnerDevelopment } } }",
    )
    assert answer["data"]["shop"] == {
        "name": "Demo Shop",
        "currencyCode": "USD",
        "myshopifyDomain": "demo-shop.myshopify.com",
        "plan": {"displayName": "Basic", "partnerDevelopment": False},
    }
    cost = answer["extensions"]["cost"]
    assert cost["requestedQueryCost"] == 2
    assert cost["actualQueryCost"] == 2
    assert cost["throttleStatus"]["restoreRate"] == 100.0


def test_each_shop_answers_its_iana_timezone_as_its_merchant_set_it(shop, token):
    """Shop.ianaTimezone (String!), https://shopify.dev/docs/api/admin-graphql/latest/objects/Shop:
    the demo shop bills from New York, the other from Germany."""
    other = shop.token(OTHER_SHOP)
    query = "{ shop { ianaTimezone } }"

    seeded = shop.gql(token, query)["data"]["shop"]["ianaTimezone"]
    seeded_other = shop.gql(other, query, shop=OTHER_SHOP)["data"]["shop"]["ianaTimezone"]
    changed = shop.control("POST", f"/shops/{DEMO_SHOP}", {"timezone": "America/Denver"})
    refused = requests.post(
        f"{shop.url}/_control/shopify/shops/{DEMO_SHOP}",
        json={"timezone": "", "plan": "plus"},
        timeout=10,
    )

    assert (seeded, seeded_other) == ("America/New_York", "Europe/Berlin")
    assert changed["timezone"] == "America/Denver"
    assert shop.gql(token, query)["data"]["shop"]["ianaTimezone"] == "America/Denver"
    assert refused.status_code == 400
    assert "timezone must be an IANA name" in refused.json()["error"]
    assert shop.control("POST", f"/shops/{DEMO_SHOP}", {})["plan"] == "basic"  # nothing half-set


def test_products_paginate_with_cursors_and_carry_2025_10_fields(shop, token):
    seen, after = [], None
    while True:
        page = shop.gql(token, PRODUCTS, {"first": 4, "after": after})["data"]["products"]
        seen += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == 9
    assert len({p["id"] for p in seen}) == 9
    shoe = next(p for p in seen if p["title"] == "Trail Runner Shoe")
    assert shoe["id"].startswith("gid://shopify/Product/")
    first = shoe["variants"]["nodes"][0]
    assert first["price"] == "89.00"
    assert first["sku"] == "TRS-42"
    assert first["inventoryPolicy"] == "DENY"
    assert first["inventoryItem"]["measurement"]["weight"] == {"unit": "GRAMS", "value": 850.0}


def test_connection_cost_counts_page_size_and_refunds_to_actual(shop, token):
    answer = shop.gql(token, PRODUCTS, {"first": 10})
    cost = answer["extensions"]["cost"]
    # products: 2 + 10 x (node 1 + variants (2 + 5 x (variant 1 + inventoryItem 1 + measurement 1
    # + weight 1))) = 2 + 10 x 23
    assert cost["requestedQueryCost"] == 232
    assert cost["actualQueryCost"] < cost["requestedQueryCost"]


def test_draft_order_calculate_prices_tax_shipping_and_discounts(shop, token):
    ids = variant_ids(shop, token)
    answer = shop.gql(
        token,
        CALCULATE,
        {
            "input": {
                "lineItems": [
                    {"variantId": ids["TRS-42"], "quantity": 1},
                    {"variantId": ids["MS-1"], "quantity": 2},
                ],
                "shippingAddress": {"countryCode": "US", "provinceCode": "NY", "city": "New York"},
                "discountCodes": ["WELCOME10"],
                "shippingLine": {"shippingRateHandle": "shopify-Free%20shipping-0.00"},
            }
        },
    )
    calc = answer["data"]["draftOrderCalculate"]["calculatedDraftOrder"]
    # 89.00 + 2 x 14.50 = 118.00; -10% = 106.20; NY 4% = 4.25 (4.248); free shipping over 100.
    assert calc["subtotalPriceSet"]["shopMoney"] == {"amount": "106.20", "currencyCode": "USD"}
    assert calc["totalDiscountsSet"]["shopMoney"]["amount"] == "11.80"
    assert calc["taxLines"] == [
        {"title": "NY State Tax", "rate": 0.04, "priceSet": {"shopMoney": {"amount": "4.25"}}}
    ]
    assert {r["title"] for r in calc["availableShippingRates"]} == {
        "Standard",
        "Express",
        "Free shipping",
    }
    assert calc["totalShippingPriceSet"]["shopMoney"]["amount"] == "0.00"
    assert Decimal(calc["totalPriceSet"]["shopMoney"]["amount"]) == Decimal("110.45")
    assert calc["discountCodes"] == ["WELCOME10"]


def test_draft_order_calculate_refuses_expired_and_below_minimum_codes(shop, token):
    ids = variant_ids(shop, token)
    for code in ("EXPIRED20", "FIVEOFF"):
        calc = shop.gql(
            token,
            CALCULATE,
            {
                "input": {
                    "lineItems": [{"variantId": ids["MS-1"], "quantity": 1}],
                    "shippingAddress": {"countryCode": "CA", "provinceCode": "ON"},
                    "discountCodes": [code],
                }
            },
        )["data"]["draftOrderCalculate"]["calculatedDraftOrder"]
        assert calc["totalDiscountsSet"]["shopMoney"]["amount"] == "0.00"
        assert calc["warnings"]
        assert calc["discountCodes"] == []
        assert calc["taxLines"][0]["title"] == "ON HST"
        assert [r["title"] for r in calc["availableShippingRates"]] == ["International"]


def test_unknown_variant_is_a_user_error(shop, token):
    answer = shop.gql(
        token,
        CALCULATE,
        {"input": {"lineItems": [{"variantId": "gid://shopify/ProductVariant/1", "quantity": 1}]}},
    )
    payload = answer["data"]["draftOrderCalculate"]
    assert payload["calculatedDraftOrder"] is None
    assert payload["userErrors"][0]["field"] == ["input", "lineItems", "0", "variantId"]


def test_draft_order_create_and_complete_makes_a_paid_order(shop, token):
    ids = variant_ids(shop, token)
    created = shop.gql(
        token,
        """
      mutation($input: DraftOrderInput!) { draftOrderCreate(input: $input) {
        draftOrder { id status totalPriceSet { shopMoney { amount } } } userErrors { message } } }
    """,
        {
            "input": {
                "lineItems": [{"variantId": ids["WB-500"], "quantity": 1}],
                "shippingAddress": {"countryCode": "US", "provinceCode": "CA"},
                "shippingLine": {"shippingRateHandle": "shopify-Standard-5.00"},
            }
        },
    )
    draft = created["data"]["draftOrderCreate"]["draftOrder"]
    assert draft["status"] == "OPEN"
    # 19.99 + 7.25% (1.45) + 5.00
    assert draft["totalPriceSet"]["shopMoney"]["amount"] == "26.44"

    completed = shop.gql(
        token,
        """
      mutation($id: ID!) { draftOrderComplete(id: $id, paymentPending: false) {
        draftOrder { status order { name displayFinancialStatus
                                    totalPriceSet { shopMoney { amount } }
        } } userErrors { message } } }
    """,
        {"id": draft["id"]},
    )["data"]["draftOrderComplete"]["draftOrder"]
    assert completed["status"] == "COMPLETED"
    assert completed["order"]["displayFinancialStatus"] == "PAID"
    assert completed["order"]["totalPriceSet"]["shopMoney"]["amount"] == "26.44"


def test_order_create_records_transactions_receipt_and_inventory(shop, token, sandbox):
    ids = variant_ids(shop, token)
    answer = create_order(
        shop,
        token,
        ids["TRS-42"],
        2,
        order={
            "transactions": [{"kind": "SALE", "status": "SUCCESS", "amountSet": money("178.00")}]
        },
        options={"inventoryBehaviour": "DECREMENT_OBEYING_POLICY", "sendReceipt": True},
    )
    order = answer["data"]["orderCreate"]["order"]
    assert answer["data"]["orderCreate"]["userErrors"] == []
    assert order["id"].startswith("gid://shopify/Order/")
    assert order["name"] == "#1001"
    assert order["displayFinancialStatus"] == "PAID"
    held = sandbox.state()["shopify"]["shops"]["demo-shop.myshopify.com"]
    stored = held["orders"][0]
    assert stored["total_price"] == "178.00"
    shoe = next(p for p in held["products"] if p["title"] == "Trail Runner Shoe")
    assert shoe["variants"][0]["inventory_quantity"] == 10

    too_many = create_order(
        shop, token, ids["TRS-43"], 4, options={"inventoryBehaviour": "DECREMENT_OBEYING_POLICY"}
    )
    errors = too_many["data"]["orderCreate"]["userErrors"]
    assert errors[0]["code"] == "INVENTORY_CLAIM_FAILED"
    assert too_many["data"]["orderCreate"]["order"] is None


def test_order_create_records_receipt_flag(shop, token, sandbox):
    ids = variant_ids(shop, token)
    create_order(shop, token, ids["MS-1"], options={"sendReceipt": True})
    emu_orders = shop_orders(sandbox)
    assert len(emu_orders) == 1


def shop_orders(sandbox) -> list[dict]:
    return sandbox.state()["shopify"]["shops"]["demo-shop.myshopify.com"]["orders"]


def test_development_store_accepts_five_orders_a_minute(shop, token, sandbox):
    shop.control("POST", "/shops/demo-shop.myshopify.com", {"plan": "development"})
    ids = variant_ids(shop, token)
    answers = [create_order(shop, token, ids["MS-1"])["data"]["orderCreate"] for _ in range(6)]
    assert [bool(a["order"]) for a in answers] == [True] * 5 + [False]
    assert "5 orders per minute" in answers[5]["userErrors"][0]["message"]
    sandbox.clock(advance=61)
    assert create_order(shop, token, ids["MS-1"])["data"]["orderCreate"]["order"]


def test_dropped_response_still_created_the_order(shop, token, sandbox):
    ids = variant_ids(shop, token)
    sandbox.fault(kind="drop", path="/graphql.json$", count=1)
    with pytest.raises(requests.ConnectionError):
        shop.graphql(
            token,
            ORDER_CREATE,
            {
                "order": {
                    "lineItems": [{"variantId": ids["MS-1"], "quantity": 1}],
                    "tags": ["checkout-xyz"],
                }
            },
        )
    found = shop.gql(token, '{ orders(first: 5, query: "tag:checkout-xyz") { nodes { id tags } } }')
    assert len(found["data"]["orders"]["nodes"]) == 1, "the platform kept the order"


def test_orders_by_tag_name_and_id(shop, token):
    ids = variant_ids(shop, token)
    first = create_order(shop, token, ids["MS-1"], order={"tags": ["alpha"]})
    create_order(shop, token, ids["MS-1"], order={"tags": ["beta"]})
    order_id = first["data"]["orderCreate"]["order"]["id"]
    by_tag = shop.gql(token, '{ orders(first: 10, query: "tag:beta") { nodes { name } } }')
    by_name = shop.gql(token, '{ orders(first: 10, query: "name:#1001") { nodes { id } } }')
    by_id = shop.gql(token, "query($id: ID!) { order(id: $id) { name email } }", {"id": order_id})
    assert by_tag["data"]["orders"]["nodes"] == [{"name": "#1002"}]
    assert by_name["data"]["orders"]["nodes"] == [{"id": order_id}]
    assert by_id["data"]["order"] == {"name": "#1001", "email": "buyer@example.com"}


def test_order_edit_adds_a_variant_and_leaves_a_balance(shop, token):
    ids = variant_ids(shop, token)
    order = create_order(
        shop,
        token,
        ids["TRS-42"],
        order={
            "shippingAddress": {"countryCode": "US", "provinceCode": "NY"},
            "taxLines": [{"title": "NY State Tax", "rate": "0.04", "priceSet": money("3.56")}],
            "transactions": [{"kind": "SALE", "status": "SUCCESS", "amountSet": money("92.56")}],
        },
    )["data"]["orderCreate"]["order"]
    assert order["displayFinancialStatus"] == "PAID"
    begun = shop.gql(
        token,
        "mutation($id: ID!) { orderEditBegin(id: $id) { calculatedOrder { id } "
        "userErrors { message } } }",
        {"id": order["id"]},
    )
    edit_id = begun["data"]["orderEditBegin"]["calculatedOrder"]["id"]
    added = shop.gql(
        token,
        """
      mutation($id: ID!, $v: ID!) { orderEditAddVariant(id: $id, variantId: $v, quantity: 1) {
        calculatedLineItem { id quantity }
        calculatedOrder { totalOutstandingSet { shopMoney { amount } } }
        userErrors { message } } }
    """,
        {"id": edit_id, "v": ids["MS-1"]},
    )["data"]["orderEditAddVariant"]
    # 14.50 more, taxed at 4% -> 0.58
    assert added["calculatedOrder"]["totalOutstandingSet"]["shopMoney"]["amount"] == "15.08"
    committed = shop.gql(
        token,
        """
      mutation($id: ID!) { orderEditCommit(id: $id, notifyCustomer: false) {
        order { displayFinancialStatus totalPriceSet { shopMoney { amount } }
                lineItems(first: 5) { nodes { sku quantity } } } userErrors { message } } }
    """,
        {"id": edit_id},
    )["data"]["orderEditCommit"]["order"]
    assert committed["totalPriceSet"]["shopMoney"]["amount"] == "107.64"
    assert committed["displayFinancialStatus"] == "PARTIALLY_PAID"
    assert [n["sku"] for n in committed["lineItems"]["nodes"]] == ["TRS-42", "MS-1"]


def test_webhook_subscriptions_create_list_delete(shop, token):
    create = """
      mutation($topic: WebhookSubscriptionTopic!, $sub: WebhookSubscriptionInput!) {
        webhookSubscriptionCreate(topic: $topic, webhookSubscription: $sub) {
          webhookSubscription { id topic uri } userErrors { field message } } }
    """
    sub = {"uri": "https://app.example/webhooks/shopify", "format": "JSON"}
    made = shop.gql(token, create, {"topic": "ORDERS_CREATE", "sub": sub})
    twice = shop.gql(token, create, {"topic": "ORDERS_CREATE", "sub": sub})
    node = made["data"]["webhookSubscriptionCreate"]["webhookSubscription"]
    assert node["topic"] == "ORDERS_CREATE"
    assert twice["data"]["webhookSubscriptionCreate"]["userErrors"]
    listed = shop.gql(token, "{ webhookSubscriptions(first: 10) { nodes { id uri } } }")
    assert listed["data"]["webhookSubscriptions"]["nodes"] == [
        {"id": node["id"], "uri": sub["uri"]}
    ]
    deleted = shop.gql(
        token,
        "mutation($id: ID!) { webhookSubscriptionDelete(id: $id) { "
        "deletedWebhookSubscriptionId userErrors { message } } }",
        {"id": node["id"]},
    )
    assert (
        deleted["data"]["webhookSubscriptionDelete"]["deletedWebhookSubscriptionId"] == node["id"]
    )


def test_app_uninstall_revokes_the_token(shop, token):
    answer = shop.gql(token, "mutation { appUninstall { app { apiKey } userErrors { message } } }")
    assert answer["data"]["appUninstall"]["userErrors"] == []
    assert shop.graphql(token, "{ shop { name } }").status_code == 401


def test_bad_queries_get_top_level_errors(shop, token):
    unknown_field = shop.graphql(token, "{ shop { nope } }").json()
    syntax = shop.graphql(token, "{ shop { name ").json()
    no_first = shop.graphql(token, "{ products { nodes { id } } }").json()
    assert "nope" in unknown_field["errors"][0]["message"]
    assert "data" not in unknown_field
    assert syntax["errors"][0]["locations"]
    assert no_first["errors"][0]["message"] == "you must provide one of first or last"


def test_tenancy_other_shop_sees_only_its_catalogue(shop):
    token = shop.token(OTHER_SHOP)
    answer = shop.gql(
        token, "{ shop { currencyCode } products(first: 50) { nodes { title } } }", shop=OTHER_SHOP
    )
    assert answer["data"]["shop"]["currencyCode"] == "EUR"
    assert {p["title"] for p in answer["data"]["products"]["nodes"]} == {
        "Espresso Cup",
        "Coffee Beans 1 kg",
    }


def test_max_cost_exceeded_for_a_query_over_1000_points(shop, token):
    query = "{ products(first: 250) { nodes { variants(first: 250) { nodes { id } } } } }"
    answer = shop.graphql(token, query).json()
    assert answer["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"
    assert "data" not in answer


def test_throttled_when_the_bucket_lacks_the_requested_cost(shop, token, sandbox):
    # 999 aliased objects: requested = actual = 999 points, so nothing is refunded.
    heavy = "{ " + " ".join(f"s{i}: shop {{ name }}" for i in range(999)) + " }"
    sandbox.clock(scale=1000)  # stop restoring while the bucket drains
    first, second, third = (shop.graphql(token, heavy).json() for _ in range(3))
    assert first["extensions"]["cost"]["actualQueryCost"] == 999
    assert second["extensions"]["cost"]["throttleStatus"]["currentlyAvailable"] == 2
    assert third["errors"] == [
        {
            "message": "Throttled",
            "extensions": {
                "code": "THROTTLED",
                "documentation": "https://shopify.dev/api/usage/rate-limits",
            },
        }
    ]
    assert third["extensions"]["cost"]["actualQueryCost"] is None
    assert "data" not in third
    sandbox.clock(advance=10)  # 10 s at 100 points/s restores 1000
    assert "errors" not in shop.graphql(token, heavy).json()


EDIT_PRICING = """
mutation($id: ID!, $line: ID!, $discount: OrderEditAppliedDiscountInput!,
         $shipping: OrderEditAddShippingLineInput!) {
  orderEditAddLineItemDiscount(id: $id, lineItemId: $line, discount: $discount) {
    calculatedOrder { totalOutstandingSet { shopMoney { amount } } } userErrors { message } }
  orderEditAddShippingLine(id: $id, shippingLine: $shipping) {
    calculatedShippingLine { title } userErrors { message } }
}
"""

MANUAL_PAYMENT = """
mutation($id: ID!, $amount: MoneyInput, $name: String) {
  orderCreateManualPayment(id: $id, amount: $amount, paymentMethodName: $name) {
    order { displayFinancialStatus totalOutstandingSet { shopMoney { amount } }
            transactions { gateway amountSet { shopMoney { amount } } } }
    userErrors { field message code } }
}
"""


def _begin_edit(shop, token, order_id: str) -> str:
    begin = "mutation($id: ID!) { orderEditBegin(id: $id) { calculatedOrder { id } } }"
    answer = shop.gql(token, begin, {"id": order_id})["data"]["orderEditBegin"]
    return answer["calculatedOrder"]["id"]


def test_order_edit_discounts_an_added_line_adds_shipping_and_a_manual_payment_settles(shop, token):
    ids = variant_ids(shop, token)
    order = create_order(
        shop,
        token,
        ids["TRS-42"],
        order={
            "shippingAddress": {"countryCode": "US", "provinceCode": "NY"},
            "taxLines": [{"title": "NY State Tax", "rate": "0.04", "priceSet": money("3.56")}],
            "transactions": [{"kind": "SALE", "status": "SUCCESS", "amountSet": money("92.56")}],
        },
    )["data"]["orderCreate"]["order"]
    edit_id = _begin_edit(shop, token, order["id"])
    add = """mutation($id: ID!, $v: ID!) { orderEditAddVariant(id: $id, variantId: $v,
      quantity: 2) { calculatedLineItem { id } } }"""
    line = shop.gql(token, add, {"id": edit_id, "v": ids["MS-1"]})["data"]["orderEditAddVariant"][
        "calculatedLineItem"
    ]["id"]
    original_line = shop.gql(
        token,
        "query($id: ID!) { order(id: $id) { lineItems(first: 1) { nodes { id } } } }",
        {"id": order["id"]},
    )["data"]["order"]["lineItems"]["nodes"][0]["id"]

    # an item that was already on the order cannot be discounted
    refused = shop.gql(
        token,
        EDIT_PRICING,
        {
            "id": edit_id,
            "line": original_line.replace("LineItem", "CalculatedLineItem"),
            "discount": {"fixedValue": {"amount": "1.00", "currencyCode": "USD"}},
            "shipping": {"title": "Express", "price": {"amount": "5.00", "currencyCode": "EUR"}},
        },
    )["data"]
    assert refused["orderEditAddLineItemDiscount"]["userErrors"] == [
        {"message": "Only items added during the current edit may be discounted."}
    ]
    assert "currency" in refused["orderEditAddShippingLine"]["userErrors"][0]["message"]

    priced = shop.gql(
        token,
        EDIT_PRICING,
        {
            "id": edit_id,
            "line": line,
            "discount": {"fixedValue": {"amount": "7.25", "currencyCode": "USD"}},
            "shipping": {"title": "Express", "price": {"amount": "5.00", "currencyCode": "USD"}},
        },
    )["data"]
    # 2 x 14.50 less 7.25 each = 14.50, taxed at 4% -> 0.58 (the shipping comes next)
    discounted = priced["orderEditAddLineItemDiscount"]["calculatedOrder"]
    assert discounted["totalOutstandingSet"]["shopMoney"]["amount"] == "15.08"
    assert priced["orderEditAddShippingLine"]["calculatedShippingLine"] == {"title": "Express"}
    commit = """mutation($id: ID!) { orderEditCommit(id: $id) {
      order { totalOutstandingSet { shopMoney { amount } } } } }"""
    committed = shop.gql(token, commit, {"id": edit_id})["data"]["orderEditCommit"]["order"]
    assert committed["totalOutstandingSet"]["shopMoney"]["amount"] == "20.08"

    too_much = shop.gql(token, MANUAL_PAYMENT, {"id": order["id"], "amount": money_input("20.09")})
    paid = shop.gql(
        token,
        MANUAL_PAYMENT,
        {"id": order["id"], "amount": money_input("20.08"), "name": "stripe pi_1"},
    )
    again = shop.gql(token, MANUAL_PAYMENT, {"id": order["id"]})

    assert too_much["data"]["orderCreateManualPayment"]["userErrors"][0]["code"] == (
        "AMOUNT_EXCEEDS_BALANCE"
    )
    settled = paid["data"]["orderCreateManualPayment"]["order"]
    assert settled["displayFinancialStatus"] == "PAID"
    assert settled["totalOutstandingSet"]["shopMoney"]["amount"] == "0.00"
    assert settled["transactions"][-1] == {
        "gateway": "stripe pi_1",
        "amountSet": {"shopMoney": {"amount": "20.08"}},
    }
    assert again["data"]["orderCreateManualPayment"]["userErrors"][0]["code"] == (
        "AMOUNT_EXCEEDS_BALANCE"
    )


def money_input(amount: str) -> dict:
    return {"amount": amount, "currencyCode": "USD"}


SHIPPING_EDIT = """
fragment Calculated on CalculatedOrder {
  shippingLines { id title price { shopMoney { amount } } stagedStatus }
  totalOutstandingSet { shopMoney { amount } }
}
mutation($id: ID!, $shipping: OrderEditAddShippingLineInput!) {
  orderEditAddShippingLine(id: $id, shippingLine: $shipping) {
    calculatedShippingLine { id stagedStatus } calculatedOrder { ...Calculated }
    userErrors { message } }
}
"""

REMOVE_SHIPPING = """
mutation($id: ID!, $line: ID!) {
  orderEditRemoveShippingLine(id: $id, shippingLineId: $line) {
    calculatedOrder {
      shippingLines { id title price { shopMoney { amount } } stagedStatus }
      totalPriceSet { shopMoney { amount } } totalOutstandingSet { shopMoney { amount } } }
    userErrors { field message code } }
}
"""

ORDER_SHIPPING = """
query($id: ID!) { order(id: $id) {
  shippingLine { title }
  current: shippingLines(first: 5) { nodes { title isRemoved } }
  every: shippingLines(first: 5, includeRemovals: true) {
    nodes { title isRemoved originalPriceSet { shopMoney { amount } } } }
  totalShippingPriceSet { shopMoney { amount } }
  totalPriceSet { shopMoney { amount } }
  totalOutstandingSet { shopMoney { amount } }
  displayFinancialStatus
} }
"""


def _commit_edit(shop, token, edit_id: str) -> None:
    commit = "mutation($id: ID!) { orderEditCommit(id: $id) { userErrors { message } } }"
    assert shop.gql(token, commit, {"id": edit_id})["data"]["orderEditCommit"]["userErrors"] == []


def _rest_shipping(sandbox, order_id: str) -> list[tuple[str, str, bool]]:
    (order,) = [
        o
        for o in sandbox.state()["shopify"]["shops"][DEMO_SHOP]["orders"]
        if o["admin_graphql_api_id"] == order_id
    ]
    return [(ln["title"], ln["price"], ln["is_removed"]) for ln in order["shipping_lines"]]


def test_an_order_keeps_each_shipping_line_and_an_edit_removes_one(shop, token, sandbox):
    # given: an order paid in full with its shipping (89.00 + 5.00)
    ids = variant_ids(shop, token)
    order_id = create_order(
        shop,
        token,
        ids["TRS-42"],
        order={
            "shippingLines": [{"title": "Standard", "priceSet": money("5.00")}],
            "transactions": [{"kind": "SALE", "status": "SUCCESS", "amountSet": money("94.00")}],
        },
    )["data"]["orderCreate"]["order"]["id"]
    # ... to which an edit adds a second shipping line, committed: two lines, not one summed
    edit_id = _begin_edit(shop, token, order_id)
    express = {"title": "Express", "price": money_input("7.00")}
    added = shop.gql(token, SHIPPING_EDIT, {"id": edit_id, "shipping": express})["data"]
    staged = added["orderEditAddShippingLine"]
    assert staged["calculatedShippingLine"]["stagedStatus"] == "ADDED"
    assert [
        (s["title"], s["stagedStatus"]) for s in staged["calculatedOrder"]["shippingLines"]
    ] == [
        ("Standard", "NONE"),
        ("Express", "ADDED"),
    ]
    _commit_edit(shop, token, edit_id)
    shipped = shop.gql(token, ORDER_SHIPPING, {"id": order_id})["data"]["order"]
    assert [n["title"] for n in shipped["current"]["nodes"]] == ["Standard", "Express"]
    assert shipped["shippingLine"] == {"title": "Standard"}
    assert shipped["totalShippingPriceSet"]["shopMoney"]["amount"] == "12.00"
    assert shipped["totalOutstandingSet"]["shopMoney"]["amount"] == "7.00"

    # when: another edit stages a line and takes it off again, and removes Express
    edit_id = _begin_edit(shop, token, order_id)
    gift = {"title": "Gift wrap", "price": money_input("2.00")}
    staged = shop.gql(token, SHIPPING_EDIT, {"id": edit_id, "shipping": gift})["data"][
        "orderEditAddShippingLine"
    ]
    gift_id = staged["calculatedShippingLine"]["id"]
    express_id = staged["calculatedOrder"]["shippingLines"][1]["id"]
    unstaged = shop.gql(token, REMOVE_SHIPPING, {"id": edit_id, "line": gift_id})["data"]
    removed = shop.gql(token, REMOVE_SHIPPING, {"id": edit_id, "line": express_id})["data"]
    twice = shop.gql(token, REMOVE_SHIPPING, {"id": edit_id, "line": express_id})["data"]
    unknown = shop.gql(token, REMOVE_SHIPPING, {"id": edit_id, "line": gift_id})["data"]
    _commit_edit(shop, token, edit_id)
    after_commit = shop.gql(token, REMOVE_SHIPPING, {"id": edit_id, "line": express_id})["data"]

    # then: the staged line is gone at once; Express is REMOVED until the commit, then
    # listed only with includeRemovals; the order is paid in full again
    calculated = unstaged["orderEditRemoveShippingLine"]["calculatedOrder"]
    assert [s["title"] for s in calculated["shippingLines"]] == ["Standard", "Express"]
    calculated = removed["orderEditRemoveShippingLine"]["calculatedOrder"]
    assert [(s["title"], s["stagedStatus"]) for s in calculated["shippingLines"]] == [
        ("Standard", "NONE"),
        ("Express", "REMOVED"),
    ]
    assert calculated["totalPriceSet"]["shopMoney"]["amount"] == "94.00"
    assert calculated["totalOutstandingSet"]["shopMoney"]["amount"] == "0.00"
    for refused in (twice, unknown):
        (error,) = refused["orderEditRemoveShippingLine"]["userErrors"]
        assert (error["field"], error["code"]) == (["shippingLineId"], "INVALID")
    (error,) = after_commit["orderEditRemoveShippingLine"]["userErrors"]
    assert error["field"] == ["id"]
    shipped = shop.gql(token, ORDER_SHIPPING, {"id": order_id})["data"]["order"]
    assert [n["title"] for n in shipped["current"]["nodes"]] == ["Standard"]
    assert [(n["title"], n["isRemoved"]) for n in shipped["every"]["nodes"]] == [
        ("Standard", False),
        ("Express", True),
    ]
    assert shipped["totalShippingPriceSet"]["shopMoney"]["amount"] == "5.00"
    assert shipped["totalPriceSet"]["shopMoney"]["amount"] == "94.00"
    assert shipped["totalOutstandingSet"]["shopMoney"]["amount"] == "0.00"
    assert shipped["displayFinancialStatus"] == "PAID"
    assert _rest_shipping(sandbox, order_id) == [
        ("Standard", "5.00", False),
        ("Express", "7.00", True),
    ]


DELIVERY_OPTIONS = """
query Options($input: DraftOrderAvailableDeliveryOptionsInput!, $count: Int, $from: Int,
              $search: String) {
  draftOrderAvailableDeliveryOptions(input: $input, localPickupCount: $count,
                                     localPickupFrom: $from, search: $search) {
    availableShippingRates { code handle source title price { amount } }
    availableLocalDeliveryRates { handle }
    availableLocalPickupOptions {
      code handle instructions locationId source title distanceFromBuyer { value }
    }
    pageInfo { hasNextPage hasPreviousPage }
  }
}
"""

PICKUP_INSTRUCTIONS = "Usually ready in 2 hours. Bring your order number to the counter."


def delivery_options(shop, token, lines: list[dict], **variables) -> dict:
    answer = shop.gql(token, DELIVERY_OPTIONS, {"input": {"lineItems": lines}, **variables})
    return answer["data"]["draftOrderAvailableDeliveryOptions"]


def test_delivery_options_list_the_rates_and_the_locations_with_pickup_on(shop, token):
    ids = variant_ids(shop, token)
    shoe = [{"variantId": ids["TRS-42"], "quantity": 2}]  # 178.00: free shipping too

    options = delivery_options(shop, token, shoe)
    with_address = delivery_options(
        shop,
        token,
        shoe,
        input={
            "lineItems": shoe,
            "shippingAddress": {"countryCode": "US", "provinceCode": "NY"},
        },
    )

    assert options["availableShippingRates"] == [], "rates need an address"
    (pickup,) = options["availableLocalPickupOptions"]
    assert pickup["title"] == pickup["code"] == "Mission St store"
    assert pickup["instructions"] == PICKUP_INSTRUCTIONS
    assert pickup["locationId"].startswith("gid://shopify/Location/")
    assert pickup["source"] == "shopify"
    assert pickup["distanceFromBuyer"] is None
    assert [(r["title"], r["price"]["amount"]) for r in with_address["availableShippingRates"]] == [
        ("Standard", "5.00"),
        ("Express", "15.00"),
        ("Free shipping", "0.00"),
    ]
    assert with_address["availableLocalPickupOptions"] == [pickup], "the warehouse has none"
    assert with_address["availableLocalDeliveryRates"] == []
    gift_card = [{"variantId": ids["GC-25"], "quantity": 1}]
    assert delivery_options(shop, token, gift_card)["availableLocalPickupOptions"] == [], (
        "nothing to collect"
    )


def test_pickup_locations_are_paged_and_searched(shop, token):
    ids = variant_ids(shop, token)
    shoe = [{"variantId": ids["TRS-42"], "quantity": 1}]

    first = delivery_options(shop, token, shoe, count=1)
    past = delivery_options(shop, token, shoe, **{"from": 1})
    found = delivery_options(shop, token, shoe, search="mission")
    missed = delivery_options(shop, token, shoe, search="Brooklyn")

    assert len(first["availableLocalPickupOptions"]) == 1
    assert first["pageInfo"] == {"hasNextPage": False, "hasPreviousPage": False}
    assert past["availableLocalPickupOptions"] == []
    assert past["pageInfo"]["hasPreviousPage"] is True
    assert len(found["availableLocalPickupOptions"]) == 1
    assert missed["availableLocalPickupOptions"] == []


def test_a_pickup_handle_prices_a_free_delivery_taxed_at_the_location(shop, token):
    ids = variant_ids(shop, token)
    lines = [{"variantId": ids["TRS-42"], "quantity": 1}]
    (pickup,) = delivery_options(shop, token, lines)["availableLocalPickupOptions"]
    new_york = {"countryCode": "US", "provinceCode": "NY", "zip": "10118"}

    calc = shop.gql(
        token,
        CALCULATE,
        {
            "input": {
                "lineItems": lines,
                "shippingAddress": new_york,
                "shippingLine": {"shippingRateHandle": pickup["handle"]},
            }
        },
    )["data"]["draftOrderCalculate"]["calculatedDraftOrder"]

    assert calc["totalShippingPriceSet"]["shopMoney"]["amount"] == "0.00"
    assert [t["title"] for t in calc["taxLines"]] == ["CA State Tax"], "taxed in San Francisco"
    assert calc["totalTaxSet"]["shopMoney"]["amount"] == "6.45"  # 89.00 x 7.25%
    assert calc["totalPriceSet"]["shopMoney"]["amount"] == "95.45"
    assert calc["warnings"] == []


def test_an_order_to_collect_keeps_its_billing_address_and_pickup_code(shop, token):
    ids = variant_ids(shop, token)
    billing = {"firstName": "Ada", "countryCode": "US", "provinceCode": "NY", "zip": "10118"}
    created = create_order(
        shop,
        token,
        ids["TRS-42"],
        order={
            "billingAddress": billing,
            "shippingLines": [
                {
                    "title": "Mission St store",
                    "code": "shopify-pickup-1",
                    "source": "shopify",
                    "priceSet": money("0.00"),
                }
            ],
            "customAttributes": [{"key": "Local pickup", "value": "Mission St store"}],
        },
    )["data"]["orderCreate"]
    assert created["userErrors"] == []

    order = shop.gql(
        token,
        """query($id: ID!) { order(id: $id) {
          shippingAddress { zip } billingAddress { firstName zip }
          shippingLine { title code } customAttributes { key value } } }""",
        {"id": created["order"]["id"]},
    )["data"]["order"]

    assert order["shippingAddress"] is None
    assert order["billingAddress"] == {"firstName": "Ada", "zip": "10118"}
    assert order["shippingLine"] == {"title": "Mission St store", "code": "shopify-pickup-1"}
    assert order["customAttributes"] == [{"key": "Local pickup", "value": "Mission St store"}]


@pytest.mark.parametrize(
    ("scopes", "denied"),
    [
        (["read_products"], ["draftOrderCalculate", "draftOrderAvailableDeliveryOptions"]),
        (["read_products", "read_draft_orders"], ["draftOrderCalculate"]),
        (["read_products", "write_draft_orders"], []),
    ],
)
def test_draft_order_fields_need_their_access_scope(shop, scopes, denied):
    token = shop.install(scopes=scopes)["access_token"]
    ids = variant_ids(shop, token)
    lines = [{"variantId": ids["TRS-42"], "quantity": 1}]

    calculate = shop.graphql(token, CALCULATE, {"input": {"lineItems": lines}}).json()
    options = shop.graphql(token, DELIVERY_OPTIONS, {"input": {"lineItems": lines}}).json()

    refused = {
        error["message"].split()[3]: error["extensions"]
        for answer in (calculate, options)
        for error in answer.get("errors", [])
    }
    assert sorted(refused) == sorted(denied)
    for extensions in refused.values():
        assert extensions["code"] == "ACCESS_DENIED"
        assert extensions["requiredAccess"].endswith("access scope.")
