"""Shopify's token endpoint rules: codes, expiring offline tokens, refresh rotation, token exchange.

POST /admin/oauth/access_token serves three grants; each function here takes the
form/JSON fields, changes state under its lock and returns the JSON Shopify
answers, or raises OAuthError carrying Shopify's error body.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Mapping
from typing import Any

import jwt

from sandbox.shopify import signing
from sandbox.shopify.state import AccessToken, App, AuthCode, RefreshToken, ShopifyState

ACCESS_TOKEN_SECONDS = (
    3600  # https://shopify.dev/changelog/offline-access-tokens-now-support-expiry-and-refresh
)
REFRESH_TOKEN_SECONDS = 90 * 86400  # lifetime not found in Shopify's docs; 90 days assumed
ONLINE_TOKEN_SECONDS = 86400  # online tokens end with the user's admin session (1 day)
CODE_SECONDS = 600
TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"  # noqa: S105 - a grant name
OFFLINE_TYPE = "urn:shopify:params:oauth:token-type:offline-access-token"
ONLINE_TYPE = "urn:shopify:params:oauth:token-type:online-access-token"
ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"  # noqa: S105 - a type name


class OAuthError(Exception):
    """An answer of the token endpoint other than 200: status and Shopify's JSON body."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.body = {"error": error, "error_description": description}


def issue_code(
    state: ShopifyState, *, shop: str, app: App, scopes: list[str], online: bool, now: float
) -> str:
    """A single-use authorization code for the consent just given."""
    code = secrets.token_hex(16)
    with state.lock:
        state.codes[code] = AuthCode(
            code, shop, app.client_id, scopes, online, user_id=1, expires_at=now + CODE_SECONDS
        )
    return code


def token_request(
    state: ShopifyState, shop: str, fields: Mapping[str, str], now: float
) -> dict[str, Any]:
    """Dispatch on grant_type (absent = authorization code) after checking the client."""
    with state.lock:
        app = state.apps.get(fields.get("client_id", ""))
        if app is None or not secrets.compare_digest(
            fields.get("client_secret", ""), app.client_secret
        ):
            # Shopify answers a wrong client with 400 invalid_client
            # (nozzlegear/ShopifySharp issue #70 shows the error JSON shape).
            raise OAuthError(400, "invalid_client", "Client credentials are invalid")
        grant = fields.get("grant_type", "authorization_code")
        expiring = fields.get("expiring") == "1"
        if grant == "authorization_code":
            return _exchange_code(state, app, shop, fields.get("code", ""), expiring, now)
        if grant == "refresh_token":
            return _refresh(state, app, shop, fields.get("refresh_token", ""), now)
        if grant == TOKEN_EXCHANGE:
            return _token_exchange(state, app, shop, fields, expiring, now)
        raise OAuthError(400, "unsupported_grant_type", f"grant_type {grant} is not supported")


def _exchange_code(
    state: ShopifyState, app: App, shop: str, code: str, expiring: bool, now: float
) -> dict[str, Any]:
    record = state.codes.get(code)
    if (
        record is None
        or record.used
        or record.shop != shop
        or record.client_id != app.client_id
        or record.expires_at < now
    ):
        # Exact body Shopify sends: nozzlegear/ShopifySharp issue #70 and
        # BNMetrics/Laravel-ShopifyAPI issue #9 (400 Bad Request).
        raise OAuthError(
            400, "invalid_request", "The authorization code was not found or was already used"
        )
    record.used = True
    _install(state, shop, app, record.scopes)
    if record.online:
        return _online_token(state, app, shop, record.scopes, record.user_id, now)
    return _offline_token(state, app, shop, record.scopes, expiring, now)


def _refresh(state: ShopifyState, app: App, shop: str, token: str, now: float) -> dict[str, Any]:
    """Rotate: a new access + refresh token; the presented one stays valid until its child is used.

    https://shopify.dev/changelog/more-resilient-refreshes-for-expiring-offline-access-tokens
    """
    record = state.refresh_tokens.get(token)
    if (
        record is None
        or record.revoked
        or record.shop != shop
        or record.client_id != app.client_id
        or record.expires_at < now
    ):
        raise OAuthError(400, "invalid_grant", "The refresh token is invalid or has expired")
    record.used = True
    if record.parent and record.parent in state.refresh_tokens:
        state.refresh_tokens[record.parent].revoked = True
    answer = _offline_token(state, app, shop, record.scopes, True, now)
    state.refresh_tokens[answer["refresh_token"]].parent = token
    return answer


