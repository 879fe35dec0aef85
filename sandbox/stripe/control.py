"""/_control/stripe/: register accounts, list everything, set issuer behaviour.

- GET  /_control/stripe/state                 every account with all its objects
- GET  /_control/stripe/accounts              the same, as a list
- POST /_control/stripe/accounts              {"secret_key", "publishable_key"} → 201
- POST /_control/stripe/behaviour             {"issuer_delay": seconds} (platform time)
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from sandbox.stripe.api import current_emulator

blueprint = Blueprint("stripe_control", __name__, url_prefix="/_control/stripe")


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    return body


@blueprint.errorhandler(ValueError)
def _bad_request(error: ValueError):
    return jsonify(error=str(error)), 400


@blueprint.get("/state")
def state():
    return jsonify(current_emulator().snapshot())


@blueprint.get("/accounts")
def accounts():
    return jsonify(accounts=current_emulator().snapshot()["accounts"])


@blueprint.post("/accounts")
def register_account():
    body = _body()
    secret, publishable = body.get("secret_key"), body.get("publishable_key")
    if not isinstance(secret, str) or not isinstance(publishable, str):
        raise ValueError("secret_key and publishable_key are required strings")
    account = current_emulator().state.register(secret, publishable)
    return jsonify(
        id=account.id, secret_key=account.secret_key, publishable_key=account.publishable_key
    ), 201


@blueprint.post("/behaviour")
def behaviour():
    delay = _body().get("issuer_delay")
    if not isinstance(delay, int | float) or not 0 <= delay <= 60:
        raise ValueError("issuer_delay is a number of platform seconds in [0, 60]")
    emulator = current_emulator()
    emulator.issuer_delay = float(delay)
    return jsonify(issuer_delay=emulator.issuer_delay)
