"""How Shopify signs what it sends to apps: query strings, webhook bodies, session tokens.

Pure functions, checked in the tests against the published vectors (secret "hush").
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from collections.abc import Mapping

import jwt


def _escape(text: str, *, key: bool) -> str:
    """Escape like Shopify before signing: % and & always, = in keys only.

    Source: Shopify/shopify_python_api shopify/session.py (__encoded_params_for_signature).
    """
    text = text.replace("%", "%25").replace("&", "%26")
    return text.replace("=", "%3D") if key else text


def query_message(params: Mapping[str, str]) -> str:
    """The string Shopify signs: every param but hmac/signature, sorted, `k=v` joined by `&`.

    Source: https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant
    (verify the installation request); Shopify/shopify-app-js lib/utils/hmac-validator.ts.
    """
    pairs = sorted(
        (_escape(k, key=True), _escape(v, key=False))
        for k, v in params.items()
        if k not in ("hmac", "signature")
    )
    return "&".join(f"{k}={v}" for k, v in pairs)


def query_hmac(params: Mapping[str, str], secret: str) -> str:
    """Lower-case hex HMAC-SHA256 of `query_message(params)` keyed with the client secret."""
    return hmac.new(secret.encode(), query_message(params).encode(), hashlib.sha256).hexdigest()


def sign_query(params: Mapping[str, str], secret: str) -> dict[str, str]:
    """`params` plus its `hmac`, ready to put in a redirect URL."""
    return {**params, "hmac": query_hmac(params, secret)}


def webhook_hmac(body: bytes, secret: str) -> str:
    """X-Shopify-Hmac-Sha256: base64 of HMAC-SHA256 over the raw body.

    Source: https://shopify.dev/docs/apps/build/webhooks/subscribe/https (verify a webhook);
    Shopify/shopify-app-js lib/utils/hmac-validator.ts (base64 for webhooks).
    """
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def admin_host(shop_domain: str) -> str:
    """The `host` parameter: base64 of admin.shopify.com/store/<handle>, unpadded like Shopify."""
    handle = shop_domain.split(".", 1)[0]
    return base64.b64encode(f"admin.shopify.com/store/{handle}".encode()).decode().rstrip("=")


def session_token(
    *, shop_domain: str, client_id: str, secret: str, user_id: int, now: float, session_id: str
) -> str:
    """An App Bridge session token (id_token) as Shopify mints it: HS256, 60 s lifetime.

    Claims per https://shopify.dev/docs/apps/build/authentication-authorization/session-tokens
    and Shopify/shopify-app-js lib/session/types.ts.
    """
    issued = int(now)
    claims = {
        "iss": f"https://{shop_domain}/admin",
        "dest": f"https://{shop_domain}",
        "aud": client_id,
        "sub": str(user_id),
        "exp": issued + 60,
        "nbf": issued,
        "iat": issued,
        "jti": str(uuid.uuid4()),
        "sid": session_id,
    }
    return jwt.encode(claims, secret, algorithm="HS256")


def decode_session_token(token: str, *, client_id: str, secret: str, now: float) -> dict:
    """Verify a session token the way Shopify's token exchange does; raises jwt.PyJWTError.

    Leeway 10 s as in Shopify/shopify-app-js lib/session/decode-session-token.ts. Time is
    the sandbox clock's, so tests can expire a token by advancing the clock.
    """
    claims = jwt.decode(
        token,
        secret,
        algorithms=["HS256"],
        audience=client_id,
        options={
            "require": ["iss", "dest", "sub", "exp", "jti", "sid"],
            "verify_exp": False,
            "verify_nbf": False,
            "verify_iat": False,
        },
    )
    if claims["exp"] + 10 < now or claims.get("nbf", 0) - 10 > now:
        raise jwt.ExpiredSignatureError("session token expired")
    if claims["iss"].removesuffix("/admin") != claims["dest"]:
        raise jwt.InvalidIssuerError("iss and dest name different shops")
    return claims
