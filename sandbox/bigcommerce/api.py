"""What every REST endpoint shares: the store in the path, X-Auth-Token, scopes, quota.

https://developer.bigcommerce.com/docs/start/authentication: API calls go to
https://api.bigcommerce.com/stores/{store_hash}/v2|v3/... with the app's access
token in X-Auth-Token (X-Auth-Client is accepted and ignored). A token answers
only for the store it was issued for; an endpoint needs its OAuth scope (the
`_read_only` variant is enough for GET).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, current_app, g, request

from sandbox.bigcommerce import ratelimit
from sandbox.bigcommerce.responses import ApiError, v2_error, v3_error
from sandbox.bigcommerce.state import Installation, Store

if TYPE_CHECKING:
    from sandbox.bigcommerce import BigCommerceEmulator

API_PREFIX = "/bigcommerce/stores/<store_hash>"


def emulator() -> BigCommerceEmulator:
    return current_app.extensions["bigcommerce"]


def store() -> Store:
    return g.bc_store


def installation() -> Installation:
    return g.bc_installation


def json_body() -> Any:
    body = request.get_json(silent=True)
    if body is None:
        raise ApiError(400, "The request body is not valid JSON.")
    return body


def json_object() -> dict[str, Any]:
    body = json_body()
    if not isinstance(body, dict):
        raise ApiError(400, "The request body must be a JSON object.")
    return body


def api_blueprint(name: str, version: str, scope: str | None) -> Blueprint:
    """A blueprint under /stores/<hash>/<version> whose routes need `scope` (None: any token)."""
    blueprint = Blueprint(f"bigcommerce_{name}", __name__, url_prefix=f"{API_PREFIX}/{version}")
    render = v3_error if version == "v3" else v2_error

    @blueprint.url_value_preprocessor
    def _pop_store(_endpoint: str | None, values: dict[str, Any] | None) -> None:
        g.bc_store_hash = (values or {}).pop("store_hash", "")

    @blueprint.before_request
    def _authenticate() -> Response | None:
        try:
            _admit(g.bc_store_hash, scope)
        except ApiError as error:
            return render(error)
        return None

    @blueprint.after_request
    def _quota_headers(response: Response) -> Response:
        quota = g.get("bc_quota")
        if quota is not None:
            response.headers.update(quota.headers())
        return response

    @blueprint.errorhandler(ApiError)
    def _api_error(error: ApiError) -> Response:
        return render(error)

    @blueprint.errorhandler(404)
    def _no_route(_error: Exception) -> Response:
        return render(ApiError(404, "The requested resource was not found."))

    @blueprint.errorhandler(405)
    def _bad_method(_error: Exception) -> Response:
        return render(ApiError(405, "The requested method is not supported for this resource."))

    return blueprint


def _admit(store_hash: str, scope: str | None) -> None:
    bc = emulator()
    with bc.state.lock:
        found = bc.state.stores.get(store_hash)
        if found is None:
            raise ApiError(404, "Store not found.")
        g.bc_quota = quota = ratelimit.take(
            bc.state, store_hash, found.quota, bc.context.clock.now()
        )
        if not quota.allowed:
            raise ApiError(429, "Too many requests: the store's API quota for this window is used.")
        token = request.headers.get("X-Auth-Token", "")
        installed = bc.state.installation_by_token(store_hash, token) if token else None
        if installed is None:
            raise ApiError(401, "No valid access token was provided for this store.")
        if scope and not _granted(installed.scope.split(), scope, request.method):
            raise ApiError(403, f"This endpoint needs the {scope} OAuth scope.")
        g.bc_store, g.bc_installation = found, installed


def _granted(scopes: list[str], needed: str, method: str) -> bool:
    if needed in scopes:
        return True
    return method in ("GET", "HEAD") and f"{needed}_read_only" in scopes


def no_content() -> Response:
    """204, as BigCommerce answers deletes and empty v2 lists (the python client accepts it)."""
    return Response(status=204)
