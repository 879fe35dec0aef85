"""BigCommerce API connections through the `bigcommerce` package, one per store and call.

The package builds "https://" + host + path (LIBRARIES.md section 2), which cannot
name the sandbox's plain-HTTP base; each connection instead joins BIGCOMMERCE_API_BASE
and the path, the same way for production and the sandbox. It has no other global
state, so a connection per request or job is all the thread safety it needs.
"""

from __future__ import annotations

from typing import Any

from bigcommerce.connection import OAuthConnection
from bigcommerce.exception import ClientRequestException, RateLimitingException, ServerException
from requests import RequestException

from platforms.errors import FinalError, NotFoundError, RetriableError

TIMEOUT_SECONDS = 10


def connection(
    *, api_base: str, client_id: str, store_hash: str, access_token: str, version: str = "v3"
) -> OAuthConnection:
    conn = OAuthConnection(
        client_id, store_hash, access_token, host=api_base, api_path=f"/stores/{{}}/{version}/{{}}"
    )
    conn.timeout = TIMEOUT_SECONDS
    conn.full_path = lambda url: f"{api_base}/stores/{store_hash}/{version}/{url}"
    return conn


def fetch_token(
    *,
    login_base: str,
    client_id: str,
    client_secret: str,
    code: str,
    context: str,
    scope: str,
    redirect_uri: str,
) -> dict[str, Any]:
    """Exchange the install code at the login service (https://developer.bigcommerce.com/docs/integrations/apps/guide/auth)."""
    conn = OAuthConnection(client_id, "", host=login_base)
    conn.timeout = TIMEOUT_SECONDS
    return request(
        lambda: conn.fetch_token(
            client_secret,
            code,
            context,
            scope,
            redirect_uri,
            token_url=f"{login_base}/oauth2/token",
        )
    )


def request(call: Any) -> Any:
    """Run one client call, turning the package's exceptions into Cartpath's.

    :raises RetriableError: 429 (with the reset time), 5xx, network.
    :raises FinalError: any other refusal.
    """
    try:
        return call()
    except RateLimitingException as error:
        raise RetriableError(
            "BigCommerce rate limit reached", retry_after=_reset_seconds(error), status=429
        ) from None
    except ServerException as error:
        status = error.status_code
        raise RetriableError(f"BigCommerce answered {status}", status=status) from None
    except ClientRequestException as error:
        status = error.status_code
        if status == 404:
            raise NotFoundError(
                f"BigCommerce has no such resource: {_message(error)}", status=404
            ) from None
        raise FinalError(
            f"BigCommerce refused the request ({status}): {_message(error)}", status=status
        ) from None
    except RequestException as error:
        raise RetriableError(f"BigCommerce unreachable: {type(error).__name__}") from None


def _reset_seconds(error: RateLimitingException) -> float | None:
    """X-Rate-Limit-Time-Reset-Ms, as BigCommerce documents for a 429
    (https://developer.bigcommerce.com/docs/start/best-practices/api-rate-limits)."""
    try:
        return float(error.response.headers["X-Rate-Limit-Time-Reset-Ms"]) / 1000
    except (KeyError, TypeError, ValueError):
        return None


def _message(error: ClientRequestException) -> str:
    try:
        body = error.response.json()
    except (AttributeError, ValueError):
        return ""
    if isinstance(body, dict):
        return str(body.get("title") or body.get("errors") or "")
    if isinstance(body, list) and body and isinstance(body[0], dict):
        return str(body[0].get("message", ""))
    return ""
