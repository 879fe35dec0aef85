"""GET /shopify/install and GET /shopify/callback: Shopify's authorization-code grant.

https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/authorization-code-grant
Order matters: the shop name and the HMAC are checked before anything is read or
written; the state nonce is checked and spent before the code is exchanged.
"""

from __future__ import annotations

import time

from flask import make_response, redirect, request

from auth import oauth_state
from auth.blueprint import blueprint
from auth.installs import record_install
from core.config import shopify_install_scopes
from core.models import Platform, ShopMode
from core.services import services
from core.web import db_session
from platforms.shopify import oauth
from platforms.shopify.verify import validate_shop_domain, verify_query

CALLBACK_PATH = "/shopify/callback"


def _query() -> dict[str, str | list[str]]:
    """The query as Shopify signed it: `name[]` keys keep all their values."""
    return {
        key: (request.args.getlist(key) if key.endswith("[]") else request.args[key])
        for key in request.args
    }


def _shop_mode() -> ShopMode:
    """Public App Store installs must keep Shopify's checkout (App Store requirement 1.1.2)."""
    return (
        ShopMode.HOSTED if services().config.shopify_distribution == "custom" else (ShopMode.NATIVE)
    )


@blueprint.get("/shopify/install")
def shopify_install():
    config = services().config
    shop = validate_shop_domain(request.args.get("shop"))
    verify_query(_query(), secret=config.shopify_api_secret, now=time.time())
    response = make_response()
    nonce = oauth_state.issue(
        response,
        secret_key=config.secret_key,
        shop=shop,
        callback_path=CALLBACK_PATH,
        secure=config.base_url.startswith("https://"),
    )
    response.headers["Location"] = oauth.authorize_url(
        shop_base=config.shopify_base_for(shop),
        client_id=config.shopify_api_key,
        scopes=shopify_install_scopes(config.shopify_scopes, config.shopify_distribution),
        redirect_uri=config.base_url + CALLBACK_PATH,
        state=nonce,
    )
    response.status_code = 302
    return response


@blueprint.get(CALLBACK_PATH)
def shopify_callback():
    config = services().config
    shop_domain = validate_shop_domain(request.args.get("shop"))
    verify_query(_query(), secret=config.shopify_api_secret, now=time.time())
    handle = shop_domain.removesuffix(".myshopify.com")
    response = redirect(f"{config.shopify_admin_base}/store/{handle}/apps/{config.shopify_api_key}")
    oauth_state.consume(
        request,
        response,
        secret_key=config.secret_key,
        shop=shop_domain,
        callback_path=CALLBACK_PATH,
    )
    grant = oauth.exchange_code(
        shop_base=config.shopify_base_for(shop_domain),
        client_id=config.shopify_api_key,
        client_secret=config.shopify_api_secret,
        code=request.args.get("code", ""),
    )
    session = db_session()
    record_install(
        session, platform=Platform.SHOPIFY, domain=shop_domain, grant=grant, mode=_shop_mode()
    )
    session.commit()
    return response
