"""The /stripe/v1 HTTP layer: authentication, idempotency and errors around each endpoint.

Endpoints are plain functions of a `Call` returning the object to answer; `endpoint`
wraps them so every one authenticates the key, parses Stripe's form encoding,
applies the idempotency layer to POSTs, runs under the state lock, expands
`expand[]` paths and answers Stripe's JSON (200 for creates too) with a
`Request-Id` header.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flask import Blueprint, Response, current_app, request

from sandbox.stripe import expand, forms
from sandbox.stripe.errors import StripeError
from sandbox.stripe.idempotency import fingerprint
from sandbox.stripe.keys import authenticate
from sandbox.stripe.state import Account, IdempotencyRecord, new_id

if TYPE_CHECKING:
    from sandbox.stripe.emulator import StripeEmulator

blueprint = Blueprint("stripe_api", __name__, url_prefix="/stripe/v1")
logger = logging.getLogger(__name__)


@dataclass
class Call:
    """One API request, as an endpoint sees it."""

    emulator: StripeEmulator
    account: Account
    params: forms.Params
    path: dict[str, str]

    def now(self) -> int:
        return int(self.emulator.clock.now())


Handler = Callable[[Call], dict[str, Any]]


def current_emulator() -> StripeEmulator:
    return current_app.extensions["stripe"]


def endpoint(*, publishable: bool = False, issuer: bool = False):
    """Make `handler` a Stripe endpoint; `publishable` lets pk_ keys call it (Stripe.js),
    `issuer` marks calls that reach the card issuer (slowed by the account's issuer delay).
    """

    def decorate(handler: Handler):
        @functools.wraps(handler)
        def view(**path: str) -> Response:
            emulator = current_emulator()
            request_id = new_id("req", 14)
            try:
                account = authenticate(
                    emulator.state,
                    request.headers.get("Authorization"),
                    allow_publishable=publishable,
                )
                source = request.form if request.method == "POST" else request.args
                params = forms.parse(source.items(multi=True))
            except StripeError as error:
                return _answer(error.status, _dump(error.to_json()), request_id)
            key = request.headers.get("Idempotency-Key") if request.method == "POST" else None
            if key is None:
                status, body, _ = _run(handler, Call(emulator, account, params, path), issuer)
                return _answer(status, body, request_id)
            return _idempotent(
                handler, Call(emulator, account, params, path), key, request_id, issuer
            )

        # Flask endpoint names must be unique across the resource modules.
        view.__name__ = f"{handler.__module__.rsplit('.', 1)[-1]}_{handler.__name__}"
        return view

    return decorate


def _idempotent(handler: Handler, call: Call, key: str, request_id: str, issuer: bool):
    layer, now = call.emulator.idempotency, call.emulator.clock.now()
    print_ = fingerprint(request.method, request.path, call.params)
    try:
        saved = layer.begin(call.account, key, print_, now)
    except StripeError as error:
        return _answer(error.status, _dump(error.to_json()), request_id, key=key)
    if saved is not None:
        return _answer(saved.status, saved.body, request_id, key=key, original=saved.request_id)
    record = None
    try:
        status, body, keep = _run(handler, call, issuer)
        if keep:
            record = IdempotencyRecord(key, print_, now, request_id, status, body)
    finally:
        layer.finish(call.account, key, record)
    return _answer(status, body, request_id, key=key)


def _run(handler: Handler, call: Call, issuer: bool) -> tuple[int, bytes, bool]:
    """Run the endpoint; (status, body, whether the idempotency layer may save it)."""
    try:
        paths = forms.expand_paths(call.params)
        if issuer:
            call.emulator.clock.sleep(call.emulator.issuer_delay)
        with call.emulator.state.lock:
            result = handler(call)
            try:
                result = expand.expand(call.account, result, paths)
            except StripeError as error:
                error.saved = True  # the endpoint already did its work
                raise
        return 200, _dump(result), True
    except StripeError as error:
        return error.status, _dump(error.to_json()), error.saved
    except Exception:
        # A bug in the emulator: answer like Stripe's rare 500 (replayed, as Stripe does).
        logger.exception("stripe emulator failed on %s %s", request.method, request.path)
        error = StripeError(500, "An unknown error occurred", type="api_error")
        return 500, _dump(error.to_json()), True


def _dump(data: dict[str, Any]) -> bytes:
    return json.dumps(data, indent=2).encode()


def _answer(
    status: int,
    body: bytes,
    request_id: str,
    *,
    key: str | None = None,
    original: str | None = None,
) -> Response:
    response = Response(body, status=status, mimetype="application/json")
    response.headers["Request-Id"] = request_id
    if key is not None:
        response.headers["Idempotency-Key"] = key
    if original is not None:
        response.headers["Idempotent-Replayed"] = "true"
        response.headers["Original-Request"] = original
    return response


@blueprint.route("/<path:unknown>", methods=["GET", "POST", "DELETE"])
def unrecognized(unknown: str) -> Response:
    """Stripe's answer to a path it has no endpoint for."""
    message = f"Unrecognized request URL ({request.method}: /v1/{unknown})."
    return _answer(404, _dump(StripeError(404, message).to_json()), new_id("req", 14))
