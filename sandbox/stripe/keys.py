"""API-key authentication: which account a request acts for, and with which key kind.

Stripe takes the secret key as a Bearer token or as the HTTP Basic user with an
empty password; a missing or unknown key is a 401 `invalid_request_error`, and a
publishable key may only call the endpoints Stripe.js uses (creating a
PaymentMethod). https://docs.stripe.com/api/authentication,
https://docs.stripe.com/keys (publishable keys "can only create PaymentMethods ...").
"""

from __future__ import annotations

import base64
import binascii

from sandbox.stripe.errors import StripeError
from sandbox.stripe.state import SECRET, Account, StripeState

NO_KEY = (
    "You did not provide an API key. You need to provide your API key in the Authorization "
    "header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See "
    "https://stripe.com/docs/api#authentication for details, or we can help at "
    "https://support.stripe.com/."
)


def _key_from_header(header: str) -> str | None:
    scheme, _, credentials = header.strip().partition(" ")
    credentials = credentials.strip()
    if scheme.lower() == "bearer" and credentials:
        return credentials
    if scheme.lower() == "basic" and credentials:
        try:
            user = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        return user.partition(":")[0] or None
    return None


def _masked(key: str) -> str:
    prefix = key[: key.find("_", 3) + 1] if key.count("_") >= 2 else ""
    return prefix + "*" * max(len(key) - len(prefix) - 4, 0) + key[-4:]


def authenticate(state: StripeState, header: str | None, *, allow_publishable: bool) -> Account:
    """The account behind the Authorization header.

    :raises StripeError: 401 when the key is missing, unknown, or publishable where a
        secret key is required.
    """
    if not header:
        raise StripeError(401, NO_KEY, saved=False)
    key = _key_from_header(header)
    if key is None:
        raise StripeError(401, NO_KEY, saved=False)
    found = state.by_key(key)
    if found is None:
        raise StripeError(401, f"Invalid API Key provided: {_masked(key)}", saved=False)
    account, kind = found
    if kind != SECRET and not allow_publishable:
        raise StripeError(
            401,
            "This API call cannot be made with a publishable API key. Please use a secret API "
            "key. You can find a list of your API keys at https://dashboard.stripe.com/account/apikeys.",
            code="secret_key_required",
            saved=False,
        )
    return account
