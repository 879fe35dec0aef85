"""Control routes under /_control/shopify/: what the Partner Dashboard and a merchant would do.

POST /apps            register an app (client id, secret, scopes, redirect URLs, ...)
GET  /apps            list registered apps (secrets omitted)
POST /session-token   mint an App Bridge session token for a shop and user
POST /install         install an app directly (Shopify-managed install) and return a token;
                      {scopes} grants fewer than the app declares
POST /shops/<shop>    change shop settings (plan, timezone)
POST /events          fire a platform event: {shop, topic, order_id|product_id|client_id, ...}
POST /app-embeds      turn an app's embed block on in the theme (its script srcs), [] turns it off
POST /post-purchase   pick the app that runs the shop's post-purchase page:
                      {client_id, shop, enabled, extension_url?} (backend; default the app URL)
GET  /post-purchase/sessions?shop=<shop>   post-purchase sessions and their changeset results
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from flask import Blueprint, jsonify, request

from sandbox.shopify import events, tokens
from sandbox.shopify.post_purchase import session_json
from sandbox.shopify.state import PLANS, App, PostPurchaseApp
from sandbox.timezones import timezone_setting

if TYPE_CHECKING:
    from sandbox.shopify import ShopifyEmulator


class ControlError(ValueError):
    """A control request that does not make sense (400 with the reason)."""


def body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ControlError("the body must be a JSON object")
    return data


def blueprint(emulator: ShopifyEmulator) -> Blueprint:
    bp = Blueprint("shopify_control", __name__, url_prefix="/_control/shopify")
    state = emulator.state

    @bp.errorhandler(ControlError)
    @bp.errorhandler(events.EventError)
    def bad_request(error: ValueError):
        return jsonify(error=str(error)), 400

    def app_for(data: dict[str, Any]) -> App:
        from sandbox import demo_credentials  # noqa: PLC0415

        client_id = data.get("client_id", demo_credentials.SHOPIFY_API_KEY)
        app = state.apps.get(client_id)
        if app is None:
            raise ControlError(f"no app with client_id {client_id!r} is registered")
        return app

    def shop_for(data: dict[str, Any]):
        shop = state.shop(str(data.get("shop", "")))
        if shop is None:
            raise ControlError(f"no shop {data.get('shop')!r}")
        return shop

    @bp.post("/apps")
    def register_app():
        data = body()
        missing = [
            k for k in ("client_id", "client_secret", "name", "redirect_urls") if not data.get(k)
        ]
        if missing:
            raise ControlError(f"missing fields: {', '.join(missing)}")
        known = set(App.__dataclass_fields__) - {"app_id"}
        unknown = set(data) - known
        if unknown:
            raise ControlError(f"unknown fields: {', '.join(sorted(unknown))}")
        with state.lock:
            app = App(**{"scopes": [], **data}, app_id=state.next_id())
            state.apps[app.client_id] = app
        return jsonify(client_id=app.client_id, name=app.name), 201

    @bp.get("/apps")
    def list_apps():
        with state.lock:
            return jsonify(
                apps=[
                    {k: v for k, v in vars(app).items() if k != "client_secret"}
                    for app in state.apps.values()
                ]
            )

    @bp.post("/session-token")
    def session_token():
        data = body()
        with state.lock:
            app, shop = app_for(data), shop_for(data)
        user_id = int(data.get("user_id", 1))
        token = tokens.mint_session_token(app, shop.domain, user_id, emulator.clock.now())
        return jsonify(id_token=token)

    @bp.post("/install")
    def install():
        data = body()
        with state.lock:
            app, shop = app_for(data), shop_for(data)
            code = tokens.issue_code(
                state,
                shop=shop.domain,
                app=app,
                scopes=list(data.get("scopes") or app.scopes),  # fewer, to test refusals
                online=False,
                now=emulator.clock.now(),
            )
            answer = tokens.token_request(
                state,
                shop.domain,
                {
                    "client_id": app.client_id,
                    "client_secret": app.client_secret,
                    "code": code,
                    "expiring": "1" if data.get("expiring") else "0",
                },
                emulator.clock.now(),
            )
        return jsonify(answer), 201

    @bp.post("/shops/<shop>")
    def update_shop(shop: str):
        data = body()
        if "plan" in data and data["plan"] not in PLANS:
            raise ControlError(f"plan must be one of {', '.join(PLANS)}")
        try:
            timezone = timezone_setting(data["timezone"]) if "timezone" in data else None
        except ValueError as error:
            raise ControlError(str(error)) from None
        with state.lock:
            record = shop_for({"shop": shop})
            record.plan = data.get("plan", record.plan)
            record.timezone = timezone or record.timezone
            return jsonify(shop=record.domain, plan=record.plan, timezone=record.timezone)

    @bp.post("/events")
    def fire_event():
        data = body()
        with state.lock:
            return jsonify(events.fire(emulator, shop_for(data), data))

    @bp.post("/app-embeds")
    def app_embeds():
        data = body()
        scripts = data.get("scripts")
        if not isinstance(scripts, list) or not all(isinstance(s, str) for s in scripts):
            raise ControlError("scripts must be a list of URLs")
        with state.lock:
            app, shop = app_for(data), shop_for(data)
            if app.client_id not in shop.installed:
                raise ControlError("the app is not installed on this shop")
            if scripts:
                shop.app_embeds[app.client_id] = scripts
            else:
                shop.app_embeds.pop(app.client_id, None)
            return jsonify(app_embeds=shop.app_embeds)

    @bp.post("/post-purchase")
    def post_purchase():
        """Settings > Checkout > Post-purchase page: one app per shop; another replaces it."""
        data = body()
        if not isinstance(data.get("enabled"), bool):
            raise ControlError("enabled must be true or false")
        with state.lock:
            app, shop = app_for(data), shop_for(data)
            if data["enabled"]:
                if app.client_id not in shop.installed:
                    raise ControlError("the app is not installed on this shop")
                # Default: the app URL's origin, where the tutorial's extension finds the app
                # server (its APP_URL); the embedded admin may live under a path of it.
                given = data.get("extension_url")
                parts = urlsplit(str(given or app.app_url))
                if parts.scheme not in ("http", "https") or not parts.netloc:
                    raise ControlError("the app has no app URL; give extension_url")
                path = parts.path if given else ""
                url = f"{parts.scheme}://{parts.netloc}{path}".rstrip("/")
                shop.post_purchase = PostPurchaseApp(app.client_id, url)
            elif shop.post_purchase and shop.post_purchase.client_id == app.client_id:
                shop.post_purchase = None
            choice = shop.post_purchase
            return jsonify(
                shop=shop.domain,
                client_id=choice.client_id if choice else None,
                backend_url=choice.backend_url if choice else None,
            )

    @bp.get("/post-purchase/sessions")
    def post_purchase_sessions():
        with state.lock:
            shop = shop_for(request.args.to_dict())
            return jsonify(sessions=[session_json(s) for s in shop.post_purchase_sessions.values()])

    return bp
