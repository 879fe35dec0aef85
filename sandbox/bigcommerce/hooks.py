"""v3 Webhooks API: an app's subscriptions on a store.

bigcommerce/docs docs/integrations/webhooks/overview.mdx and reference/webhooks.v3.yml:
POST /v3/hooks {scope, destination, is_active, headers}; the destination is
https on port 443 (custom ports are not supported); at most 10 hooks per
store + client + scope and one per store + client + scope + destination.
Hooks belong to the app that created them and are deleted on uninstall.
Sandbox exception: http://127.0.0.1 / localhost destinations on any port are
accepted so the local app can receive deliveries.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Response, request

from sandbox.bigcommerce import webhooks
from sandbox.bigcommerce.api import api_blueprint, emulator, installation, json_object, store
from sandbox.bigcommerce.catalog import paginate
from sandbox.bigcommerce.responses import ApiError, not_found, unprocessable, v3_data
from sandbox.bigcommerce.state import Hook, Store

blueprint = api_blueprint("hooks", "v3", None)  # hooks need no scope of their own
MAX_PER_SCOPE = 10
LOOPBACK = ("127.0.0.1", "localhost", "::1")


def hook_json(hook: Hook) -> dict[str, Any]:
    return {
        "id": hook.id,
        "client_id": hook.client_id,
        "store_hash": hook.store_hash,
        "scope": hook.scope,
        "destination": hook.destination,
        "headers": hook.headers,
        "is_active": hook.is_active,
        "created_at": hook.created_at,
        "updated_at": hook.updated_at,
    }


def _destination(value: Any) -> str:
    if not isinstance(value, str):
        raise unprocessable({"destination": "destination must be a URL"})
    parts = urlsplit(value)
    if parts.hostname in LOOPBACK and parts.scheme in ("http", "https"):
        return value
    if parts.scheme != "https" or not parts.hostname:
        raise unprocessable({"destination": "destination must be an https URL"})
    if parts.port not in (None, 443):
        raise unprocessable({"destination": "custom ports are not supported; use port 443"})
    return value


def _headers(value: Any) -> dict[str, str] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise unprocessable({"headers": "headers must map header names to string values"})
    return value


def _mine(current: Store) -> list[Hook]:
    client_id = installation().client_id
    return sorted(
        (h for h in current.hooks.values() if h.client_id == client_id), key=lambda h: h.id
    )


def _check_limits(current: Store, scope: str, destination: str, ignore: int | None = None) -> None:
    same_scope = [h for h in _mine(current) if h.scope == scope and h.id != ignore]
    if any(h.destination == destination for h in same_scope):
        raise unprocessable({"destination": "a hook for this scope and destination already exists"})
    if len(same_scope) >= MAX_PER_SCOPE:
        raise unprocessable({"scope": f"at most {MAX_PER_SCOPE} hooks per scope and app"})


def _scope(value: Any) -> str:
    if not isinstance(value, str) or not webhooks.known_scope(value):
        raise unprocessable({"scope": f"unknown webhook scope {value!r}"})
    return value


@blueprint.get("/hooks")
def list_hooks() -> Response:
    with emulator().state.lock:
        hooks = _mine(store())
        for name in ("scope", "destination"):
            if name in request.args:
                hooks = [h for h in hooks if getattr(h, name) == request.args[name]]
        if "is_active" in request.args:
            active = request.args["is_active"] in ("1", "true")
            hooks = [h for h in hooks if h.is_active == active]
        chunk, meta = paginate(hooks)
        return v3_data([hook_json(h) for h in chunk], meta=meta)


@blueprint.post("/hooks")
def create_hook() -> Response:
    bc, body = emulator(), json_object()
    scope, destination = _scope(body.get("scope")), _destination(body.get("destination"))
    headers = _headers(body.get("headers"))
    now = int(bc.context.clock.now())
    with bc.state.lock:
        current = store()
        _check_limits(current, scope, destination)
        hook = Hook(
            id=bc.state.next_id(),
            client_id=installation().client_id,
            store_hash=current.hash,
            scope=scope,
            destination=destination,
            is_active=bool(body.get("is_active", True)),
            headers=headers,
            created_at=now,
            updated_at=now,
        )
        current.hooks[hook.id] = hook
        return v3_data(hook_json(hook))


def _find(hook_id: int) -> Hook:
    hook = store().hooks.get(hook_id)
    if hook is None or hook.client_id != installation().client_id:
        raise not_found("webhook")
    return hook


@blueprint.get("/hooks/<int:hook_id>")
def show_hook(hook_id: int) -> Response:
    with emulator().state.lock:
        return v3_data(hook_json(_find(hook_id)))


@blueprint.put("/hooks/<int:hook_id>")
def update_hook(hook_id: int) -> Response:
    bc, body = emulator(), json_object()
    with bc.state.lock:
        hook = _find(hook_id)
        scope = _scope(body["scope"]) if "scope" in body else hook.scope
        destination = (
            _destination(body["destination"]) if "destination" in body else hook.destination
        )
        _check_limits(store(), scope, destination, ignore=hook.id)
        hook.scope, hook.destination = scope, destination
        if "headers" in body:
            hook.headers = _headers(body["headers"])
        if "is_active" in body:
            if not isinstance(body["is_active"], bool):
                raise ApiError(422, "JSON data is missing or invalid", {"is_active": "boolean"})
            hook.is_active = body["is_active"]
        hook.updated_at = int(bc.context.clock.now())
        return v3_data(hook_json(hook))


@blueprint.delete("/hooks/<int:hook_id>")
def delete_hook(hook_id: int) -> Response:
    with emulator().state.lock:
        hook = _find(hook_id)
        del store().hooks[hook.id]
        return v3_data(hook_json(hook))
