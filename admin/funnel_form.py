"""The funnel editor's plain HTML form, both ways: posted fields -> a definition for
upsell.funnels to validate, and a definition -> what the form shows.

Fields are named by the JSON path of what they set ("offers.first.discount.value"), so
the validator's errors, keyed by JSON path, land beside their own inputs. The form has
three offer slots; the first is the entry, the others are reached from an accept or a
decline path (a downsell is an offer on a decline path).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from werkzeug.datastructures import MultiDict

from platforms.catalog import Catalog, CatalogProduct, CatalogVariant
from upsell.funnels import MAX_OFFERS, TRIGGER_LIST_FIELDS, FunnelError, parse_definition
from upsell.service import funnel_name

SLOT_KEYS = ("first", "second", "third")  # keys of a new funnel's offer slots
PICK_SEPARATOR = "|"  # "product|variant": not a character platform ids use
_SPLIT = re.compile(r"[,\n]")


def picked(product_id: str, variant_id: str) -> str:
    """A variant checkbox's value: the variant and the product it belongs to."""
    return f"{product_id}{PICK_SEPARATOR}{variant_id}"


def empty_definition() -> dict[str, Any]:
    return {"trigger": {"kind": "always"}, "entry": SLOT_KEYS[0], "offers": {}}


def definition_from_form(form: MultiDict[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """The definition the form describes (unvalidated, as typed) and the problems only
    the form can have (variants of two products, a path to a slot not in use), keyed
    like the validator's."""
    problems: dict[str, str] = {}
    keys = [key for key in form.getlist("offer_keys") if key][:MAX_OFFERS]
    offers = {key: _offer(form, key, problems) for key in keys if form.get(f"offers.{key}.enabled")}
    for key, offer in offers.items():
        for side in ("on_accept", "on_decline"):
            target = offer[side]
            if target in keys and target not in offers:
                label = f"Offer {keys.index(target) + 1}"
                problems[f"offers.{key}.{side}"] = (
                    f"{label} is not in use: tick “Use {label.lower()}”, or choose another step."
                )
    definition = {
        "trigger": _trigger(form),
        "entry": keys[0] if keys else None,
        "offers": offers,
    }
    return definition, problems


def _trigger(form: MultiDict[str, str]) -> dict[str, Any]:
    kind = form.get("trigger.kind", "")
    trigger: dict[str, Any] = {"kind": kind}
    if kind == "order_total":
        for bound in ("min", "max"):
            value = form.get(f"trigger.{bound}", "").strip()
            trigger[bound] = value or None
    elif kind in TRIGGER_LIST_FIELDS:
        field = TRIGGER_LIST_FIELDS[kind]
        values = form.getlist(f"trigger.{field}")
        if kind != "products":  # typed as a comma- or line-separated list
            values = [part for value in values for part in _SPLIT.split(value)]
        trigger[field] = [v.strip() for v in values if v.strip()]
    return trigger


def _offer(form: MultiDict[str, str], key: str, problems: dict[str, str]) -> dict[str, Any]:
    path = f"offers.{key}"

    def field(name: str) -> str:
        return form.get(f"{path}.{name}", "").strip()

    picks = [p.partition(PICK_SEPARATOR) for p in form.getlist(f"{path}.variant_ids")]
    products = {product for product, _, _ in picks}
    if len(products) > 1:
        problems[f"{path}.variant_ids"] = "Choose variants of one product."
    discount_kind, shipping_kind = field("discount.kind") or "none", field("shipping.kind")
    return {
        "product_id": products.pop() if len(products) == 1 else "",
        "variant_ids": [variant for _, _, variant in picks],
        "quantity": _whole(field("quantity")),
        "discount": {"kind": discount_kind}
        if discount_kind == "none"
        else {"kind": discount_kind, "value": field("discount.value")},
        "shipping": {"kind": shipping_kind, "amount": field("shipping.amount")}
        if shipping_kind == "flat"
        else {"kind": shipping_kind or "quoted"},
        "headline": field("headline"),
        "body": field("body"),
        "image_url": field("image_url") or None,
        "countdown_seconds": _whole(field("countdown_seconds")) or None,
        "on_accept": field("on_accept") or None,
        "on_decline": field("on_decline") or None,
    }


def _whole(text: str) -> int | str:
    """A whole number as typed; anything else is passed on for the validator to refuse."""
    return int(text) if text.isdigit() else text


def problems_of(
    name: str, definition: Mapping[str, Any], form_problems: Mapping[str, str]
) -> dict[str, str]:
    """Every problem of the name, the definition and the form at once, keyed by field."""
    errors: dict[str, str] = {}
    for validate in (lambda: funnel_name(name), lambda: parse_definition(definition)):
        try:
            validate()
        except FunnelError as error:
            errors.update(error.errors)
    errors.update(form_problems)
    for path in [p for p in errors if p.endswith(".product_id")]:
        if path.removesuffix("product_id") + "variant_ids" in errors:
            del errors[path]  # the variant picker is the product's field too: one message
    return errors


# -- showing a definition -------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """One of the form's three offers: its key, its place and what it holds (if used)."""

    key: str
    number: int
    offer: Mapping[str, Any] | None

    @property
    def label(self) -> str:
        return f"Offer {self.number}"


def slots(definition: Mapping[str, Any]) -> list[Slot]:
    """The definition's offers, entry first and then along their paths, then empty slots."""
    offers = definition.get("offers") or {}
    order: list[str] = []
    pending = [definition.get("entry")]
    while pending:
        key = pending.pop(0)
        if isinstance(key, str) and key in offers and key not in order:
            order.append(key)
            offer = offers[key] if isinstance(offers[key], Mapping) else {}
            pending += [offer.get("on_accept"), offer.get("on_decline")]
    order += [key for key in offers if key not in order]  # unreachable: shown to be fixed
    if not order:
        order = [str(definition.get("entry") or SLOT_KEYS[0])]
    order += [key for key in SLOT_KEYS if key not in order]
    return [
        Slot(key, number, offers.get(key) if isinstance(offers.get(key), Mapping) else None)
        for number, key in enumerate(order[:MAX_OFFERS], start=1)
    ]


def picker_products(catalog: Catalog, definition: Mapping[str, Any]) -> list[CatalogProduct]:
    """The catalog, plus any product an offer or trigger names that the catalog did not
    return (deleted, or beyond its first page), so saving again loses nothing."""
    known = {product.id for product in catalog.products}
    missing: dict[str, list[str]] = {}
    for offer in (definition.get("offers") or {}).values():
        if isinstance(offer, Mapping) and offer.get("product_id") not in known:
            missing.setdefault(str(offer.get("product_id") or ""), []).extend(
                str(v) for v in offer.get("variant_ids") or []
            )
    for product_id in (definition.get("trigger") or {}).get("product_ids") or []:
        if str(product_id) not in known:
            missing.setdefault(str(product_id), [])
    extra = [
        CatalogProduct(
            id=product_id,
            title=f"Product {product_id} (not found in the store now)",
            image_url=None,
            variants=tuple(CatalogVariant(v, f"Variant {v}", Decimal(0), False) for v in ids),
        )
        for product_id, ids in missing.items()
        if product_id
    ]
    return [*catalog.products, *extra]


def trigger_summary(trigger: Mapping[str, Any]) -> str:
    """One line for the list: when the funnel applies."""
    kind = trigger.get("kind")
    if kind == "order_total":
        low, high = trigger.get("min"), trigger.get("max")
        if low and high:
            return f"Order total from {low} to {high}"
        return f"Order total at least {low}" if low else f"Order total at most {high}"
    lists = {
        "products": "Orders with product",
        "collections": "Orders with a product from collection",
        "country": "Orders shipped to",
        "customer_tags": "Customers tagged",
    }
    if kind in lists:
        values = trigger.get(TRIGGER_LIST_FIELDS[kind]) or []
        return f"{lists[kind]} {', '.join(str(v) for v in values)}"
    return "Every order"
