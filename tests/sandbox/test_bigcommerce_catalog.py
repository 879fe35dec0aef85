"""v3 catalog and v3 carts through the real client's v3 connection."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import requests
from bigcommerce.exception import ClientRequestException

from tests.support.bigcommerce import DEMO_STORE, connection, install, query_of


@pytest.fixture
def v3(sandbox):
    return connection(sandbox, install(sandbox)["access_token"])


def test_products_page_with_meta_and_includes(v3):
    first = v3.get("catalog/products", limit=3, include="variants,images")

    assert len(first["data"]) == 3
    pagination = first["meta"]["pagination"]
    assert pagination["total"] >= 8
    assert pagination["per_page"] == 3
    assert pagination["current_page"] == 1
    assert "next" in pagination["links"]
    shoe = first["data"][0]
    assert shoe["name"] == "Trail Runner Shoe"
    assert shoe["inventory_tracking"] == "variant"
    assert [v["option_values"][0]["label"] for v in shoe["variants"]] == ["42", "43", "44"]
    assert shoe["variants"][0]["option_values"][0]["option_display_name"] == "Size"
    image = requests.get(shoe["images"][0]["url_standard"], timeout=5)
    assert image.status_code == 200
    assert image.headers["Content-Type"].startswith("image/svg+xml")
    last = v3.get("catalog/products", limit=3, page=pagination["total_pages"])
    assert "next" not in last["meta"]["pagination"]["links"]
    assert "variants" not in v3.get("catalog/products", limit=1)["data"][0]


def test_filters_by_id_and_sku(v3):
    assert [p["id"] for p in v3.get("catalog/products", **{"id:in": "113,111"})["data"]] == [
        111,
        113,
    ]
    assert [p["id"] for p in v3.get("catalog/products", sku="WB-1L")["data"]] == [113]


def test_update_price_and_stock_exactly(v3):
    answer = v3.put("catalog/products/112", {"price": "15.15", "inventory_level": 7})

    assert answer["data"]["inventory_level"] == 7
    raw = v3._last_response.text
    assert Decimal(str(json.loads(raw, parse_float=Decimal)["data"]["price"])) == Decimal("15.15")
    variant = v3.put("catalog/products/111/variants/11102", {"inventory_level": 1})
    assert variant["data"]["inventory_level"] == 1
    assert v3.get("catalog/products/111")["data"]["inventory_level"] == 12 + 1 + 0


def test_errors_have_the_v3_shape(v3):
    with pytest.raises(ClientRequestException) as missing:
        v3.get("catalog/products/999999")
    body = missing.value.response.json()
    assert missing.value.response.status_code == 404
    assert set(body) == {"status", "title", "type", "errors"}
    assert body["status"] == 404
    with pytest.raises(ClientRequestException) as invalid:
        v3.put("catalog/products/111", {"inventory_level": -1})
    assert invalid.value.response.status_code == 422
    assert "inventory_level" in invalid.value.response.json()["errors"]


def test_read_only_scope_cannot_write(sandbox):
    app = {
        "client_id": "ro-client",
        "client_secret": "ro-secret-0123456789abcdef0123456789",
        "app_id": "900",
        "auth_callback": "https://ro.example/auth",
        "load_callback": "https://ro.example/load",
        "scopes": ["store_v2_products_read_only"],
    }
    sandbox.call("POST", "/bigcommerce/apps", app)
    token = install(sandbox, client_id="ro-client", secret=app["client_secret"])["access_token"]
    conn = connection(sandbox, token)
    conn.client_id = "ro-client"

    assert conn.get("catalog/products/111")["data"]["id"] == 111
    with pytest.raises(ClientRequestException) as refused:
        conn.put("catalog/products/111", {"price": 1})
    assert refused.value.response.status_code == 403
    with pytest.raises(ClientRequestException):
        conn.get("carts/x")


def test_cart_lifecycle_with_redirect_urls(v3, sandbox):
    created = v3.post(
        "carts?include=redirect_urls",
        {"line_items": [{"product_id": 111, "variant_id": 11101, "quantity": 2}]},
    )["data"]

    assert created["base_amount"] == 178
    assert created["currency"]["code"] == "USD"
    urls = created["redirect_urls"]
    assert set(urls) == {"cart_url", "checkout_url", "embedded_checkout_url"}
    assert query_of(urls["checkout_url"])["id"] == created["id"]
    more = v3.post(
        f"carts/{created['id']}/items",
        {
            "line_items": [
                {
                    "product_id": 113,
                    "quantity": 1,
                    "option_selections": [{"option_id": 1130, "option_value": 11302}],
                }
            ]
        },
    )["data"]
    items = more["line_items"]["physical_items"]
    assert [(i["sku"], i["quantity"]) for i in items] == [("TRS-42", 2), ("WB-1L", 1)]
    assert Decimal(str(more["cart_amount"])) == Decimal("178") + Decimal("24.99")
    line = items[1]["id"]
    v3.put(f"carts/{created['id']}/items/{line}", {"line_item": {"quantity": 3, "product_id": 113}})
    assert (
        v3.get(f"carts/{created['id']}")["data"]["line_items"]["physical_items"][1]["quantity"] == 3
    )
    v3.delete(f"carts/{created['id']}/items/{line}")
    assert sandbox.state()["bigcommerce"]["stores"][DEMO_STORE]["carts"] == [created["id"]]
    v3.delete(f"carts/{created['id']}")
    with pytest.raises(ClientRequestException) as gone:
        v3.get(f"carts/{created['id']}")
    assert gone.value.response.status_code == 404


def test_cart_refuses_more_than_the_stock(v3):
    with pytest.raises(ClientRequestException) as refused:
        v3.post("carts", {"line_items": [{"product_id": 111, "variant_id": 11102, "quantity": 4}]})

    assert refused.value.response.status_code == 422
    assert "stock" in json.dumps(refused.value.response.json()).lower()
    with pytest.raises(ClientRequestException):
        v3.post("carts", {"line_items": [{"product_id": 111, "quantity": 1}]})
