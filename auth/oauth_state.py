"""The OAuth `state` nonce: random, in a signed cookie, single use, bound to the shop.

Shopify's libraries keep it in a signed cookie scoped to the callback path and
compare it in constant time (shopify-app-js auth/oauth/oauth.ts). Their cookie lives
60 s; ours 10 minutes, because a merchant reading the consent page for a minute
should not be sent back to the app store.
"""

from __future__ import annotations

import hmac
import secrets

from flask import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from platforms.errors import SignatureError

COOKIE = "cartpath_oauth_state"
MAX_AGE_SECONDS = 600


class StateMismatchError(SignatureError):
    """The callback's state is missing, expired, reused or for another shop."""


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt="cartpath.oauth-state")


def issue(
    response: Response, *, secret_key: str, shop: str, callback_path: str, secure: bool
) -> str:
    """Set the state cookie on `response`; returns the nonce for the authorize URL."""
    nonce = secrets.token_urlsafe(24)
    value = _serializer(secret_key).dumps({"nonce": nonce, "shop": shop})
    response.set_cookie(
        COOKIE,
        value,
        max_age=MAX_AGE_SECONDS,
        path=callback_path,
        secure=secure,
        httponly=True,
        samesite="Lax",
    )
    return nonce


def consume(
    request: Request, response: Response, *, secret_key: str, shop: str, callback_path: str
) -> None:
    """Check the callback's state against the cookie, and delete the cookie either way.

    :raises StateMismatchError: no cookie, bad signature, expired, other nonce or shop.
    """
    response.delete_cookie(COOKIE, path=callback_path)
    raw = request.cookies.get(COOKIE)
    given = request.args.get("state", "")
    if not raw or not given:
        raise StateMismatchError("the install was not started here, or was already finished")
    try:
        stored = _serializer(secret_key).loads(raw, max_age=MAX_AGE_SECONDS)
    except BadSignature:
        raise StateMismatchError("the install link has expired") from None
    if not hmac.compare_digest(str(stored.get("nonce", "")), given):
        raise StateMismatchError("the install state does not match")
    if stored.get("shop") != shop:
        raise StateMismatchError("the install was started for another shop")
