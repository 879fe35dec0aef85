"""Funnel definitions: a valid one round-trips, every bad one says what and where."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from upsell.funnels import Discount, FunnelError, Trigger, as_json, parse_definition
from upsell.matching import OrderFacts, matches

VALID = {
    "trigger": {"kind": "order_total", "min": "20.00"},
    "entry": "main",
    "offers": {
        "main": {
            "product_id": "101",
            "variant_ids": ["1001", "1002"],
            "quantity": 1,
            "discount": {"kind": "percent", "value": "20"},
            "shipping": {"kind": "free"},
            "headline": "Add a matching mug",
            "body": "Only now, 20% off.",
            "image_url": "https://cdn.example/mug.png",
            "countdown_seconds": 300,
            "on_accept": None,
            "on_decline": "cheaper",
        },
        "cheaper": {
            "product_id": "102",
            "variant_ids": ["2001"],
            "quantity": 2,
            "discount": {"kind": "fixed", "value": "3.50"},
            "shipping": {"kind": "flat", "amount": "4.99"},
            "headline": "Or two coasters?",
            "on_accept": None,
            "on_decline": None,
        },
    },
}


def _with(path: str, value):
    data = copy.deepcopy(VALID)
    *parents, last = path.split(".")
    node = data
    for part in parents:
        node = node[part]
    node[last] = value
    return data


def test_a_valid_definition_parses_and_round_trips():
    definition = parse_definition(VALID)
    assert definition.entry == "main"
    assert definition.next_offer("main", accepted=False).key == "cheaper"
    assert definition.next_offer("main", accepted=True) is None
    assert [offer.key for offer in definition.in_path_order()] == ["main", "cheaper"]
    assert definition.offers["cheaper"].shipping.amount == Decimal("4.99")
    assert parse_definition(as_json(definition)) == definition


@pytest.mark.parametrize(
    ("path", "value", "error_path"),
    [
        ("trigger", {"kind": "weather"}, "trigger.kind"),
        ("trigger", {"kind": "order_total", "min": "50", "max": "10"}, "trigger.max"),
        ("trigger", {"kind": "order_total", "min": 12.5}, "trigger.min"),  # a float is not exact
        ("trigger", {"kind": "country", "countries": ["USA"]}, "trigger.countries"),
        ("trigger", {"kind": "products", "product_ids": []}, "trigger.product_ids"),
        ("entry", "nowhere", "entry"),
        ("offers.main.quantity", 0, "offers.main.quantity"),
        ("offers.main.quantity", 11, "offers.main.quantity"),
        ("offers.main.variant_ids", ["1001", "1001"], "offers.main.variant_ids"),
        ("offers.main.discount", {"kind": "percent", "value": "120"}, "offers.main.discount.value"),
        ("offers.main.discount", {"kind": "fixed", "value": "-1"}, "offers.main.discount.value"),
        ("offers.main.shipping", {"kind": "flat"}, "offers.main.shipping.amount"),
        ("offers.main.headline", "", "offers.main.headline"),
        ("offers.main.headline", "x" * 121, "offers.main.headline"),
        ("offers.main.body", "bell\x07", "offers.main.body"),
        ("offers.main.image_url", "http://cdn.example/a.png", "offers.main.image_url"),
        ("offers.main.image_url", "javascript:alert(1)", "offers.main.image_url"),
        ("offers.main.countdown_seconds", 5, "offers.main.countdown_seconds"),
        ("offers.main.on_decline", "ghost", "offers.main.on_decline"),
        ("offers.cheaper.on_decline", "main", "offers.main"),  # a cycle
        ("offers.main.on_decline", None, "offers.cheaper"),  # unreachable
    ],
)
def test_each_bad_field_is_named(path, value, error_path):
    with pytest.raises(FunnelError) as raised:
        parse_definition(_with(path, value))
    assert error_path in raised.value.errors, raised.value.errors


def test_more_than_three_offers_are_refused():
    offers = {k: {**VALID["offers"]["cheaper"]} for k in ("a", "b", "c", "d")}
    with pytest.raises(FunnelError) as raised:
        parse_definition({**VALID, "entry": "a", "offers": offers})
    assert "at most 3" in raised.value.errors["offers"]


def test_every_problem_is_reported_at_once():
    data = _with("offers.main.quantity", 0)
    data["offers"]["main"]["headline"] = ""
    data["trigger"] = {"kind": "nope"}
    with pytest.raises(FunnelError) as raised:
        parse_definition(data)
    assert {"trigger.kind", "offers.main.quantity", "offers.main.headline"} <= set(
        raised.value.errors
    )


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=30,
)


def _errors_of(data) -> dict[str, str] | None:
    """None for a valid definition, else its errors; anything else raised fails the test."""
    try:
        parse_definition(data)
    except FunnelError as error:
        return error.errors
    return None


@given(json_values)
def test_any_json_is_either_a_definition_or_a_funnel_error(data):
    errors = _errors_of(data)
    assert errors is None or errors


@given(st.fixed_dictionaries({"trigger": json_values, "offers": json_values, "entry": json_values}))
def test_near_definitions_never_fail_otherwise(data):
    errors = _errors_of(data)
    assert errors is None or errors


@given(
    st.decimals(min_value=0, max_value=10_000, places=2),
    st.decimals(min_value=Decimal("0.01"), max_value=100, places=2),
)
def test_a_discount_never_makes_a_price_negative_or_higher(price, percent):
    for discount in (Discount("percent", percent), Discount("fixed", percent)):
        assert Decimal(0) <= discount.apply(price) <= price


def _facts(**overrides) -> OrderFacts:
    values = {"product_ids": frozenset({"101"}), "total": Decimal("50.00"), "country": "US"}
    return OrderFacts(**{**values, **overrides})


@pytest.mark.parametrize(
    ("trigger", "facts", "expected"),
    [
        (Trigger("always"), _facts(), True),
        (Trigger("order_total", min_total=Decimal("50.00")), _facts(), True),
        (Trigger("order_total", min_total=Decimal("50.01")), _facts(), False),
        (Trigger("order_total", max_total=Decimal("49.99")), _facts(), False),
        (Trigger("products", ids=("101", "102")), _facts(), True),
        (Trigger("products", ids=("999",)), _facts(), False),
        (Trigger("country", ids=("DE",)), _facts(country="de"), True),
        (
            Trigger("collections", ids=("c1",)),
            _facts(collection_ids=lambda: frozenset({"c1"})),
            True,
        ),
        (Trigger("collections", ids=("c1",)), _facts(), False),
        (
            Trigger("customer_tags", ids=("VIP",)),
            _facts(customer_tags=lambda: frozenset({"vip"})),
            True,
        ),
    ],
)
def test_triggers_match_what_the_order_holds(trigger, facts, expected):
    assert matches(trigger, facts) is expected


def test_only_the_triggers_that_need_collections_fetch_them():
    def forbidden() -> frozenset[str]:
        raise AssertionError("collections fetched for a trigger that does not need them")

    assert matches(Trigger("products", ids=("101",)), _facts(collection_ids=forbidden))


@pytest.mark.parametrize("offers", [True, 7, "a", ["main"]])
def test_offers_that_are_not_an_object_are_refused_clearly(offers):
    with pytest.raises(FunnelError) as raised:
        parse_definition({**VALID, "offers": offers})
    assert "offers" in raised.value.errors
