"""Shopify's Admin GraphQL API for one shop, through the shopifyapi package.

shopifyapi keeps the site and headers of "the" session in ShopifyResource: per
thread, but every setter also writes a class-level fallback that a fresh thread
inherits (LIBRARIES.md, section 1). So a shop's session is only ever active inside
`activated(...)`, which sets everything for this thread and always clears it, and
nothing outside this module touches ShopifyResource.

The library's GraphQL.execute opens the URL with no timeout, prints error bodies
to stdout and leaks the socket when a response is lost (urllib closes nothing when
getresponse() fails); `_GraphQL` keeps its endpoint and headers (taken from the
active session) and sends the request with `requests` and the session's timeout,
turning failures into Cartpath's error types. Rate limits follow
https://shopify.dev/docs/api/admin-graphql#rate-limits: a THROTTLED error comes
with extensions.cost.throttleStatus, from which the wait is computed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
import shopify

from platforms.errors import FinalError, PlatformError, RetriableError

TIMEOUT_SECONDS = 10


class UnauthorizedError(FinalError):
    """401: the access token is expired or revoked (refresh it, or the shop uninstalled)."""


class GraphQLError(PlatformError):
    """The query itself failed (top-level `errors` other than THROTTLED)."""

    def __init__(self, message: str, errors: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.errors = errors


@contextmanager
def activated(
    *, shop_base: str, api_version: str, access_token: str, timeout: float = TIMEOUT_SECONDS
) -> Iterator[None]:
    """Make one shop's session this thread's, and always clear it afterwards."""
    resource = shopify.ShopifyResource
    try:
        resource.set_site(f"{shop_base}/admin/api/{api_version}")
        resource.set_version(api_version)
        resource.set_timeout(timeout)
        resource.get_headers()["X-Shopify-Access-Token"] = access_token
        yield
    finally:
        resource.clear_session()
        resource.set_timeout(None)


class _GraphQL(shopify.GraphQL):
    def execute(
        self, query: str, variables: dict[str, Any] | None = None, operation_name: str | None = None
    ) -> dict[str, Any]:
        body = {"query": query, "variables": variables or {}, "operationName": operation_name}
        headers = {"Accept": "application/json", **self.headers}
        timeout = shopify.ShopifyResource.get_timeout() or TIMEOUT_SECONDS
        try:
            response = requests.post(self.endpoint, json=body, headers=headers, timeout=timeout)
        except requests.RequestException as error:
            raise RetriableError(f"Shopify unreachable: {type(error).__name__}") from None
        if response.status_code != 200:
            raise _http_error(response)
        try:
            payload = response.json()
        except ValueError:
            raise RetriableError("Shopify answered something that is not JSON") from None
        return _check(payload)


def graphql(query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run a query in the active session; returns `data`.

    :raises RetriableError: throttled, 429, 5xx or network (with retry_after when known).
    :raises UnauthorizedError: 401. :raises GraphQLError: the query was refused.
    """
    return _GraphQL().execute(query, variables)["data"]


def _http_error(response: requests.Response) -> PlatformError:
    status = response.status_code
    if status == 401:
        return UnauthorizedError("Shopify refused the access token (401)", status=401)
    if status == 429 or status >= 500:
        retry_after = response.headers.get("Retry-After")
        return RetriableError(
            f"Shopify answered {status}",
            retry_after=float(retry_after) if retry_after else None,
            status=status,
        )
    return FinalError(f"Shopify answered {status}", status=status)


def _check(payload: dict[str, Any]) -> dict[str, Any]:
    errors = payload.get("errors")
    if not errors:
        return payload
    if isinstance(errors, list) and any(
        (e.get("extensions") or {}).get("code") == "THROTTLED" for e in errors
    ):
        raise RetriableError("Shopify throttled the query", retry_after=_throttle_wait(payload))
    messages = errors if isinstance(errors, list) else [{"message": str(errors)}]
    raise GraphQLError("; ".join(str(e.get("message")) for e in messages), messages)


def _throttle_wait(payload: dict[str, Any]) -> float | None:
    """Seconds until the bucket holds the requested cost again, and no longer: the bucket
    restores continuously, so rounding up to whole seconds would leave points unused."""
    cost = (payload.get("extensions") or {}).get("cost") or {}
    status = cost.get("throttleStatus") or {}
    try:
        missing = float(cost["requestedQueryCost"]) - float(status["currentlyAvailable"])
        return max(missing, 1.0) / float(status["restoreRate"])
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
