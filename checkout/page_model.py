"""Everything the checkout page shows, formatted for the shop's currency and locale."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any, Protocol

from markupsafe import Markup

from checkout.addresses import FormField, form_fields, subdivisions
from checkout.models import Order
from checkout.theme import Theme
from core.models import Shop
from core.money import Money

CONFIRMING_REFRESH_FOR = timedelta(minutes=2)
CONTACT_FIELDS = (FormField("email", "Email", True, "email"),)


class ShownCheckout(Protocol):
    """What the page reads of a checkout: a `Checkout`, or the row a page view reads."""

    token: str
    email: str
    marketing_consent: bool
    currency: str
    lines: list[dict[str, Any]]
    shipping_address: dict[str, str] | None
    shipping_option: str | None
    quote: dict[str, Any] | None


class PaidAddition(Protocol):
    """An item paid for after the order (upsell's ShownOffer), as the thank-you page lists it."""

    quote: dict[str, Any]
    quantity: int
    total: Decimal


@lru_cache(maxsize=1024)
def select_options(options: tuple[tuple[str, str], ...], selected: str) -> Markup:
    """A select's <option> list, rendered once per choice: 249 countries escaped on every
    page view were most of the page's rendering time (bench/checkout.py)."""
    return Markup("").join(
        Markup('<option value="{}"{}>{}</option>').format(
            code, Markup(" selected") if code == selected else "", name
        )
        for code, name in options
    )


@lru_cache(maxsize=1024)
def theme_css(theme: Theme) -> Markup:
    """The page's <style> for a design, built once per design (themes are immutable)."""
    # Validated and sanitised by the theme; it can hold no "<", so it cannot end the
    # <style> element, and its quotes must reach the browser unescaped.
    return Markup(theme.stylesheet())  # noqa: S704


def address_form(country: str, theme: Theme) -> dict[str, Any]:
    """What the address fields need for `country` (the page, and the country switch's fragment)."""
    return {
        "country": country,
        "address_fields": form_fields(
            country, phone_required=theme.phone_required, show_company=theme.show_company
        ),
        "subdivisions": subdivisions(country),
        "select_options": select_options,
    }


def build(
    checkout: ShownCheckout,
    shop: Shop,
    *,
    theme: Theme,
    errors: Mapping[str, str] | None = None,
    submitted: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The template's context, with the shop's published design (the draft in the preview)."""
    quote = checkout.quote or {}
    currency = checkout.currency or quote.get("currency") or "USD"

    def money(amount: str | Decimal | None) -> str:
        return Money.of(str(amount or "0"), currency).format(shop.locale)

    values = dict(checkout.shipping_address or {})
    values.update({"email": checkout.email})
    if submitted:
        values.update({k: v for k, v in submitted.items() if k != "action"})
    country = str(values.get("country_code") or "US").upper()
    return {
        "checkout": checkout,
        "shop": shop,
        "lines": [
            {**line, "total": money(Decimal(line["unit_price"]) * line["quantity"])}
            for line in checkout.lines
        ],
        "unavailable": [line["title"] for line in checkout.lines if not line["available"]],
        "totals": {
            name: money(quote.get(name))
            for name in ("subtotal", "discount_total", "shipping_total", "tax_total", "total")
        },
        "has_discount": Decimal(quote.get("discount_total") or "0") > 0,
        "shipping_options": [
            {**o, "label": money(o["price"])} for o in quote.get("shipping_options", [])
        ],
        "selected_shipping": checkout.shipping_option,
        "picking_up": any(
            o.get("pickup") and o["id"] == checkout.shipping_option
            for o in quote.get("shipping_options", [])
        ),
        "discount_codes": quote.get("discount_codes", []),
        "values": values,
        "errors": dict(errors or {}),
        "contact_fields": CONTACT_FIELDS,
        **address_form(country, theme),
        "theme": theme,
        "theme_css": theme_css(theme),
        "payment": payment_section(checkout),
    }


def payment_section(checkout: ShownCheckout) -> dict[str, Any]:
    """The total the Pay button charges (posted back and compared with a fresh quote) and
    whether the order is complete enough to pay; the card fields come from the view."""
    quote = checkout.quote or {}
    address = checkout.shipping_address or {}
    return {
        "shown_total": quote.get("total", ""),
        "ready": bool(
            checkout.email
            and address
            and (checkout.shipping_option or not quote.get("shipping_options"))
        ),
        "billing_name": " ".join(
            part for part in (address.get("first_name"), address.get("last_name")) if part
        ),
    }


def thank_you(
    order: Order, shop: Shop, *, now: datetime, added: Sequence[PaidAddition] = ()
) -> dict[str, Any]:
    """The thank-you page: the ledger's order, the items paid for after it (one-click
    offers, each its own charge), and the platform's number once written.

    Until the write-back lands the page says so and reloads itself (no JavaScript) for
    `CONFIRMING_REFRESH_FOR`, then asks the shopper to look for the store's email.
    """

    def money(amount: str | Decimal) -> str:
        return Money.of(amount, order.currency).format(shop.locale)

    pending = order.platform_order_number is None
    return {
        "order": order,
        "shop": shop,
        "lines": [
            {
                **line,
                "total": money(Decimal(line["unit_price"]) * line["quantity"]),
            }
            for line in order.lines
        ],
        "totals": {
            name: money(getattr(order, name))
            for name in ("subtotal", "discount_total", "shipping_total", "tax_total", "total")
        },
        "added": [
            {
                "title": item.quote["title"],
                "variant_title": item.quote.get("variant_title") or "",
                "quantity": item.quantity,
                "total": money(item.total),
            }
            for item in added
        ],
        "pending": pending,
        "refresh": pending and now - order.created_at < CONFIRMING_REFRESH_FOR,
    }
