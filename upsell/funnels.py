"""A funnel's definition: when it applies and which offers it makes, validated as a whole.

A definition is plain JSON (stored per version, sent by the admin's API), parsed into
frozen values here and nowhere else. Every problem is reported at once, keyed by the
JSON path of the field, so the designer can show each beside its input.

Shape:
    {"trigger": {"kind": "always" | "products" | "collections" | "order_total" |
                         "country" | "customer_tags", ...},
     "entry": "<offer key>",
     "offers": {"<key>": {"product_id", "variant_ids", "quantity", "discount",
                          "shipping", "headline", "body", "image_url",
                          "countdown_seconds", "on_accept", "on_decline"}}}

Offers form a tree from `entry`: each offer leads on accept and on decline to another
offer (a downsell is an offer on a decline path) or to the end (null). At most three
offers, each reached by exactly one path, so a shopper never sees one twice.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

MAX_OFFERS = 3  # Shopify: at most three accepted post-purchase offers per order (settings)
MAX_QUANTITY = 10
MAX_COUNTDOWN_SECONDS = 3600
_KEY = re.compile(r"^[a-z0-9_-]{1,20}$")
_ID = re.compile(r"^[A-Za-z0-9:/._-]{1,100}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
TRIGGER_KINDS = ("always", "products", "collections", "order_total", "country", "customer_tags")
TRIGGER_LIST_FIELDS = {
    "products": "product_ids",
    "collections": "collection_ids",
    "country": "countries",
    "customer_tags": "tags",
}


class FunnelError(ValueError):
    """Every problem in a definition: JSON path -> a message the merchant can act on."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{path}: {message}" for path, message in errors.items()))
        self.errors = dict(errors)


@dataclass(frozen=True)
class Trigger:
    kind: str
    ids: tuple[str, ...] = ()  # product ids, collection ids, country codes or customer tags
    min_total: Decimal | None = None
    max_total: Decimal | None = None


@dataclass(frozen=True)
class Discount:
    kind: str  # "percent" | "fixed" | "none"
    value: Decimal = Decimal(0)

    def apply(self, unit_price: Decimal) -> Decimal:
        """The unit price after the offer's discount, never below zero (rounded by Money)."""
        if self.kind == "percent":
            return max(unit_price * (Decimal(100) - self.value) / Decimal(100), Decimal(0))
        if self.kind == "fixed":
            return max(unit_price - self.value, Decimal(0))
        return unit_price


@dataclass(frozen=True)
class Shipping:
    kind: str  # "free" | "flat" | "quoted" (the platform's rate for the added item)
    amount: Decimal = Decimal(0)


@dataclass(frozen=True)
class Offer:
    key: str
    product_id: str
    variant_ids: tuple[str, ...]
    quantity: int
    discount: Discount
    shipping: Shipping
    headline: str
    body: str
    image_url: str | None
    countdown_seconds: int | None
    on_accept: str | None
    on_decline: str | None


@dataclass(frozen=True)
class FunnelDefinition:
    trigger: Trigger
    entry: str
    offers: Mapping[str, Offer]

    def in_path_order(self) -> list[Offer]:
        """Entry first, then each offer after the one that leads to it."""
        order, pending = [], [self.entry]
        while pending:
            offer = self.offers[pending.pop(0)]
            order.append(offer)
            pending += [key for key in (offer.on_accept, offer.on_decline) if key]
        return order

    def next_offer(self, key: str, accepted: bool) -> Offer | None:
        offer = self.offers[key]
        following = offer.on_accept if accepted else offer.on_decline
        return self.offers[following] if following else None


def parse_definition(data: Any) -> FunnelDefinition:
    """:raises FunnelError: with every problem found, keyed by its JSON path."""
    errors: dict[str, str] = {}
    if not isinstance(data, Mapping):
        raise FunnelError({"": "A funnel must be a JSON object."})
    trigger = _trigger(data.get("trigger"), errors)
    raw_offers = data.get("offers")
    offers: dict[str, Offer] = {}
    if not isinstance(raw_offers, Mapping) or not raw_offers:
        errors["offers"] = "Add at least one offer."
    elif len(raw_offers) > MAX_OFFERS:
        errors["offers"] = f"A funnel has at most {MAX_OFFERS} offers."
    else:
        for key, raw in raw_offers.items():
            path = f"offers.{key}"
            if not isinstance(key, str) or not _KEY.match(key):
                errors[path] = "Name offers with 1 to 20 lowercase letters, digits, - or _."
                continue
            offer = _offer(key, raw, path, errors)
            if offer is not None:
                offers[key] = offer
    entry = data.get("entry")
    offer_keys = raw_offers if isinstance(raw_offers, Mapping) else {}
    if not isinstance(entry, str) or entry not in offer_keys:
        errors["entry"] = "Choose which offer the shopper sees first."
    elif len(offers) == len(offer_keys):
        _check_tree(entry, offers, errors)
    if errors or trigger is None or not isinstance(entry, str):
        raise FunnelError(errors)
    return FunnelDefinition(trigger=trigger, entry=entry, offers=offers)


