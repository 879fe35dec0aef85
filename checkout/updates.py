"""What a checkout form POST changes, each followed by a fresh quote from the platform.

The form never carries prices or quantities; anything like them is ignored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict

from checkout.addresses import AddressError, validate_address
from checkout.models import Checkout
from checkout.pricing import requote
from core.models import Shop

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,63}$")
ACTIONS = ("contact", "delivery", "ship_instead", "discount", "remove_discount")


def is_email(text: str) -> bool:
    """An address a message can be sent to (the shape only; the mail server decides the rest)."""
    return len(text) <= 320 and _EMAIL.match(text) is not None


class UpdateError(ValueError):
    """Input to show beside its fields; `errors` maps a field name to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def apply_update(checkout: Checkout, shop: Shop, form: Mapping[str, str]) -> None:
    """:raises UpdateError: invalid input. :raises PlatformError: the platform refused."""
    action = form.get("action", "")
    if action == "contact":
        _contact(checkout, form)
    elif action == "delivery":
        _delivery(checkout, form)
    elif action == "ship_instead":
        # Back from pickup to shipping: the platform lists its rates again, none chosen yet.
        checkout.shipping_option = None
    elif action == "discount":
        code = form.get("discount_code", "").strip()[:100]
        if not code:
            raise UpdateError({"discount_code": "Enter a discount code."})
        checkout.discount_code = code
    elif action == "remove_discount":
        checkout.discount_code = None
    else:
        raise UpdateError({"form": "That form could not be sent. Please try again."})
    quote = requote(checkout, shop.platform)
    if action == "discount" and checkout.discount_code is None:
        reason = (
            quote.discount_errors[0]
            if quote.discount_errors
            else ("This code cannot be used for this order.")
        )
        raise UpdateError({"discount_code": reason})


def _contact(checkout: Checkout, form: Mapping[str, str]) -> None:
    errors: dict[str, str] = {}
    email = form.get("email", "").strip()
    if not is_email(email):
        errors["email"] = "Enter an email address like name@example.com."
    try:
        address = validate_address(form)
    except AddressError as error:
        errors.update(error.errors)
        address = None
    if errors:
        raise UpdateError(errors)
    checkout.email = email
    checkout.marketing_consent = form.get("marketing_consent") == "yes"
    checkout.shipping_address = asdict(address)


def _delivery(checkout: Checkout, form: Mapping[str, str]) -> None:
    option = form.get("shipping_option", "")
    offered = {o["id"] for o in (checkout.quote or {}).get("shipping_options", [])}
    if option not in offered:
        raise UpdateError({"shipping_option": "Choose one of the delivery options shown."})
    checkout.shipping_option = option
