"""Installing an app: the one-time code, its exchange for a token, and revoking it.

https://developer.bigcommerce.com/docs/integrations/apps/guide/auth
(bigcommerce/docs docs/integrations/apps/guide/auth.mdx): the control panel sends
the browser to the auth callback with code, scope (space-separated), context
(stores/{hash}) and account_uuid; the app POSTs client_id, client_secret, code,
context, scope, grant_type=authorization_code and redirect_uri to
login.bigcommerce.com/oauth2/token and gets {access_token, scope, user, owner,
context, account_uuid}. The code is single-use. The error body for a bad or
reused code is not documented; this emulator answers RFC 6749 section 5.2's
`{"error": "invalid_grant", "error_description"}` with 400.
"""

from __future__ import annotations

import hmac
import secrets
from urllib.parse import urlencode

from flask import Blueprint, Response, request

from sandbox.bigcommerce.api import emulator
from sandbox.bigcommerce.responses import json_response
from sandbox.bigcommerce.state import App, AuthCode, BigCommerceState, Installation, Store

CODE_LIFETIME = 300.0  # platform seconds; BigCommerce does not document it

blueprint = Blueprint("bigcommerce_login", __name__, url_prefix="/bigcommerce-login")


class InstallError(ValueError):
    """An install that cannot happen (unknown store, app or user)."""


def issue_code(state: BigCommerceState, app: App, store: Store, user_id: int, now: float) -> str:
    """Mint the code for the auth callback and return the callback URL to open."""
    if user_id not in store.users:
        raise InstallError(f"user {user_id} is not a user of store {store.hash}")
    code = secrets.token_urlsafe(12)
    scope = " ".join(app.scopes)
    with state.lock:
        state.codes[code] = AuthCode(
            code, app.client_id, store.hash, user_id, scope, now + CODE_LIFETIME
        )
    query = {
        "account_uuid": app.account_uuid,
        "code": code,
        "context": f"stores/{store.hash}",
        "scope": scope,
    }
    return f"{app.auth_callback}?{urlencode(query)}"


def _oauth_error(description: str, error: str = "invalid_grant", status: int = 400) -> Response:
    return json_response({"error": error, "error_description": description}, status)


@blueprint.post("/oauth2/token")
def token() -> Response:
    """Exchange a code; the python client sends a form, the docs show JSON: both work."""
    form = request.get_json(silent=True) if request.is_json else request.form
    form = form or {}
    fields = ("client_id", "client_secret", "code", "context", "scope", "redirect_uri")
    missing = [name for name in (*fields, "grant_type") if not form.get(name)]
    if missing:
        return _oauth_error(f"missing {', '.join(missing)}", "invalid_request")
    if form["grant_type"] != "authorization_code":
        return _oauth_error("grant_type must be authorization_code", "unsupported_grant_type")
    bc = emulator()
    state = bc.state
    with state.lock:
        app = state.apps.get(str(form["client_id"]))
        if app is None or not hmac.compare_digest(
            app.client_secret.encode(), str(form["client_secret"]).encode()
        ):
            return _oauth_error("client authentication failed", "invalid_client", 401)
        grant = state.codes.get(str(form["code"]))
        if grant is None or grant.client_id != app.client_id:
            return _oauth_error("The authorization code is invalid.")
        if grant.used:
            return _oauth_error("The authorization code has already been used.")
        grant.used = True
        if grant.expires_at < bc.context.clock.now():
            return _oauth_error("The authorization code has expired.")
        if form["context"] != f"stores/{grant.store_hash}" or form["scope"] != grant.scope:
            return _oauth_error("context or scope does not match the authorization code")
        if form["redirect_uri"] != app.auth_callback:
            return _oauth_error("redirect_uri does not match the app's auth callback URL")
        store = state.stores[grant.store_hash]
        installed = Installation(
            store.hash, app.client_id, secrets.token_hex(16), grant.scope, grant.user_id
        )
        state.installations[(store.hash, app.client_id)] = installed
        user = store.users[grant.user_id]
        return json_response(
            {
                "access_token": installed.access_token,
                "scope": installed.scope,
                "user": {"id": user.id, "username": user.username, "email": user.email},
                "owner": {
                    "id": store.owner.id,
                    "username": store.owner.username,
                    "email": store.owner.email,
                },
                "context": f"stores/{store.hash}",
                "account_uuid": app.account_uuid,
            }
        )
