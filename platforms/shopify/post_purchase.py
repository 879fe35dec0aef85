"""Shopify's post-purchase tokens: the one its checkout hands our extension, and the
changeset token we sign for an accepted offer.

https://shopify.dev/docs/api/checkout-extensions/post-purchase/jwt-specification:
both are HS256 with the app's secret. Shopify's token has iss "shopify", sub the
initial purchase's reference id and iat; ours needs iss (our API key), jti (unique, so
a changeset is applied once), sub (the reference id), iat and the `changes`, and must be
signed after the initial purchase completed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import jwt

from platforms.errors import InvalidPostPurchaseTokenError

# Shopify's token carries no exp; the post-purchase page follows the payment within
# seconds, so an older token is refused rather than trusted forever.
TOKEN_MAX_AGE_SECONDS = 3600
LEEWAY_SECONDS = 10
# Our changeset token is applied at once by the extension; it need not live long.
CHANGESET_LIFETIME_SECONDS = 300


@dataclass(frozen=True)
class PurchaseToken:
    reference_id: str
    shop_domain: str
    input_data: dict[str, Any]


def decode_purchase_token(token: str | None, *, secret: str, now: float) -> PurchaseToken:
    """:raises InvalidPostPurchaseTokenError: any failure, with a reason fit for logs."""
    if not token:
        raise InvalidPostPurchaseTokenError("no post-purchase token")
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            options={"require": ["iss", "sub", "iat"], "verify_iat": False, "verify_exp": False},
        )
    except jwt.PyJWTError as error:
        raise InvalidPostPurchaseTokenError(f"post-purchase token rejected: {error}") from None
    if claims["iss"] != "shopify":
        raise InvalidPostPurchaseTokenError("post-purchase token not issued by Shopify")
    issued = float(claims["iat"])
    if issued > now + LEEWAY_SECONDS or issued < now - TOKEN_MAX_AGE_SECONDS:
        raise InvalidPostPurchaseTokenError("post-purchase token is too old or from the future")
    if "exp" in claims and float(claims["exp"]) + LEEWAY_SECONDS < now:
        raise InvalidPostPurchaseTokenError("post-purchase token has expired")
    data = claims.get("input_data")
    shop = (data or {}).get("shop", {}).get("domain") if isinstance(data, dict) else None
    if not isinstance(shop, str) or not shop:
        raise InvalidPostPurchaseTokenError("post-purchase token names no shop")
    return PurchaseToken(reference_id=str(claims["sub"]), shop_domain=shop, input_data=data)


def sign_changeset(
    *, api_key: str, secret: str, reference_id: str, changes: list[dict[str, Any]], now: float
) -> str:
    claims = {
        "iss": api_key,
        "jti": str(uuid.uuid4()),
        "iat": int(now),
        "exp": int(now) + CHANGESET_LIFETIME_SECONDS,
        "sub": reference_id,
        "changes": changes,
    }
    return jwt.encode(claims, secret, algorithm="HS256")
