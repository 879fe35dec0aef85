"""Server-to-server checkout: the platform prices shipping, coupons and tax.

The order it makes stays Incomplete until the app marks it paid.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from bigcommerce.exception import ClientRequestException

from tests.support.bigcommerce import (
    ADDRESS,
    DEMO_STORE,
    connection,
    install,
    v2_api,
)


@pytest.fixture
def token(sandbox):
    return install(sandbox)["access_token"]


@pytest.fixture
def v3(sandbox, token):
    return connection(sandbox, token)


def exact(conn) -> dict:
    """The last answer parsed with Decimals, to check money to the cent."""
    return json.loads(conn._last_response.text, parse_float=Decimal, parse_int=Decimal)["data"]


def _cart(v3) -> dict:
    return v3.post(
        "carts",
        {
            "line_items": [
                {"product_id": 111, "variant_id": 11101, "quantity": 2},
                {"product_id": 113, "variant_id": 11301, "quantity": 1},
            ]
        },
    )["data"]


def _items(cart: dict) -> list[dict]:
    return [
        {"item_id": i["id"], "quantity": i["quantity"]}
        for i in cart["line_items"]["physical_items"]
    ]


def _ship_to(v3, cart: dict, address: dict) -> dict:
    v3.post(f"checkouts/{cart['id']}/billing-address", address)
    return v3.post(
        f"checkouts/{cart['id']}/consignments?include=consignments.available_shipping_options",
        [{"address": address, "line_items": _items(cart)}],
    )["data"]


def test_checkout_prices_shipping_coupon_and_state_tax(v3):
    cart = _cart(v3)
    checkout = _ship_to(v3, cart, ADDRESS)

    consignment = checkout["consignments"][0]
    offered = {o["description"]: o for o in consignment["available_shipping_options"]}
    assert set(offered) == {"Flat rate", "Per item", "Free shipping over $100"}
    costs = {name: Decimal(str(o["cost"])) for name, o in offered.items()}
    assert costs == {"Flat rate": 10, "Per item": 6, "Free shipping over $100": 0}
    v3.post(f"checkouts/{cart['id']}/coupons", {"coupon_code": "SAVE10"})
    v3.put(
        f"checkouts/{cart['id']}/consignments/{consignment['id']}",
        {"shipping_option_id": offered["Flat rate"]["id"]},
    )
    priced = exact(v3)

    assert priced["subtotal_ex_tax"] == Decimal("197.99")
    assert priced["coupons"][0]["discounted_amount"] == Decimal("19.80")
    assert priced["shipping_cost_total_ex_tax"] == Decimal("10")
    assert priced["tax_total"] == Decimal("12.92"), "7.25% CA tax on 178.19, shipping untaxed"
    assert priced["taxes"][0]["name"] == "CA Sales Tax"
    assert priced["grand_total"] == Decimal("201.11")


def test_new_york_taxes_shipping_and_abroad_uses_the_global_zone(v3):
    ny = _ship_to(v3, _cart(v3), {**ADDRESS, "state_or_province_code": "NY"})
    option = next(
        o
        for o in ny["consignments"][0]["available_shipping_options"]
        if o["description"] == "Per item"
    )
    v3.put(
        f"checkouts/{ny['id']}/consignments/{ny['consignments'][0]['id']}",
        {"shipping_option_id": option["id"]},
    )
    assert exact(v3)["tax_total"] == Decimal("18.10"), "8.875% of (197.99 + 6.00)"

    abroad = _ship_to(
        v3,
        _cart(v3),
        {**ADDRESS, "country_code": "GB", "state_or_province_code": "", "city": "London"},
    )
    options = abroad["consignments"][0]["available_shipping_options"]
    assert [(o["description"], o["cost"]) for o in options] == [("Flat rate", 25)]
    assert abroad["tax_total"] == 0


@pytest.mark.parametrize(
    ("code", "reason"),
    [("FIVEOFF", "minimum purchase"), ("EXPIRED20", "expired"), ("NOPE", "not valid")],
)
def test_coupons_that_do_not_apply_are_refused(v3, code, reason):
    cart = v3.post("carts", {"line_items": [{"product_id": 112, "quantity": 1}]})["data"]

    with pytest.raises(ClientRequestException) as refused:
        v3.post(f"checkouts/{cart['id']}/coupons", {"coupon_code": code})

    assert refused.value.response.status_code == 400
    assert reason in refused.value.response.json()["title"]


def test_fixed_coupon_over_its_minimum(v3):
    cart = v3.post(
        "carts", {"line_items": [{"product_id": 115, "variant_id": 11501, "quantity": 1}]}
    )["data"]

    v3.post(f"checkouts/{cart['id']}/coupons", {"coupon_code": "fiveoff"})

    assert exact(v3)["cart"]["discount_amount"] == Decimal("5")


def test_order_from_checkout_is_incomplete_until_paid(sandbox, v3, token):
    cart = _cart(v3)
    checkout = _ship_to(v3, cart, ADDRESS)
    with pytest.raises(ClientRequestException) as not_ready:
        v3.post(f"checkouts/{cart['id']}/orders", {})
    assert "shipping_option" in not_ready.value.response.json()["errors"]
    consignment = checkout["consignments"][0]
    v3.put(
        f"checkouts/{cart['id']}/consignments/{consignment['id']}",
        {"shipping_option_id": consignment["available_shipping_options"][0]["id"]},
    )
    grand_total = exact(v3)["grand_total"]

    order_id = v3.post(f"checkouts/{cart['id']}/orders", {})["data"]["id"]
    again = v3.post(f"checkouts/{cart['id']}/orders", {})["data"]["id"]

    assert again == order_id, "the checkout keeps one Incomplete order"
    api = v2_api(sandbox, token)
    order = api.Orders.get(order_id)
    assert order.status_id == 0
    assert order.cart_id == cart["id"]
    assert Decimal(order.total_inc_tax) == grand_total
    assert [p.sku for p in order.products()] == ["TRS-42", "WB-500ML"]
    stock = sandbox.state()["bigcommerce"]["stores"][DEMO_STORE]["products"]["111"]["variants"]
    assert stock["11101"] == 12, "an Incomplete order holds no stock"

    order.update(status_id=11, payment_method="Cartpath")

    store = sandbox.state()["bigcommerce"]["stores"][DEMO_STORE]
    assert store["products"]["111"]["variants"]["11101"] == 10
    assert cart["id"] not in store["carts"], "the cart is converted once the order is placed"


def test_pickup_methods_are_listed_and_filtered_by_id(v3):
    (method,) = v3.get("pickup/methods")["data"]

    assert method == {
        "id": 11,
        "location_id": 1,
        "display_name": "Pick up at our Mission St store",
        "collection_instructions": "Bring your order number to the counter.",
        "collection_time_description": "Ready in 2 hours",
    }
    assert v3.get("pickup/methods", **{"id:in": "11,12"})["data"] == [method]
    assert v3.get("pickup/methods", **{"id:in": "12"})["data"] == []


def test_a_pickup_consignment_ships_nothing_and_its_order_lists_the_pickup(sandbox, v3, token):
    cart = _cart(v3)
    v3.post(f"checkouts/{cart['id']}/billing-address", ADDRESS)

    checkout = v3.post(
        f"checkouts/{cart['id']}/consignments?include=consignments.available_shipping_options",
        [{"pickup_option": {"pickup_method_id": 11}, "line_items": _items(cart)}],
    )["data"]
    priced = exact(v3)

    (consignment,) = checkout["consignments"]
    assert consignment["selected_pickup_option"] == {"pickup_method_id": 11}
    assert "address" not in consignment
    assert consignment["available_shipping_options"] == []
    assert priced["shipping_cost_total_ex_tax"] == 0
    assert priced["grand_total"] == priced["subtotal_ex_tax"] + priced["tax_total"]
    order_id = v3.post(f"checkouts/{cart['id']}/orders", {})["data"]["id"]
    v2 = connection(sandbox, token, DEMO_STORE, "v2")
    consignments = v2.get(f"orders/{order_id}/consignments")
    assert consignments["shipping"] == []
    (pickup,) = consignments["pickups"]
    assert pickup["pickup_method_id"] == 11
    assert pickup["location"]["address_line_1"] == "500 Mission St"


@pytest.mark.parametrize(
    ("consignment", "field"),
    [
        ({"pickup_option": {"pickup_method_id": 999}}, "pickup_option"),
        ({"pickup_option": {}}, "pickup_option"),
        ({"pickup_option": {"pickup_method_id": 11}, "address": ADDRESS}, "pickup_option"),
    ],
)
def test_bad_pickup_consignments_are_refused(v3, consignment, field):
    cart = _cart(v3)

    with pytest.raises(ClientRequestException) as refused:
        v3.post(
            f"checkouts/{cart['id']}/consignments",
            [{**consignment, "line_items": _items(cart)}],
        )

    assert refused.value.response.status_code == 422
    assert field in refused.value.response.json()["errors"]
    assert v3.get(f"checkouts/{cart['id']}")["data"]["consignments"] == []
