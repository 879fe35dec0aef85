"""Control routes under /_control/bigcommerce/: what tests and the demo steer.

Register apps, install one without a browser, uninstall, add and remove store
users, lower a store's API quota, set its time zone, fire an event as if the platform
had, refund an order as the merchant would in the control panel.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import requests
from flask import Blueprint, Response, jsonify, request

from sandbox.bigcommerce import auth, lifecycle, order_records, webhooks
from sandbox.bigcommerce.api import emulator
from sandbox.bigcommerce.callbacks import signed_query
from sandbox.bigcommerce.order_records import order_totals
from sandbox.bigcommerce.state import App, Store, User
from sandbox.timezones import timezone_setting

blueprint = Blueprint("bigcommerce_control", __name__, url_prefix="/_control/bigcommerce")


class ControlError(ValueError):
    """A control request that makes no sense; answered 400 with the reason."""


@blueprint.errorhandler(ValueError)
def _bad_request(error: ValueError) -> tuple[Response, int]:
    return jsonify(error=str(error)), 400


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if body is None and request.content_length:
        raise ControlError("the body must be a JSON object")
    if body is not None and not isinstance(body, dict):
        raise ControlError("the body must be a JSON object")
    return body or {}


def app_json(app: App) -> dict[str, Any]:
    return {**vars(app), "scope": " ".join(app.scopes)}


@blueprint.post("/apps")
def register_app() -> tuple[Response, int]:
    body = _body()
    required = ("client_id", "client_secret", "app_id", "auth_callback", "load_callback")
    missing = [name for name in required if not body.get(name)]
    if missing:
        raise ControlError(f"missing {', '.join(missing)}")
    scopes = body.get("scopes", [])
    app = App(
        client_id=str(body["client_id"]),
        client_secret=str(body["client_secret"]),
        app_id=str(body["app_id"]),
        name=str(body.get("name", "App")),
        auth_callback=str(body["auth_callback"]),
        load_callback=str(body["load_callback"]),
        uninstall_callback=body.get("uninstall_callback"),
        remove_user_callback=body.get("remove_user_callback"),
        scopes=scopes.split() if isinstance(scopes, str) else [str(s) for s in scopes],
        account_uuid=str(body.get("account_uuid", "00000000-0000-4000-8000-000000000000")),
    )
    with emulator().state.lock:
        emulator().state.apps[app.client_id] = app
    return jsonify(app_json(app)), 201


@blueprint.get("/apps")
def list_apps() -> Response:
    with emulator().state.lock:
        return jsonify(apps=[app_json(app) for app in emulator().state.apps.values()])


def _store(store_hash: str) -> Store:
    found = emulator().state.stores.get(store_hash)
    if found is None:
        raise ControlError(f"no store {store_hash}")
    return found


def _app(client_id: Any) -> App:
    app = emulator().state.apps.get(str(client_id))
    if app is None:
        raise ControlError(f"no app with client_id {client_id}")
    return app


@blueprint.post("/stores/<store_hash>/install")
def install(store_hash: str) -> Response:
    """Mint the auth-callback URL as the control panel would; `visit` opens it too."""
    body, bc = _body(), emulator()
    with bc.state.lock:
        store, app = _store(store_hash), _app(body.get("client_id"))
        user_id = int(body.get("user_id", store.owner.id))
    url = auth.issue_code(bc.state, app, store, user_id, bc.context.clock.now())
    answer: dict[str, Any] = {"auth_url": url}
    if body.get("visit"):
        try:
            answer["status"] = requests.get(url, timeout=(2, 15)).status_code
        except requests.RequestException as error:
            answer["error"] = type(error).__name__
    return jsonify(answer)


@blueprint.get("/stores/<store_hash>/load_url")
def load_url(store_hash: str) -> Response:
    """The load-callback URL the control panel would open for this user."""
    bc = emulator()
    with bc.state.lock:
        store, app = _store(store_hash), _app(request.args.get("client_id"))
        user = store.users.get(int(request.args.get("user_id", store.owner.id)))
        if user is None:
            raise ControlError("no such user on this store")
        query = signed_query(app, store, user, bc.context.clock.now())
    return jsonify(url=f"{app.load_callback}?{query}")


@blueprint.post("/stores/<store_hash>/apps/<client_id>/uninstall")
def uninstall(store_hash: str, client_id: str) -> Response:
    user_id = _body().get("user_id")
    return jsonify(lifecycle.uninstall(emulator(), store_hash, client_id, user_id))


@blueprint.post("/stores/<store_hash>/users")
def add_user(store_hash: str) -> tuple[Response, int]:
    body, bc = _body(), emulator()
    email = str(body.get("email", "")).strip()
    if "@" not in email:
        raise ControlError("email is required")
    with bc.state.lock:
        store = _store(store_hash)
        user = User(int(body.get("id") or bc.state.next_id()), email, email)
        store.users[user.id] = user
    return jsonify(vars(user)), 201


@blueprint.delete("/stores/<store_hash>/users/<int:user_id>")
def remove_user(store_hash: str, user_id: int) -> Response:
    return jsonify(lifecycle.remove_user(emulator(), store_hash, user_id))


@blueprint.post("/stores/<store_hash>/quota")
def set_quota(store_hash: str) -> Response:
    quota = _body().get("quota")
    if not isinstance(quota, int) or quota < 1:
        raise ControlError("quota must be a positive whole number")
    bc = emulator()
    with bc.state.lock:
        _store(store_hash).quota = quota
        bc.state.rate_windows.pop(store_hash, None)
    return jsonify(quota=quota)


@blueprint.post("/stores/<store_hash>/timezone")
def set_timezone(store_hash: str) -> Response:
    """Body {"timezone": "Europe/Berlin"}: the merchant's Store Profile setting."""
    timezone = timezone_setting(_body().get("timezone"))
    with emulator().state.lock:
        _store(store_hash).timezone = timezone
    return jsonify(timezone=timezone)


@blueprint.post("/stores/<store_hash>/events")
def fire_event(store_hash: str) -> Response:
    body = _body()
    scope, data = body.get("scope"), body.get("data")
    if not isinstance(scope, str) or not webhooks.known_scope(scope) or scope.endswith("*"):
        raise ControlError("scope must be one webhook scope, e.g. store/order/created")
    if not isinstance(data, dict) or "type" not in data:
        raise ControlError("data must be an object with at least type and id")
    with emulator().state.lock:
        _store(store_hash)
    return jsonify(hooks=webhooks.fire(emulator(), store_hash, scope, data))


@blueprint.post("/stores/<store_hash>/orders/<int:order_id>/refunds")
def refund_order(store_hash: str, order_id: int) -> tuple[Response, int]:
    """Body {"amount": "12.50"} (default: all that is left)."""
    body, bc = _body(), emulator()
    with bc.state.lock:
        order = _store(store_hash).orders.get(order_id)
        if order is None or order.is_deleted:
            raise ControlError(f"no order {order_id} on store {store_hash}")
        left = order_totals(order).total_inc_tax - order.refunded_amount
        refund_id = bc.state.next_id()
    try:
        amount = Decimal(str(body.get("amount", left)))
    except ArithmeticError:
        raise ControlError("amount must be a decimal number") from None
    order_records.refund(order, amount, refund_id)
    return jsonify(refund_id=refund_id, refunded_amount=str(order.refunded_amount)), 201
