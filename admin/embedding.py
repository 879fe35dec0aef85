"""Headers that let only the shop's own admin frame the panel.

Shopify requires `frame-ancestors https://{shop} https://admin.shopify.com` on every
embedded page (https://shopify.dev/docs/apps/build/security/app-server/set-up-iframe-protection);
BigCommerce's control panel lives at store-{hash}.mybigcommerce.com. The configured
admin bases add the sandbox's origin in the demo and tests.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response

from auth.identity import AdminIdentity
from core.models import Platform
from core.services import services


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def frame_ancestors(identity: AdminIdentity) -> str:
    config = services().config
    if identity.platform is Platform.SHOPIFY:
        sources = [f"https://{identity.shop_domain}", _origin(config.shopify_admin_base)]
    else:
        sources = [
            f"https://store-{identity.shop_domain}.mybigcommerce.com",
            _origin(config.bigcommerce_login_base),
            _origin(config.bigcommerce_api_base),
        ]
    # 'self': the designer frames the checkout preview inside the admin page itself.
    return "frame-ancestors " + " ".join([*dict.fromkeys(sources), "'self'"])


def embedded(response: Response, identity: AdminIdentity) -> Response:
    response.headers["Content-Security-Policy"] = frame_ancestors(identity)
    # Admin URLs carry a session token: never send them to another site as a Referer. Not
    # "no-referrer": with it browsers send `Origin: null` on the admin's own form POSTs, and
    # the CSRF check (auth/identity.py) refuses every change made from the page
    # (https://fetch.spec.whatwg.org/#serializing-a-request-origin).
    response.headers["Referrer-Policy"] = "same-origin"
    return response
