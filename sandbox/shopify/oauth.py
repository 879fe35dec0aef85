"""The install consent page and the token endpoint, as Shopify serves them on each shop.

GET  /shopify/<shop>/admin/oauth/authorize     consent page (HTML)
POST /shopify/<shop>/admin/oauth/authorize     the merchant clicks Install: redirect with code
POST /shopify/<shop>/admin/oauth/access_token  code exchange, refresh, token exchange

Source: https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode

from flask import Blueprint, jsonify, redirect, render_template, request

from sandbox.shopify import signing, tokens

if TYPE_CHECKING:
    from sandbox.shopify import ShopifyEmulator


def blueprint(emulator: ShopifyEmulator) -> Blueprint:
    bp = Blueprint("shopify_oauth", __name__, template_folder="templates")
    state = emulator.state

    def error_page(error: str, message: str, status: int = 400):
        return render_template("shopify/oauth_error.html", error=error, message=message), status

    def consent_request():
        """The authorize parameters from the query (GET) or the consent form (POST)."""
        source = request.values
        return {
            "client_id": source.get("client_id", ""),
            "scope": source.get("scope"),
            "redirect_uri": source.get("redirect_uri", ""),
            "state": source.get("state", ""),
            "grant_options[]": source.get("grant_options[]", ""),
        }

    @bp.route("/shopify/<shop>/admin/oauth/authorize", methods=["GET", "POST"])
    def authorize(shop: str):
        fields = consent_request()
        with state.lock:
            record = state.shop(shop)
            app = state.apps.get(fields["client_id"])
        if record is None:
            return error_page("shop_not_found", f"There is no store at {shop}.", 404)
        if app is None:
            return error_page("invalid_request", "The client_id is not registered with any app.")
        if fields["redirect_uri"] not in app.redirect_urls:
            # Shopify shows "Oauth error invalid_request: The redirect_uri is not whitelisted"
            # and never redirects to an unregistered URL.
            return error_page("invalid_request", "The redirect_uri is not whitelisted")
        scopes = (
            [s.strip() for s in fields["scope"].split(",") if s.strip()]
            if fields["scope"] is not None
            else list(app.scopes)  # scope may be omitted when declared in shopify.app.toml
        )
        online = fields["grant_options[]"] == "per-user"
        if request.method == "GET":
            hidden = [(k, v) for k, v in fields.items() if v is not None]
            return render_template(
                "shopify/consent.html",
                app=app,
                shop=record,
                scopes=scopes,
                online=online,
                fields=hidden,
            )
        now = emulator.clock.now()
        code = tokens.issue_code(
            state, shop=record.domain, app=app, scopes=scopes, online=online, now=now
        )
        params = signing.sign_query(
            {
                "code": code,
                "host": signing.admin_host(record.domain),
                "shop": record.domain,
                "state": fields["state"],
                "timestamp": str(int(now)),
            },
            app.client_secret,
        )
        # Spaces as %20, not +: Shopify/shopify-app-js .changeset/fix-hmac-space-encoding.md
        query = urlencode(params, quote_via=quote)
        return redirect(f"{fields['redirect_uri']}?{query}", code=302)

    @bp.post("/shopify/<shop>/admin/oauth/access_token")
    def access_token(shop: str):
        fields = request.get_json(silent=True) if request.is_json else request.form
        fields = {k: str(v) for k, v in (fields or {}).items()}
        if state.shop(shop) is None:
            return jsonify(errors="Not Found"), 404
        try:
            answer = tokens.token_request(state, shop.lower(), fields, emulator.clock.now())
        except tokens.OAuthError as error:
            return jsonify(error.body), error.status
        return jsonify(answer)

    return bp
