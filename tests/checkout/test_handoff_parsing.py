"""The hand-off body: only ids, quantities and attribution are read; anything else is refused."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from checkout.handoff import MAX_LINES, MAX_QUANTITY, HandoffError, parse_handoff
from core.models import Platform
from platforms.pricing import CartItem

SHOPIFY = {"platform": "shopify", "shop": "demo-shop.myshopify.com"}


def test_a_shopify_cart_is_read_as_variant_ids_and_quantities():
    handoff = parse_handoff(
        {
            **SHOPIFY,
            "items": [
                {"id": 111, "quantity": 2, "price": 1, "final_line_price": 0},
                {"variant_id": "222", "quantity": 1},
                {"id": 111, "quantity": 1},
            ],
            "attribution": {
                "utm_source": "newsletter",
                "landing_page": "https://shop/x?utm_source=n",
                "evil": "<script>",
            },
        }
    )

    assert handoff.platform is Platform.SHOPIFY
    assert handoff.items == (CartItem("111", 3), CartItem("222", 1)), "prices are never read"
    assert handoff.attribution == {
        "utm_source": "newsletter",
        "landing_page": "https://shop/x?utm_source=n",
    }


def test_a_form_post_carries_the_same_json():
    body = json.dumps({"platform": "bigcommerce", "shop": "demo1abc", "cart_id": "abc-123"})
    handoff = parse_handoff({"cart": body})
    assert (handoff.platform, handoff.cart_id, handoff.items) == (
        Platform.BIGCOMMERCE,
        "abc-123",
        (),
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({**SHOPIFY, "items": []}, "empty"),
        ({"platform": "bigcommerce", "shop": "demo1abc"}, "empty"),
        ({**SHOPIFY}, "empty"),
        ({"platform": "magento", "shop": "x", "items": [{"id": 1, "quantity": 1}]}, "platform"),
        ({"platform": "shopify", "items": [{"id": 1, "quantity": 1}]}, "shop"),
        ({**SHOPIFY, "items": [{"id": "1; drop", "quantity": 1}]}, "variant"),
        ({**SHOPIFY, "items": [{"id": 1, "quantity": 0}]}, "quantity"),
        ({**SHOPIFY, "items": [{"id": 1, "quantity": -3}]}, "quantity"),
        ({**SHOPIFY, "items": [{"id": 1, "quantity": 1.5}]}, "quantity"),
        ({**SHOPIFY, "items": [{"id": 1, "quantity": True}]}, "quantity"),
        ({**SHOPIFY, "items": [{"id": 1, "quantity": MAX_QUANTITY + 1}]}, "(?i)at most"),
        (
            {**SHOPIFY, "items": [{"id": n, "quantity": 1} for n in range(MAX_LINES + 1)]},
            "(?i)at most",
        ),
        ({**SHOPIFY, "items": "lots"}, "items"),
        ({"platform": "bigcommerce", "shop": "demo1abc", "cart_id": "../../etc"}, "cart id"),
        ({"cart": "{not json"}, "could not be read"),
    ],
)
def test_bad_hand_offs_are_refused_with_a_clear_message(body, message):
    with pytest.raises(HandoffError, match=message):
        parse_handoff(body)


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=30,
)


@given(
    st.dictionaries(
        st.sampled_from(["platform", "shop", "items", "cart_id", "attribution", "cart"]), JSONISH
    )
)
def test_any_body_is_either_a_handoff_or_a_handoff_error(body):
    try:
        handoff = parse_handoff(body)
    except HandoffError:
        return
    assert all(1 <= item.quantity <= MAX_QUANTITY for item in handoff.items)
    assert all(item.variant_id.isdigit() for item in handoff.items)
