"""Shopify's signatures and names, checked before anything else, in constant time.

Pure functions of their inputs (and `now`), tested against the vectors published
in Shopify's own libraries. Sources:
- query HMAC: https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant
  and Shopify/shopify_python_api shopify/session.py (calculate_hmac: key/value escaping,
  "ids[]" signed as a JSON list), Shopify/shopify-app-js utils/hmac-validator.ts (90 s window).
- webhook HMAC: base64 HMAC-SHA256 of the raw body, shopify-app-js webhooks/validate.ts.
- shop names: Shopify/shopify_python_api shopify/utils/shop_url.py.
- session tokens: https://shopify.dev/docs/apps/build/authentication-authorization/session-tokens
  and shopify-app-js session/decode-session-token.ts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import jwt

from platforms.errors import (
    InvalidHmacError,
    InvalidSessionTokenError,
    InvalidShopError,
    StaleRequestError,
)

_SHOP = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]\.myshopify\.com$")
# shopify-app-js accepts a request signed up to 90 s either side of now.
QUERY_MAX_SKEW_SECONDS = 90
# App Bridge may mint tokens with nbf slightly ahead of our clock.
SESSION_TOKEN_LEEWAY_SECONDS = 10


def validate_shop_domain(shop: str | None) -> str:
    """The canonical `<name>.myshopify.com`, or InvalidShopError for anything else."""
    candidate = (shop or "").strip().lower()
    if not _SHOP.match(candidate):
        raise InvalidShopError(f"{shop!r} is not a <name>.myshopify.com shop domain")
    return candidate


QueryParams = Mapping[str, str | Sequence[str]]


def query_hmac(params: QueryParams, *, secret: str) -> str:
    """Hex HMAC-SHA256 of the query as Shopify signs it (without `hmac` and `signature`)."""
    pairs = []
    for key, value in params.items():
        if key in ("hmac", "signature"):
            continue
        if key.endswith("[]"):
            key = key[:-2]
            value = json.dumps([str(item) for item in value])
        elif not isinstance(value, str):
            raise InvalidHmacError(f"query parameter {key!r} appears more than once")
        escaped_key = key.replace("%", "%25").replace("=", "%3D")
        escaped_value = value.replace("%", "%25")
        pairs.append(f"{escaped_key}={escaped_value}".replace("&", "%26"))
    message = "&".join(sorted(pairs))
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def verify_query(params: QueryParams, *, secret: str, now: float) -> None:
    """Check a signed redirect or admin link (install, callback, embedded load).

    :raises InvalidHmacError: missing or wrong hmac.
    :raises StaleRequestError: timestamp missing or more than 90 s from `now`.
    """
    given = params.get("hmac")
    if not isinstance(given, str) or not given:
        raise InvalidHmacError("the request is not signed (no hmac)")
    if not hmac.compare_digest(query_hmac(params, secret=secret), given.lower()):
        raise InvalidHmacError("the request's hmac does not match")
    timestamp = params.get("timestamp")
    try:
        signed_at = int(str(timestamp))
    except ValueError:
        raise StaleRequestError("the request has no valid timestamp") from None
    if abs(now - signed_at) > QUERY_MAX_SKEW_SECONDS:
        raise StaleRequestError("the signed request is too old")


def webhook_hmac(body: bytes, *, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def verify_webhook(*, body: bytes, header: str | None, secret: str) -> None:
    """:raises InvalidHmacError: when X-Shopify-Hmac-Sha256 is missing or does not match."""
    if not header:
        raise InvalidHmacError("the webhook is not signed")
    if not hmac.compare_digest(webhook_hmac(body, secret=secret).encode(), header.encode()):
        raise InvalidHmacError("the webhook's hmac does not match its body")


@dataclass(frozen=True)
class SessionToken:
    """What an App Bridge session token proves: this user of this shop, right now."""

    shop: str
    user_id: str
    session_id: str
    token_id: str
    expires_at: int


def decode_session_token(
    token: str | None, *, api_key: str, secret: str, now: float
) -> SessionToken:
    """Verify an App Bridge session token (HS256 only, audience, iss/dest, exp/nbf at `now`).

    :raises InvalidSessionTokenError: for any failure, with a reason fit for logs.
    """
    if not token:
        raise InvalidSessionTokenError("no session token")
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            audience=api_key,
            options={
                "require": ["exp", "nbf", "iss", "dest", "aud", "sub", "jti", "sid"],
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
            },
        )
    except jwt.PyJWTError as error:
        raise InvalidSessionTokenError(f"session token rejected: {error}") from None
    if now > float(claims["exp"]) + SESSION_TOKEN_LEEWAY_SECONDS:
        raise InvalidSessionTokenError("session token has expired")
    if now < float(claims["nbf"]) - SESSION_TOKEN_LEEWAY_SECONDS:
        raise InvalidSessionTokenError("session token is not valid yet")
    issuer_shop = _shop_of(claims["iss"])
    if issuer_shop != _shop_of(claims["dest"]):
        raise InvalidSessionTokenError("session token iss and dest name different shops")
    return SessionToken(
        shop=issuer_shop,
        user_id=str(claims["sub"]),
        session_id=str(claims["sid"]),
        token_id=str(claims["jti"]),
        expires_at=int(claims["exp"]),
    )


def _shop_of(url: object) -> str:
    host = urlsplit(str(url)).hostname if isinstance(url, str) else None
    try:
        return validate_shop_domain(host)
    except InvalidShopError:
        raise InvalidSessionTokenError(f"session token names no Shopify shop: {url!r}") from None