def _trigger(raw: Any, errors: dict[str, str]) -> Trigger | None:
    if not isinstance(raw, Mapping) or raw.get("kind") not in TRIGGER_KINDS:
        errors["trigger.kind"] = f"Choose when the funnel applies: {', '.join(TRIGGER_KINDS)}."
        return None
    kind = raw["kind"]
    if kind == "always":
        return Trigger(kind)
    if kind == "order_total":
        low = _amount(raw.get("min"), "trigger.min", errors, optional=True)
        high = _amount(raw.get("max"), "trigger.max", errors, optional=True)
        if low is None and high is None and "trigger.min" not in errors:
            errors["trigger.min"] = "Give a lowest or a highest order total, or both."
        elif low is not None and high is not None and low > high:
            errors["trigger.max"] = "The highest total must not be below the lowest."
        return Trigger(kind, min_total=low, max_total=high)
    field = TRIGGER_LIST_FIELDS[kind]
    values = raw.get(field)
    path = f"trigger.{field}"
    if not isinstance(values, list) or not values or len(values) > 100:
        errors[path] = "List between 1 and 100 values."
        return None
    cleaned = []
    for value in values:
        text = str(value).strip() if isinstance(value, (str, int)) else ""
        if kind == "country":
            text = text.upper()
            if not re.fullmatch(r"[A-Z]{2}", text):
                errors[path] = "Use two-letter country codes, like US or DE."
        elif kind == "customer_tags":
            if not 0 < len(text) <= 255 or _CONTROL.search(text):
                errors[path] = "Tags are 1 to 255 characters of plain text."
        elif not _ID.match(text):
            errors[path] = "Use the platform's ids as they appear in its admin."
        cleaned.append(text)
    return Trigger(kind, ids=tuple(cleaned))


def _offer(key: str, raw: Any, path: str, errors: dict[str, str]) -> Offer | None:
    if not isinstance(raw, Mapping):
        errors[path] = "An offer must be a JSON object."
        return None
    before = len(errors)
    product_id = str(raw.get("product_id") or "").strip()
    if not _ID.match(product_id):
        errors[f"{path}.product_id"] = "Choose the product to offer."
    variants = raw.get("variant_ids")
    if not isinstance(variants, list) or not 1 <= len(variants) <= 100:
        errors[f"{path}.variant_ids"] = "Choose between 1 and 100 variants the shopper can pick."
        variants = []
    variant_ids = tuple(str(v).strip() for v in variants)
    if any(not _ID.match(v) for v in variant_ids) or len(set(variant_ids)) != len(variant_ids):
        errors[f"{path}.variant_ids"] = "Each variant once, by its platform id."
    quantity = raw.get("quantity", 1)
    if not isinstance(quantity, int) or isinstance(quantity, bool):
        quantity = 0
    if not 1 <= quantity <= MAX_QUANTITY:
        errors[f"{path}.quantity"] = f"Offer between 1 and {MAX_QUANTITY} of the item."
    discount = _discount(raw.get("discount"), f"{path}.discount", errors)
    shipping = _shipping(raw.get("shipping"), f"{path}.shipping", errors)
    headline = _text(raw.get("headline"), f"{path}.headline", 120, errors, required=True)
    body = _text(raw.get("body"), f"{path}.body", 1000, errors, required=False)
    image_url = raw.get("image_url") or None
    if image_url is not None and not _is_https_url(image_url):
        errors[f"{path}.image_url"] = "Use an https:// image address."
    countdown = raw.get("countdown_seconds")
    if countdown is not None and (
        not isinstance(countdown, int)
        or isinstance(countdown, bool)
        or not 10 <= countdown <= MAX_COUNTDOWN_SECONDS
    ):
        errors[f"{path}.countdown_seconds"] = (
            f"A countdown lasts between 10 and {MAX_COUNTDOWN_SECONDS} seconds, or none."
        )
    links = {}
    for side in ("on_accept", "on_decline"):
        target = raw.get(side)
        if target is not None and not isinstance(target, str):
            errors[f"{path}.{side}"] = "Name the next offer, or null to end the funnel."
        links[side] = target
    if len(errors) > before or discount is None or shipping is None:
        return None
    return Offer(
        key=key,
        product_id=product_id,
        variant_ids=variant_ids,
        quantity=quantity,
        discount=discount,
        shipping=shipping,
        headline=headline,
        body=body,
        image_url=image_url,
        countdown_seconds=countdown,
        on_accept=links["on_accept"],
        on_decline=links["on_decline"],
    )


