"""How platform errors reach people: 401 for signatures, 400 for bad names and grants.

Registered app-wide by the auth blueprint, so every view can simply let a
SignatureError escape; nothing is written before the check that raises it.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify, request

from core.web import app_error_page
from platforms.errors import FinalError, InvalidShopError, RetriableError, SignatureError

log = logging.getLogger(__name__)


def register(blueprint: Blueprint) -> None:
    blueprint.app_errorhandler(SignatureError)(_unauthorized)
    blueprint.app_errorhandler(InvalidShopError)(_bad_request)
    blueprint.app_errorhandler(FinalError)(_refused)
    blueprint.app_errorhandler(RetriableError)(_unavailable)


def _answer(status: int, title: str, message: str) -> Response:
    if (
        request.is_json
        or request.path.startswith("/webhooks/")
        or (request.accept_mimetypes.best == "application/json")
    ):
        response = jsonify(error=title, message=message)
        response.status_code = status
        return response
    return app_error_page(status, title, message)


def _unauthorized(error: SignatureError):
    log.warning("refused a request that failed verification: %s", error)
    return _answer(401, "Unauthorized", f"This request could not be verified: {error}.")


def _bad_request(error: InvalidShopError):
    return _answer(400, "Bad request", str(error))


def _refused(error: FinalError):
    log.warning("platform refused: %s", error)
    return _answer(
        400, "The platform refused", f"{error}. Please start again from your store's admin."
    )


def _unavailable(error: RetriableError):
    log.warning("platform unavailable: %s", error)
    response = _answer(
        503,
        "Try again shortly",
        "The platform did not answer in time. Please try again in a moment.",
    )
    if error.retry_after:
        response.headers["Retry-After"] = str(int(error.retry_after))
    return response
