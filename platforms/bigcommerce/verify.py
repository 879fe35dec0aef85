"""BigCommerce's signatures, checked before anything else, in constant time.

Sources:
- signed_payload_jwt on the load/uninstall/remove_user callbacks:
  https://developer.bigcommerce.com/docs/integrations/apps/guide/callbacks (HS256 with the
  client secret, aud = client id, sub = stores/{hash}, exp = nbf + 24 h); the official
  client (bigcommerce-api-python connection.py) checks only the audience, so exp and sub
  are required here.
- webhooks: https://developer.bigcommerce.com/docs/integrations/webhooks (custom headers
  echoed on every delivery) and the Standard Webhooks signature
  (standard-webhooks spec/standard-webhooks.md: v1,base64(HMAC-SHA256(id.timestamp.body)),
  timestamps within 5 minutes); BigCommerce keys it with the client secret.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass

import jwt

from platforms.errors import (
    InvalidHmacError,
    InvalidShopError,
    InvalidSignedPayloadError,
    StaleRequestError,
)

_STORE_HASH = re.compile(r"^[a-z0-9]{1,32}$")
WEBHOOK_TOLERANCE_SECONDS = 5 * 60


def validate_store_hash(store_hash: str | None) -> str:
    candidate = (store_hash or "").strip()
    if not _STORE_HASH.match(candidate):
        raise InvalidShopError(f"{store_hash!r} is not a BigCommerce store hash")
    return candidate


def store_hash_from_context(context: str | None) -> str:
    """`stores/{hash}`, as BigCommerce names a store in OAuth context and JWT sub."""
    prefix, _, store_hash = (context or "").partition("/")
    if prefix != "stores":
        raise InvalidShopError(f"{context!r} does not name a store")
    return validate_store_hash(store_hash)


@dataclass(frozen=True)
class SignedLoad:
    """What a verified load/uninstall/remove_user callback says: this user of this store."""

    store_hash: str
    user_id: str
    user_email: str
    owner_id: str
    owner_email: str
    url: str
    channel_id: int | None


def decode_signed_payload_jwt(
    token: str | None, *, client_id: str, secret: str, now: float
) -> SignedLoad:
    """:raises InvalidSignedPayloadError: bad signature, other app, expired, no store."""
    if not token:
        raise InvalidSignedPayloadError("no signed_payload_jwt")
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=["HS256", "HS512"],
            audience=client_id,
            options={
                "require": ["exp", "sub", "aud", "user", "owner"],
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
            },
        )
    except jwt.PyJWTError as error:
        raise InvalidSignedPayloadError(f"signed_payload_jwt rejected: {error}") from None
    if now > float(claims["exp"]):
        raise InvalidSignedPayloadError("signed_payload_jwt has expired")
    if "nbf" in claims and now < float(claims["nbf"]) - 10:
        raise InvalidSignedPayloadError("signed_payload_jwt is not valid yet")
    try:
        store_hash = store_hash_from_context(claims["sub"])
        user, owner = dict(claims["user"]), dict(claims["owner"])
        return SignedLoad(
            store_hash=store_hash,
            user_id=str(user["id"]),
            user_email=str(user.get("email", "")),
            owner_id=str(owner["id"]),
            owner_email=str(owner.get("email", "")),
            url=str(claims.get("url", "")),
            channel_id=int(claims["channel_id"]) if claims.get("channel_id") is not None else None,
        )
    except (InvalidShopError, KeyError, TypeError, ValueError) as error:
        raise InvalidSignedPayloadError(f"signed_payload_jwt is malformed: {error}") from None


def standard_webhook_signature(*, key: bytes, message_id: str, timestamp: str, body: bytes) -> str:
    signed = message_id.encode() + b"." + timestamp.encode() + b"." + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def verify_standard_webhook(
    *, body: bytes, headers: Mapping[str, str], key: bytes, now: float
) -> str:
    """Check webhook-id/-timestamp/-signature; returns the message id.

    :raises InvalidHmacError: missing headers or no matching v1 signature.
    :raises StaleRequestError: timestamp more than 5 minutes from `now` (replays).
    """
    message_id = headers.get("webhook-id")
    timestamp = headers.get("webhook-timestamp")
    signatures = headers.get("webhook-signature")
    if not (message_id and timestamp and signatures):
        raise InvalidHmacError("the webhook is missing its webhook-id/-timestamp/-signature")
    try:
        sent_at = int(timestamp)
    except ValueError:
        raise InvalidHmacError("webhook-timestamp is not a number") from None
    expected = standard_webhook_signature(
        key=key, message_id=message_id, timestamp=timestamp, body=body
    ).encode()
    # The header may carry several space-separated signatures (key rotation).
    if not any(hmac.compare_digest(expected, given.encode()) for given in signatures.split()):
        raise InvalidHmacError("no webhook-signature matches the body")
    if abs(now - sent_at) > WEBHOOK_TOLERANCE_SECONDS:
        raise StaleRequestError("the webhook's timestamp is outside the 5-minute window")
    return message_id


def verify_shared_secret(*, given: str | None, expected: str) -> None:
    """The per-store secret header Cartpath set on the hook; BigCommerce echoes it."""
    if not given or not hmac.compare_digest(given.encode(), expected.encode()):
        raise InvalidHmacError("the webhook's secret header does not match")
