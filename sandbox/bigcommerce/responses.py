"""JSON answers in BigCommerce's shapes, money exact, errors as the platform words them.

v2 sends amounts as 4-place strings ("12.9900"); v3 sends JSON numbers. Both come
from Decimals here: v3 numbers are written as decimal literals, never via float.
Error shapes (https://developer.bigcommerce.com/docs/start/about/status-codes):
v3 `{"status", "title", "type", "errors"}`, v2 `[{"status", "message"}]`.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from flask import Response

ERROR_TYPE = "https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes"
_DECIMAL_MARK = "\u0000dec:"
_DECIMAL_LITERAL = re.compile(r'"\\u0000dec:(-?[0-9.]+)"')


class ApiError(Exception):
    """An answer the platform gives instead of doing the work (4xx)."""

    def __init__(self, status: int, title: str, errors: dict[str, str] | None = None) -> None:
        super().__init__(title)
        self.status = status
        self.title = title
        self.errors = errors or {}


def v2_money(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.0001'))}"


def _encode(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{_DECIMAL_MARK}{value.normalize():f}"
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(payload: Any) -> str:
    """JSON with Decimals as exact number literals."""
    return _DECIMAL_LITERAL.sub(r"\1", json.dumps(payload, default=_encode))


def json_response(payload: Any, status: int = 200) -> Response:
    return Response(dumps(payload), status=status, mimetype="application/json")


def v3_data(data: Any, status: int = 200, meta: dict[str, Any] | None = None) -> Response:
    return json_response({"data": data, "meta": meta or {}}, status)


def v3_error(error: ApiError) -> Response:
    body = {"status": error.status, "title": error.title, "type": ERROR_TYPE}
    body["errors"] = error.errors
    return json_response(body, error.status)


def v2_error(error: ApiError) -> Response:
    message = "; ".join([error.title, *error.errors.values()]) if error.errors else error.title
    return json_response([{"status": error.status, "message": message}], error.status)


def not_found(what: str) -> ApiError:
    return ApiError(404, f"The requested {what} was not found.")


def unprocessable(errors: dict[str, str]) -> ApiError:
    return ApiError(422, "JSON data is missing or invalid", errors)