def _token_exchange(
    state: ShopifyState, app: App, shop: str, fields: Mapping[str, str], expiring: bool, now: float
) -> dict[str, Any]:
    """Session token in, access token out; an invalid or expired session token is a 400.

    https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/token-exchange
    """
    if fields.get("subject_token_type") != ID_TOKEN_TYPE:
        raise OAuthError(400, "invalid_request", f"subject_token_type must be {ID_TOKEN_TYPE}")
    try:
        claims = signing.decode_session_token(
            fields.get("subject_token", ""),
            client_id=app.client_id,
            secret=app.client_secret,
            now=now,
        )
    except jwt.PyJWTError as error:
        raise OAuthError(400, "invalid_subject_token", f"Invalid session token: {error}") from None
    if claims["dest"] != f"https://{shop}":
        raise OAuthError(400, "invalid_subject_token", "The session token is for another shop")
    requested = fields.get("requested_token_type", OFFLINE_TYPE)
    if requested not in (OFFLINE_TYPE, ONLINE_TYPE):
        raise OAuthError(
            400, "invalid_request", f"requested_token_type {requested} is not supported"
        )
    scopes = list(app.scopes)
    _install(state, shop, app, scopes)
    if requested == ONLINE_TYPE:
        return _online_token(state, app, shop, scopes, int(claims["sub"]), now)
    return _offline_token(state, app, shop, scopes, expiring, now)


def _install(state: ShopifyState, shop: str, app: App, scopes: list[str]) -> None:
    """Shopify-managed install: granting a token installs the app on the shop."""
    record = state.shop(shop)
    if record is not None:
        record.installed[app.client_id] = list(scopes)


def _offline_token(
    state: ShopifyState, app: App, shop: str, scopes: list[str], expiring: bool, now: float
) -> dict[str, Any]:
    token = "shpat_" + secrets.token_hex(16)
    expires = now + ACCESS_TOKEN_SECONDS if expiring else None
    state.access_tokens[token] = AccessToken(token, shop, app.client_id, list(scopes), expires)
    answer: dict[str, Any] = {"access_token": token, "scope": ",".join(scopes)}
    if expiring:
        refresh = "shprt_" + secrets.token_hex(16)
        state.refresh_tokens[refresh] = RefreshToken(
            refresh, shop, app.client_id, list(scopes), now + REFRESH_TOKEN_SECONDS
        )
        answer |= {
            "expires_in": ACCESS_TOKEN_SECONDS,
            "refresh_token": refresh,
            "refresh_token_expires_in": REFRESH_TOKEN_SECONDS,
        }
    return answer


def _online_token(
    state: ShopifyState, app: App, shop: str, scopes: list[str], user_id: int, now: float
) -> dict[str, Any]:
    """Online token with associated_user, per Shopify/shopify-app-js lib/auth/oauth/types.ts."""
    token = "shpua_" + secrets.token_hex(16)
    state.access_tokens[token] = AccessToken(
        token, shop, app.client_id, list(scopes), now + ONLINE_TOKEN_SECONDS, user_id
    )
    return {
        "access_token": token,
        "scope": ",".join(scopes),
        "expires_in": ONLINE_TOKEN_SECONDS,
        "associated_user_scope": ",".join(scopes),
        "associated_user": {
            "id": user_id,
            "first_name": "Demo",
            "last_name": "Owner",
            "email": f"owner-{user_id}@{shop.split('.', 1)[0]}.example",
            "email_verified": True,
            "account_owner": user_id == 1,
            "locale": "en",
            "collaborator": False,
        },
    }


def authenticate(state: ShopifyState, shop: str, token: str | None, now: float) -> AccessToken:
    """The access token for an Admin API call on `shop`, or Unauthorized."""
    with state.lock:
        record = state.access_tokens.get(token or "")
        if (
            record is None
            or record.shop != shop
            or (record.expires_at is not None and record.expires_at <= now)
            or record.client_id not in (state.shop(shop).installed if state.shop(shop) else {})
        ):
            raise Unauthorized
        return record


class Unauthorized(Exception):
    """A missing, wrong, expired or revoked access token."""

    BODY = {
        "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
    }


def revoke_app(state: ShopifyState, shop: str, client_id: str) -> None:
    """Uninstall: every token of this app on this shop stops working."""
    with state.lock:
        for table in (state.access_tokens, state.refresh_tokens):
            for key in [k for k, v in table.items() if v.shop == shop and v.client_id == client_id]:
                del table[key]
        record = state.shop(shop)
        if record is not None:
            record.installed.pop(client_id, None)
            record.app_embeds.pop(client_id, None)
            record.app_metafields.pop(client_id, None)
            for table in (record.webhooks, record.script_tags):
                for key in [k for k, v in table.items() if v.client_id == client_id]:
                    del table[key]


def mint_session_token(app: App, shop: str, user_id: int, now: float) -> str:
    """What App Bridge hands the embedded app: a fresh id_token for this user's admin session."""
    return signing.session_token(
        shop_domain=shop,
        client_id=app.client_id,
        secret=app.client_secret,
        user_id=user_id,
        now=now,
        session_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"{shop}/{app.client_id}/{user_id}")),
    )
