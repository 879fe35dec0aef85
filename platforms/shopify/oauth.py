"""Shopify OAuth from the app's side: the authorize URL and the token endpoint's grants.

POST https://{shop}/admin/oauth/access_token serves three grants:
- authorization code (install): https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant
- refresh of an expiring offline token (the refresh token rotates on use):
  https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/offline-access-tokens
- token exchange of an App Bridge session token (embedded apps):
  https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/token-exchange
We ask for expiring offline tokens (`expiring=1`): non-expiring ones stop working for
public apps on 2027-01-01.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

import requests

from platforms.base import PlatformUser, TokenGrant, expiry_in
from platforms.errors import FinalError, RetriableError

TIMEOUT = (3.05, 10)
# Grant and token type names (RFC 8693 and Shopify's), not secrets.
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"  # noqa: S105
ID_TOKEN = "urn:ietf:params:oauth:token-type:id_token"  # noqa: S105
OFFLINE_TOKEN = "urn:shopify:params:oauth:token-type:offline-access-token"  # noqa: S105
ONLINE_TOKEN = "urn:shopify:params:oauth:token-type:online-access-token"  # noqa: S105


def authorize_url(
    *, shop_base: str, client_id: str, scopes: str, redirect_uri: str, state: str
) -> str:
    """Where the merchant approves the install (offline access: no grant_options)."""
    query = urlencode(
        {"client_id": client_id, "scope": scopes, "redirect_uri": redirect_uri, "state": state},
        quote_via=quote,
    )
    return f"{shop_base}/admin/oauth/authorize?{query}"


def exchange_code(*, shop_base: str, client_id: str, client_secret: str, code: str) -> TokenGrant:
    return _grant(
        shop_base,
        {"client_id": client_id, "client_secret": client_secret, "code": code, "expiring": "1"},
    )


def refresh(
    *, shop_base: str, client_id: str, client_secret: str, refresh_token: str
) -> TokenGrant:
    return _grant(
        shop_base,
        {
            "client_id": client_id,
            "client_secret": client_secret,
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
        },
    )


def exchange_session_token(
    *, shop_base: str, client_id: str, client_secret: str, session_token: str, online: bool = False
) -> TokenGrant:
    return _grant(
        shop_base,
        {
            "client_id": client_id,
            "client_secret": client_secret,
            "grant_type": TOKEN_EXCHANGE,
            "subject_token": session_token,
            "subject_token_type": ID_TOKEN,
            "requested_token_type": ONLINE_TOKEN if online else OFFLINE_TOKEN,
            "expiring": "1",
        },
    )


def _grant(shop_base: str, fields: dict[str, str]) -> TokenGrant:
    """:raises RetriableError: 429/5xx/network. :raises FinalError: refused (4xx)."""
    try:
        response = requests.post(
            f"{shop_base}/admin/oauth/access_token", json=fields, timeout=TIMEOUT
        )
    except requests.RequestException as error:
        raise RetriableError(
            f"Shopify token endpoint unreachable: {type(error).__name__}"
        ) from None
    if response.status_code == 429 or response.status_code >= 500:
        raise RetriableError(
            f"Shopify token endpoint answered {response.status_code}",
            retry_after=_retry_after(response),
        )
    body = _json(response)
    if response.status_code != 200 or "access_token" not in body:
        reason = body.get("error_description") or body.get("error") or response.status_code
        raise FinalError(f"Shopify refused the token request: {reason}")
    return _to_grant(body)


def _to_grant(body: dict[str, Any]) -> TokenGrant:
    user = body.get("associated_user")
    return TokenGrant(
        access_token=str(body["access_token"]),
        scopes=str(body.get("scope", "")),
        expires_at=expiry_in(body.get("expires_in")),
        refresh_token=body.get("refresh_token"),
        refresh_expires_at=expiry_in(body.get("refresh_token_expires_in")),
        user=PlatformUser(
            str(user["id"]),
            str(user.get("email", "")),
            account_owner=bool(user.get("account_owner")),
        )
        if user
        else None,
    )


def _json(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _retry_after(response: requests.Response) -> float | None:
    try:
        return float(response.headers["Retry-After"])
    except (KeyError, ValueError):
        return None
