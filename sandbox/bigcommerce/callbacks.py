"""Signed payloads for the load, uninstall and remove_user callbacks.

https://developer.bigcommerce.com/docs/integrations/apps/guide/callbacks
(bigcommerce/docs docs/integrations/apps/guide/callbacks.mdx): each callback gets
`signed_payload_jwt`, HS256 with the client secret, claims aud=client_id,
iss="bc", iat, nbf=iat, exp=nbf+24h, jti, sub="stores/{hash}", user{id,email,locale},
owner{id,email}, url, channel_id; and the legacy `signed_payload`
= b64(json) "." b64(hex HMAC-SHA256(json, secret)) (bigcommerce-api-python's
verify_payload). uninstall and remove_user are called server-side.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

import jwt
import requests

from sandbox.bigcommerce.state import App, Store, User

JWT_LIFETIME = 24 * 3600
CALLBACK_TIMEOUT = (2.0, 10.0)


@dataclass(frozen=True)
class CallbackResult:
    url: str
    status: int | None
    error: str | None

    def describe(self) -> dict[str, object]:
        return {"url": self.url, "status": self.status, "error": self.error}


def signed_query(app: App, store: Store, user: User, now: float, path: str = "/") -> str:
    """The query string BigCommerce appends to a callback URL."""
    issued = int(now)
    claims = {
        "aud": app.client_id,
        "iss": "bc",
        "iat": issued,
        "nbf": issued,
        "exp": issued + JWT_LIFETIME,
        "jti": str(uuid.uuid4()),
        "sub": f"stores/{store.hash}",
        "user": {"id": user.id, "email": user.email, "locale": user.locale},
        "owner": {"id": store.owner.id, "email": store.owner.email},
        "url": path,
        "channel_id": None,
    }
    token = jwt.encode(claims, app.client_secret, algorithm="HS256")
    legacy = {
        "user": {"id": user.id, "email": user.email},
        "owner": {"id": store.owner.id, "email": store.owner.email},
        "context": f"stores/{store.hash}",
        "store_hash": store.hash,
        "timestamp": now,
    }
    return urlencode({"signed_payload_jwt": token, "signed_payload": _legacy(legacy, app)})


def _legacy(payload: dict[str, object], app: App) -> str:
    body = json.dumps(payload).encode()
    digest = hmac.new(app.client_secret.encode(), body, hashlib.sha256).hexdigest()
    return f"{base64.b64encode(body).decode()}.{base64.b64encode(digest.encode()).decode()}"


def call(url: str, query: str) -> CallbackResult:
    """GET a server-side callback (uninstall, remove_user) the way the platform does."""
    target = f"{url}?{query}"
    try:
        response = requests.get(target, timeout=CALLBACK_TIMEOUT, allow_redirects=False)
    except requests.RequestException as error:
        return CallbackResult(url, None, type(error).__name__)
    return CallbackResult(url, response.status_code, None)
