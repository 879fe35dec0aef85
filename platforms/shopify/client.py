"""Calling Shopify as an installed shop: a live offline token, refreshed safely.

Expiring offline tokens last about an hour and their refresh token rotates on every
use (https://shopify.dev/docs/apps/build/authentication-authorization/access-tokens/offline-access-tokens).
Two workers refreshing at once could each spend the refresh token and one of them
would store a token Shopify has already replaced. So a refresh happens with the
shop's row locked (SELECT ... FOR UPDATE on PostgreSQL; SQLite transactions begin
IMMEDIATE and so serialize), and whoever gets the lock second finds the new token
and uses it. If we crash after Shopify answered but before we committed, the old
refresh token still works until the new one is first used (Shopify's 2026-08-28
change), so no token is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from sqlalchemy import select

from core.db import utcnow
from core.models import Platform, Shop
from core.services import services
from platforms.errors import FinalError
from platforms.shopify import oauth
from platforms.shopify.admin import UnauthorizedError, activated

T = TypeVar("T")
REFRESH_MARGIN = timedelta(minutes=5)


class ShopNotInstalledError(FinalError):
    """The shop uninstalled Cartpath (or never installed it): nothing to call with."""


def call(shop_id: int, work: Callable[[], T]) -> T:
    """Run `work` with the shop's Shopify session active; refresh and retry once on 401."""
    shop_base, token = live_credentials(shop_id)
    version = services().config.shopify_api_version
    try:
        with activated(shop_base=shop_base, api_version=version, access_token=token):
            return work()
    except UnauthorizedError:
        fresh = _refresh(shop_id, stale=token)
        with activated(shop_base=shop_base, api_version=version, access_token=fresh):
            return work()


def live_credentials(shop_id: int) -> tuple[str, str]:
    """The shop's API base and offline token, refreshed first if it expires within 5 minutes."""
    svc = services()
    with svc.database.session() as session:
        shop = _installed(session.get(Shop, shop_id), shop_id)
        shop_base = svc.config.shopify_base_for(shop.domain)
        expires_at = shop.access_token_expires_at
        token = shop.access_token(svc.cipher)
    if token and (expires_at is None or expires_at - REFRESH_MARGIN > utcnow()):
        return shop_base, token
    return shop_base, _refresh(shop_id, stale=token)


def _refresh(shop_id: int, *, stale: str | None) -> str:
    """Refresh under the shop's row lock, unless someone replaced `stale` meanwhile."""
    svc = services()
    config = svc.config
    with svc.database.session() as session:
        shop = _installed(
            session.scalar(select(Shop).where(Shop.id == shop_id).with_for_update()), shop_id
        )
        current = shop.access_token(svc.cipher)
        if current and current != stale:
            return current
        refresh_token = shop.refresh_token(svc.cipher)
        if not refresh_token:
            raise UnauthorizedError(f"shop {shop.domain} has no refresh token; reinstall needed")
        grant = oauth.refresh(
            shop_base=config.shopify_base_for(shop.domain),
            client_id=config.shopify_api_key,
            client_secret=config.shopify_api_secret,
            refresh_token=refresh_token,
        )
        shop.set_tokens(
            svc.cipher,
            access_token=grant.access_token,
            access_expires_at=grant.expires_at,
            refresh_token=grant.refresh_token or refresh_token,
            refresh_expires_at=grant.refresh_expires_at or shop.refresh_token_expires_at,
        )
        session.commit()
        return grant.access_token


def _installed(shop: Shop | None, shop_id: int) -> Shop:
    if shop is None or shop.platform is not Platform.SHOPIFY or not shop.is_installed:
        raise ShopNotInstalledError(f"shop {shop_id} is not an installed Shopify shop")
    return shop
