"""v2 orders through the real client's Orders resource, including added products (upsells)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from bigcommerce.exception import ClientRequestException

from tests.support.bigcommerce import (
    BILLING,
    DEMO_STORE,
    OTHER_STORE,
    install,
    v2_api,
)


@pytest.fixture
def api(sandbox):
    return v2_api(sandbox, install(sandbox)["access_token"])


def _order(api, **extra):
    return api.Orders.create(
        billing_address=BILLING,
        products=[{"product_id": 112, "quantity": 2}],
        status_id=11,
        external_source="40501",
        external_id="cp_0001",
        payment_method="Cartpath",
        shipping_cost_ex_tax="10.00",
        **extra,
    )


def ids(result) -> list[int]:
    """Order ids of a list answer; the client turns v2's empty 204 into one empty Orders object."""
    return [o.id for o in result] if isinstance(result, list) else []


def _stock(sandbox, product_id: str) -> int:
    return sandbox.state()["bigcommerce"]["stores"][DEMO_STORE]["products"][product_id][
        "inventory_level"
    ]


def test_create_and_read_an_order(api, sandbox):
    order = _order(api, staff_notes="from Cartpath")

    assert order.status == "Awaiting Fulfillment"
    assert order.subtotal_ex_tax == "29.0000"
    assert order.total_tax == "2.1000", "7.25% CA tax on 29.00"
    assert order.total_inc_tax == "41.1000"
    assert order.external_source == "40501"
    assert order.external_id == "cp_0001"
    assert order.currency_code == "USD"
    raw = api.connection._last_response.json()
    assert raw["products"]["resource"] == f"/orders/{order.id}/products"
    again = api.Orders.get(order.id)
    assert again.staff_notes == "from Cartpath"
    assert again.date_created == order.date_created
    assert _stock(sandbox, "112") == 198


def test_list_filters_and_the_empty_page(api):
    first = _order(api)
    second = api.Orders.create(
        billing_address={**BILLING, "email": "grace@example.com"},
        products=[{"name": "Gift wrap", "quantity": 1, "price_ex_tax": "3.50"}],
        status_id=7,
    )

    assert [o.id for o in api.Orders.all(status_id=7)] == [second.id]
    assert [o.id for o in api.Orders.all(email="ADA@example.com")] == [first.id]
    assert [o.id for o in api.Orders.all(min_id=first.id, sort="id:desc")] == [second.id, first.id]
    assert [o.id for o in api.Orders.all(limit=1, page=2)] == [second.id]
    assert ids(api.Orders.all(min_id=second.id + 1000)) == []
    assert api.connection._last_response.status_code == 204
    assert api.Orders.count() == 2


def test_update_status_payment_and_notes(api):
    order = _order(api)

    updated = order.update(
        status_id=2, payment_method="Stripe", payment_provider_id="pi_9", staff_notes="shipped"
    )

    assert (updated.status_id, updated.status) == (2, "Shipped")
    assert updated.payment_method == "Stripe"
    assert updated.payment_provider_id == "pi_9"
    assert updated.staff_notes == "shipped"


def test_external_id_cannot_be_changed_by_a_put(api):
    """orders.v2 reference: external_id is set on POST only; a PUT with it answers 400."""
    order = _order(api)

    with pytest.raises(ClientRequestException) as refused:
        order.update(external_id="cp_9")

    assert refused.value.status_code == 400
    assert api.Orders.get(order.id).external_id == "cp_0001"


def test_upsell_adds_a_product_to_a_placed_order(api, sandbox):
    order = _order(api)
    gel_stock = _stock(sandbox, "116")

    updated = order.update(
        products=[
            {"product_id": 116, "quantity": 1, "product_options": [{"id": 1160, "value": "11602"}]}
        ]
    )

    lines = api.Orders.get(order.id).products()
    assert [(line.product_id, line.quantity) for line in lines] == [(112, 2), (116, 1)]
    assert lines[1].product_options[0]["display_value"] == "Berry"
    assert Decimal(updated.subtotal_ex_tax) == Decimal("29.00") + Decimal("11.40")
    assert _stock(sandbox, "116") == gel_stock - 1
    order.update(products=[{"id": lines[1].id, "quantity": 0}])
    assert [line.product_id for line in api.Orders.get(order.id).products()] == [112]
    assert _stock(sandbox, "116") == gel_stock


def test_archive_hides_an_order_from_the_list(api):
    order = _order(api)

    api.Orders.get(order.id).delete()

    assert ids(api.Orders.all()) == []
    assert api.Orders.get(order.id).is_deleted is True
    assert [o.id for o in api.Orders.all(is_deleted="true")] == [order.id]


def test_v2_errors_have_the_v2_shape(api):
    with pytest.raises(ClientRequestException) as missing:
        api.Orders.get(987654)
    assert missing.value.response.status_code == 404
    assert missing.value.response.json()[0]["status"] == 404
    with pytest.raises(ClientRequestException) as invalid:
        api.Orders.create(products=[{"product_id": 112, "quantity": 1}])
    body = invalid.value.response.json()
    assert invalid.value.response.status_code == 400
    assert "billing_address" in body[0]["message"]
    with pytest.raises(ClientRequestException):
        api.Orders.create(billing_address=BILLING, products=[{"product_id": 111, "quantity": 1}])


def test_orders_never_cross_stores(sandbox, api):
    order = _order(api)
    other = v2_api(sandbox, install(sandbox, OTHER_STORE)["access_token"], OTHER_STORE)

    with pytest.raises(ClientRequestException) as hidden:
        other.Orders.get(order.id)

    assert hidden.value.response.status_code == 404
    assert ids(other.Orders.all()) == []
    assert other.Store.all()["currency"] == "EUR"


def test_a_refused_update_changes_nothing(api, sandbox):
    order = _order(api)
    before = api.Orders.get(order.id)
    stock = _stock(sandbox, "116")

    with pytest.raises(ClientRequestException) as refused:
        order.update(
            status_id=2,
            staff_notes="half written?",
            products=[
                {"product_id": 116, "variant_id": 11601, "quantity": 1},
                {"product_id": 424242, "quantity": 1},
            ],
        )

    assert refused.value.response.status_code == 400
    after = api.Orders.get(order.id)
    assert (after.status_id, after.staff_notes) == (before.status_id, before.staff_notes)
    assert [line.product_id for line in after.products()] == [112]
    assert _stock(sandbox, "116") == stock
    with pytest.raises(ClientRequestException):
        order.update(products=[{"id": after.products()[0].id, "quantity": 0}])
