"""The Shopify admin around an embedded app, and the stand-in App Bridge script.

GET  /shopify/admin/store/<handle>/apps/<client_id>           admin chrome + app iframe
POST /shopify/admin/store/<handle>/apps/<client_id>/id-token  fresh session token (admin side)
GET  /shopify/cdn/app-bridge.js                               stand-in App Bridge (see the file)

The iframe loads the app URL with embedded=1, host, id_token, locale, shop, timestamp and
an hmac over them, the way Shopify opens an embedded app
(https://shopify.dev/docs/apps/build/authentication-authorization/session-tokens).
The sandbox has no login: ?user=<id> picks the staff member (the merchant by default).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode

from flask import Blueprint, Response, render_template, request, url_for

from sandbox.shopify import signing, tokens
from sandbox.shopify.admin_api import fail
from sandbox.shopify.state import App, Shop

if TYPE_CHECKING:
    from sandbox.shopify import ShopifyEmulator

APP_BRIDGE = Path(__file__).with_name("static") / "app-bridge.js"
MERCHANT_USER_ID = 1


def blueprint(emulator: ShopifyEmulator) -> Blueprint:
    bp = Blueprint("shopify_admin_frame", __name__, template_folder="templates")
    state = emulator.state

    def installed(handle: str, client_id: str) -> tuple[Shop, App]:
        shop = state.shop(f"{handle}.myshopify.com")
        app = state.apps.get(client_id)
        if shop is None or app is None or client_id not in shop.installed:
            fail(404, {"errors": "Not Found"})
        return shop, app

    def user_id() -> int:
        return request.args.get("user", type=int) or MERCHANT_USER_ID

    @bp.get("/shopify/admin/store/<handle>/apps/<client_id>")
    def admin_app(handle: str, client_id: str):
        with state.lock:
            shop, app = installed(handle, client_id)
            now = emulator.clock.now()
            params = signing.sign_query(
                {
                    "embedded": "1",
                    "host": signing.admin_host(shop.domain),
                    "id_token": tokens.mint_session_token(app, shop.domain, user_id(), now),
                    "locale": "en",
                    "shop": shop.domain,
                    "timestamp": str(int(now)),
                },
                app.client_secret,
            )
            src = f"{app.app_url}?{urlencode(params, quote_via=quote)}"
            token_url = url_for(
                ".id_token", handle=handle, client_id=client_id, user=request.args.get("user")
            )
            html = render_template(
                "shopify/admin_frame.html", app=app, shop=shop, src=src, token_url=token_url
            )
        # The admin itself may only be framed by nobody; the app decides its own frame-ancestors.
        return Response(html, headers={"Content-Security-Policy": "frame-ancestors 'none'"})

    @bp.post("/shopify/admin/store/<handle>/apps/<client_id>/id-token")
    def id_token(handle: str, client_id: str):
        with state.lock:
            shop, app = installed(handle, client_id)
            token = tokens.mint_session_token(app, shop.domain, user_id(), emulator.clock.now())
        return {"id_token": token}

    @bp.get("/shopify/cdn/app-bridge.js")
    def app_bridge():
        return Response(
            APP_BRIDGE.read_text(),
            mimetype="text/javascript",
            headers={"Access-Control-Allow-Origin": "*"},
        )

    return bp
