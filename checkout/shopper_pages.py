"""What the shopper pages that carry the card fields share (the checkout and the offer
pages): the gateway's fields, the Content-Security-Policy that lets in only them, and the
same-site check of a payment POST."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from flask import request

from core.services import services
from payments.gateway import BrowserFields
from payments.gateways import gateway_for


def card_fields() -> BrowserFields | None:
    """The configured gateway's card fields (None: no gateway configured)."""
    gateway = gateway_for(services().config)
    return gateway.browser_fields() if gateway else None


def card_fields_policy() -> str:
    """The page loads only its own files and the gateway's script and frame."""
    return _policy(card_fields())


@lru_cache(maxsize=8)
def _policy(fields: BrowserFields | None) -> str:
    scripts = " ".join(fields.script_origins) if fields else ""
    frames = " ".join(fields.frame_origins) if fields else ""
    connect = " ".join(fields.connect_origins) if fields else ""
    return (
        f"default-src 'self'; script-src 'self' {scripts}; frame-src 'self' {frames}; "
        f"connect-src 'self' {connect}; img-src 'self' https: data:; "
        "style-src 'self' 'unsafe-inline'; "
        # 3-D Secure: a payment POST is redirected to the gateway's page.
        f"form-action 'self' {frames}; frame-ancestors 'none'; base-uri 'none'"
    )


def posted_from_this_site() -> bool:
    """Origin (or Referer) of a payment POST, when the browser sent one, is this site."""
    sent = request.headers.get("Origin") or request.headers.get("Referer")
    if not sent or sent == "null":
        return True
    parts = urlsplit(sent)
    return f"{parts.scheme}://{parts.netloc}" == request.host_url.rstrip("/")
