"""Stripe's error object and the HTTP statuses it travels with.

Shape and statuses: https://docs.stripe.com/api/errors — `{"error": {type, code,
decline_code, message, param, payment_intent, ...}}`; 400 invalid request, 401 bad
key, 402 card error, 404 missing resource, 409 conflicting request (same
idempotency key in flight). Fields that do not apply are left out, as Stripe does.
"""

from __future__ import annotations

from typing import Any

DOC_URL = "https://stripe.com/docs/error-codes/{}"


class StripeError(Exception):
    """An API error answered to the client.

    `saved` says whether the idempotency layer stores it for replay: Stripe saves a
    result only once the endpoint's execution has begun, so authentication and
    parameter-validation failures are not saved (https://docs.stripe.com/idempotency).
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        code: str | None = None,
        param: str | None = None,
        saved: bool = True,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.saved = saved
        self.body: dict[str, Any] = {"type": type, "message": message}
        if code:
            self.body["code"] = code
            self.body["doc_url"] = DOC_URL.format(code.replace("_", "-"))
        if param:
            self.body["param"] = param
        self.body.update({key: value for key, value in extra.items() if value is not None})

    def to_json(self) -> dict[str, Any]:
        return {"error": self.body}


def invalid_param(message: str, param: str, code: str = "parameter_invalid") -> StripeError:
    """A request parameter is missing or malformed (not saved for idempotent replay)."""
    return StripeError(400, message, code=code, param=param, saved=False)


def missing_param(param: str) -> StripeError:
    return invalid_param(f"Missing required param: {param}.", param, "parameter_missing")


def resource_missing(kind: str, object_id: str, param: str = "id") -> StripeError:
    return StripeError(404, f"No such {kind}: '{object_id}'", code="resource_missing", param=param)


def unexpected_state(message: str, **extra: Any) -> StripeError:
    return StripeError(400, message, code="payment_intent_unexpected_state", **extra)


def card_error(message: str, code: str, **extra: Any) -> StripeError:
    """A 402: the request was valid but the card could not be used."""
    return StripeError(402, message, type="card_error", code=code, **extra)
