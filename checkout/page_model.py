"""Everything the checkout page shows, formatted for the shop's currency and locale."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from typing import Any

from markupsafe import Markup
from sqlalchemy.orm import Session

from checkout.addresses import form_fields, subdivisions
from checkout.design import published_theme
from checkout.models import Checkout
from checkout.theme import Theme
from core.models import Shop
from core.money import Money

LOCALE = "en_US"


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


def build(
    checkout: Checkout,
    shop: Shop,
    *,
    session: Session,
    errors: Mapping[str, str] | None = None,
    submitted: Mapping[str, str] | None = None,
    theme: Theme | None = None,
) -> dict[str, Any]:
    """The template's context; `theme` overrides the published design (the preview)."""
    theme = theme or published_theme(session, shop.id)
    quote = checkout.quote or {}
    currency = checkout.currency or quote.get("currency") or "USD"

    def money(amount: str | Decimal | None) -> str:
        return Money.of(str(amount or "0"), currency).format(LOCALE)

    values = dict(checkout.shipping_address or {})
    values.update({"email": checkout.email})
    if submitted:
        values.update({k: v for k, v in submitted.items() if k != "action"})
    country = str(values.get("country_code") or "US").upper()
    return {
        "checkout": checkout,
        "shop": shop,
        "lines": [
            {
                **line,
                "total": money(Decimal(line["unit_price"]) * line["quantity"]),
                "price": money(line["unit_price"]),
            }
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
        "discount_codes": quote.get("discount_codes", []),
        "values": values,
        "errors": dict(errors or {}),
        "country": country,
        "address_fields": form_fields(
            country, phone_required=theme.phone_required, show_company=theme.show_company
        ),
        "subdivisions": subdivisions(country),
        "theme": theme,
        "select_options": select_options,
        # Validated and sanitised by the theme; it can hold no "<", so it cannot end the
        # <style> element, and its quotes must reach the browser unescaped.
        "theme_css": Markup(theme.stylesheet()),  # noqa: S704
    }
