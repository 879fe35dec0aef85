"""One tree of platform errors, so views and jobs can react by kind, not by platform.

Signature problems answer 401, malformed requests 400; retriable errors carry the
platform's Retry-After so jobs back off as the platform asks.
"""

from __future__ import annotations


class PlatformError(Exception):
    """Something a platform said or sent that Cartpath cannot accept; `status` is the
    platform's HTTP status when it answered with one (support reads it on the timeline)."""

    def __init__(self, message: str = "", *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class SignatureError(PlatformError):
    """A signature, HMAC or token did not verify: answer 401 and change nothing."""


class InvalidHmacError(SignatureError):
    """A query string or webhook HMAC does not match."""


class StaleRequestError(SignatureError):
    """A signed request is too old (or from the future) to be trusted."""


class InvalidSessionTokenError(SignatureError):
    """An embedded-admin session token is invalid, expired or for another app or shop."""


class InvalidPostPurchaseTokenError(SignatureError):
    """A post-purchase token from Shopify's checkout is invalid, expired or for another app."""


class InvalidSignedPayloadError(SignatureError):
    """A BigCommerce signed_payload(_jwt) did not verify."""


class InvalidShopError(PlatformError):
    """A shop domain or store hash that is not one (evil.com, a path, a wrong suffix)."""


class RetriableError(PlatformError):
    """A transient failure (429, 5xx, timeout): try again after `retry_after` seconds."""

    def __init__(
        self, message: str, *, retry_after: float | None = None, status: int | None = None
    ) -> None:
        super().__init__(message, status=status)
        self.retry_after = retry_after


class FinalError(PlatformError):
    """The platform refused for good (4xx other than 429): retrying cannot help."""


class NotFoundError(FinalError):
    """The platform has no such resource (404): deleted, or never there."""