def _discount(raw: Any, path: str, errors: dict[str, str]) -> Discount | None:
    if raw is None:
        return Discount("none")
    if not isinstance(raw, Mapping) or raw.get("kind") not in ("percent", "fixed", "none"):
        errors[f"{path}.kind"] = "Choose a percent or a fixed discount, or none."
        return None
    if raw["kind"] == "none":
        return Discount("none")
    value = _amount(raw.get("value"), f"{path}.value", errors)
    if value is None:
        return None
    if value <= 0 or (raw["kind"] == "percent" and value > 100):
        errors[f"{path}.value"] = (
            "A percent discount is above 0 and at most 100."
            if raw["kind"] == "percent"
            else "A fixed discount is above 0."
        )
        return None
    return Discount(raw["kind"], value)


def _shipping(raw: Any, path: str, errors: dict[str, str]) -> Shipping | None:
    if raw is None:
        return Shipping("quoted")
    if not isinstance(raw, Mapping) or raw.get("kind") not in ("free", "flat", "quoted"):
        errors[f"{path}.kind"] = "Choose free, flat or the store's own shipping rate."
        return None
    if raw["kind"] != "flat":
        return Shipping(raw["kind"])
    amount = _amount(raw.get("amount"), f"{path}.amount", errors)
    return None if amount is None else Shipping("flat", amount)


def _amount(
    raw: Any, path: str, errors: dict[str, str], *, optional: bool = False
) -> Decimal | None:
    """A money amount written as a string or integer (never a float: it is not exact)."""
    if raw is None and optional:
        return None
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        errors[path] = 'Write the amount as a string, like "9.99".'
        return None
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        errors[path] = 'Write the amount as a number, like "9.99".'
        return None
    if not value.is_finite() or value < 0 or value > Decimal("1000000"):
        errors[path] = "Use an amount between 0 and 1,000,000."
        return None
    if value.as_tuple().exponent < -4:  # type: ignore[operator]
        errors[path] = "Use at most four decimal places."
        return None
    return value


def _text(raw: Any, path: str, limit: int, errors: dict[str, str], *, required: bool) -> str:
    """Plain text the shopper sees; rendered escaped, so only control characters are refused."""
    text = raw.strip() if isinstance(raw, str) else ""
    if raw is not None and not isinstance(raw, str):
        errors[path] = "Write plain text."
    elif required and not text:
        errors[path] = "Write a short headline for the offer."
    elif len(text) > limit:
        errors[path] = f"Use at most {limit} characters."
    elif _CONTROL.search(text):
        errors[path] = "Remove the special characters."
    return text


def _is_https_url(value: Any) -> bool:
    if not isinstance(value, str) or len(value) > 2000:
        return False
    parts = urlsplit(value)
    return parts.scheme == "https" and bool(parts.netloc)


def _check_tree(entry: str, offers: Mapping[str, Offer], errors: dict[str, str]) -> None:
    """Every link names an offer; each offer is reached once from `entry`; none unreachable."""
    seen: set[str] = set()
    pending = [entry]
    while pending:
        key = pending.pop()
        if key in seen:
            errors[f"offers.{key}"] = "This offer is reached twice; each offer has one path."
            return
        seen.add(key)
        for side in ("on_accept", "on_decline"):
            target = getattr(offers[key], side)
            if target is None:
                continue
            if target not in offers:
                errors[f"offers.{key}.{side}"] = f"There is no offer named {target}."
                return
            pending.append(target)
    for key in offers:
        if key not in seen:
            errors[f"offers.{key}"] = "No path leads to this offer."


def as_json(definition: FunnelDefinition) -> dict[str, Any]:
    """The normalised JSON stored for a version (amounts as strings), which parses back to
    an equal definition."""

    def offer(o: Offer) -> dict[str, Any]:
        return {
            "product_id": o.product_id,
            "variant_ids": list(o.variant_ids),
            "quantity": o.quantity,
            "discount": {"kind": o.discount.kind, "value": str(o.discount.value)}
            if o.discount.kind != "none"
            else {"kind": "none"},
            "shipping": {"kind": o.shipping.kind, "amount": str(o.shipping.amount)}
            if o.shipping.kind == "flat"
            else {"kind": o.shipping.kind},
            "headline": o.headline,
            "body": o.body,
            "image_url": o.image_url,
            "countdown_seconds": o.countdown_seconds,
            "on_accept": o.on_accept,
            "on_decline": o.on_decline,
        }

    trigger = definition.trigger
    raw_trigger: dict[str, Any] = {"kind": trigger.kind}
    if trigger.kind == "order_total":
        for name, value in (("min", trigger.min_total), ("max", trigger.max_total)):
            if value is not None:
                raw_trigger[name] = str(value)
    elif trigger.kind != "always":
        raw_trigger[TRIGGER_LIST_FIELDS[trigger.kind]] = list(trigger.ids)
    return {
        "trigger": raw_trigger,
        "entry": definition.entry,
        "offers": {key: offer(o) for key, o in definition.offers.items()},
    }
