"""Admin API entry: X-Shopify-Access-Token auth and the GraphQL endpoint.

POST /shopify/<shop>/admin/api/<version>/graphql.json
An unknown, expired or revoked token, or one for another shop, gets Shopify's 401 body.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NoReturn

from flask import Blueprint, abort, jsonify, request
from flask.typing import ResponseReturnValue

from sandbox.shopify import graphql, tokens
from sandbox.shopify.graphql.nodes import Ctx
from sandbox.shopify.state import AccessToken, Shop

if TYPE_CHECKING:
    from sandbox.shopify import ShopifyEmulator

VERSION = re.compile(r"^(\d{4}-(01|04|07|10)|unstable)$")


GRAPHQL_PATH = r"^/shopify/[^/]+/admin/api/[^/]+/graphql\.json$"


def graphql_error_body(status: int) -> dict[str, object]:
    """An injected fault as Admin GraphQL shapes errors: a list with an extensions.code
    (https://shopify.dev/docs/api/admin-graphql, "Status and error codes")."""
    if status == 429:
        return {"errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}]}
    request_id = "sandbox-injected-fault"
    return {
        "errors": [
            {
                "message": "Internal error. Looks like something went wrong on our end. "
                f"Request ID: {request_id}",
                "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
            }
        ]
    }


def fail(status: int, body: object) -> NoReturn:
    """Stop the request with a JSON answer (Flask's abort ignores the status of a Response)."""
    response = jsonify(body)
    response.status_code = status
    abort(response)


def authenticate(emulator: ShopifyEmulator, shop: str, version: str) -> tuple[Shop, AccessToken]:
    """The shop and token of this Admin API call, or an aborted 401/404 response."""
    if not VERSION.match(version):
        fail(404, {"errors": "Not Found"})
    record = emulator.state.shop(shop)
    if record is None:
        fail(404, {"errors": "Not Found"})
    try:
        token = tokens.authenticate(
            emulator.state,
            record.domain,
            request.headers.get("X-Shopify-Access-Token"),
            emulator.clock.now(),
        )
    except tokens.Unauthorized:
        fail(401, tokens.Unauthorized.BODY)
    return record, token


def blueprint(emulator: ShopifyEmulator) -> Blueprint:
    bp = Blueprint("shopify_admin_graphql", __name__)

    @bp.post("/shopify/<shop>/admin/api/<version>/graphql.json")
    def graphql_endpoint(shop: str, version: str) -> ResponseReturnValue:
        record, token = authenticate(emulator, shop, version)
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return jsonify(errors={"query": "Required parameter missing or invalid"}), 400
        with emulator.state.lock:
            answer = graphql.run(Ctx(emulator, record, token, emulator.clock.now()), body)
        response = jsonify(answer)
        response.headers["X-Shopify-API-Version"] = version
        return response

    return bp
