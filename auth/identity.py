"""Who is calling the admin, for which shop, with which role: the one tenancy helper.

Every admin route resolves the shop from a verified credential, never from the
request body: a Shopify App Bridge session token (sent as `Authorization: Bearer`,
or `id_token` on a document load) or, on BigCommerce, a Cartpath admin token minted
when the control panel loaded the app through its signed callback. Both live only
in the request, so the admin works without third-party cookies.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import g, jsonify, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import select

from auth.installs import find_shop, record_install, upsert_staff
from auth.models import Role, StaffMember
from core import audit
from core.models import Platform, Shop, ShopMode
from core.services import services
from core.web import db_session
from platforms.base import PlatformUser, TokenGrant
from platforms.errors import InvalidSessionTokenError, SignatureError
from platforms.shopify import oauth
from platforms.shopify.verify import decode_session_token

ADMIN_TOKEN_SECONDS = 3600
# Tells our admin tokens from Shopify's session tokens (JWTs); a marker, not a secret.
ADMIN_TOKEN_PREFIX = "cpa_"  # noqa: S105
# App Bridge retries a request once with a fresh session token when it sees this header
# (shopify-app-js shopify-app-react-router authenticate/const.ts).
RETRY_HEADER = "X-Shopify-Retry-Invalid-Session-Request"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class AdminIdentity:
    shop_id: int
    shop_domain: str
    platform: Platform
    staff_id: int
    role: Role

    @property
    def actor(self) -> str:
        return f"staff:{self.staff_id}"


def current_identity() -> AdminIdentity:
    return g.admin_identity


def admin_token_for(identity: AdminIdentity) -> str:
    return ADMIN_TOKEN_PREFIX + _serializer().dumps(
        {"shop": identity.shop_id, "staff": identity.staff_id}
    )


def require_admin(*roles: Role) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Resolve the caller before the view runs; refuse roles not in `roles` (default: all)."""
    allowed = set(roles or Role)

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if request.method not in SAFE_METHODS and not _same_origin():
                return _cross_site()
            try:
                identity = _resolve()
            except SignatureError as error:
                return _unauthorized(str(error))
            if identity.role not in allowed:
                return _forbidden(identity)
            g.admin_identity = identity
            return view(*args, **kwargs)

        return wrapper

    return decorate


def _credential() -> str:
    """The caller's token. A change (POST) must carry it in a header or its form body: a
    form or script on another site cannot read it there, so it is also the CSRF token, and
    a URL (history, logs) can never authorise a change."""
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header.removeprefix("Bearer ").strip()
    source = request.args if request.method in SAFE_METHODS else request.form
    return source.get("id_token") or source.get("admin_token") or ""


def _same_origin() -> bool:
    """Browsers name the page a POST comes from (Origin); ours, or none (API clients), passes.

    https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html
    """
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    own = {request.host_url.rstrip("/"), services().config.base_url.rstrip("/")}
    return origin in own


def _resolve() -> AdminIdentity:
    credential = _credential()
    if not credential:
        raise InvalidSessionTokenError("no session token")
    if credential.startswith(ADMIN_TOKEN_PREFIX):
        return _from_admin_token(credential.removeprefix(ADMIN_TOKEN_PREFIX))
    return _from_shopify_session_token(credential)


def _from_shopify_session_token(token: str) -> AdminIdentity:
    config = services().config
    claims = decode_session_token(
        token, api_key=config.shopify_api_key, secret=config.shopify_api_secret, now=time.time()
    )
    session = db_session()
    shop = find_shop(session, Platform.SHOPIFY, claims.shop)
    if shop is None or not shop.is_installed:
        # Shopify-managed install: the first admin load brings no OAuth callback, so
        # the offline token comes from exchanging this session token.
        shop = _install_by_token_exchange(session, claims.shop, token)
    member = session.scalar(
        select(StaffMember).where(
            StaffMember.shop_id == shop.id, StaffMember.platform_user_id == claims.user_id
        )
    )
    if member is None or member.removed_at is not None:
        member = upsert_staff(
            session, shop, _shopify_user(claims.shop, token, claims.user_id), None
        )
        session.commit()
    return _identity(shop, member)


def _install_by_token_exchange(session, shop_domain: str, token: str) -> Shop:
    config = services().config
    grant = _exchange(shop_domain, token, online=False)
    mode = ShopMode.HOSTED if config.shopify_distribution == "custom" else ShopMode.NATIVE
    shop = record_install(
        session, platform=Platform.SHOPIFY, domain=shop_domain, grant=grant, mode=mode
    )
    session.commit()
    return shop


def _shopify_user(shop_domain: str, token: str, user_id: str) -> PlatformUser:
    """Who this staff member is, from an online token exchange (email, account owner)."""
    grant = _exchange(shop_domain, token, online=True)
    user = grant.user or PlatformUser(user_id)
    return PlatformUser(user_id, user.email, account_owner=user.account_owner)


def _exchange(shop_domain: str, token: str, *, online: bool) -> TokenGrant:
    """Trade the session token for the shop's offline token, or the user's online one."""
    config = services().config
    return oauth.exchange_session_token(
        shop_base=config.shopify_base_for(shop_domain),
        client_id=config.shopify_api_key,
        client_secret=config.shopify_api_secret,
        session_token=token,
        online=online,
    )


def _from_admin_token(token: str) -> AdminIdentity:
    try:
        data = _serializer().loads(token, max_age=ADMIN_TOKEN_SECONDS)
    except BadSignature:
        raise InvalidSessionTokenError("the admin session has expired") from None
    session = db_session()
    shop = session.get(Shop, data.get("shop"))
    member = session.get(StaffMember, data.get("staff"))
    if (
        shop is None
        or not shop.is_installed
        or member is None
        or member.shop_id != shop.id
        or (member.removed_at is not None)
    ):
        raise InvalidSessionTokenError("the admin session is no longer valid")
    return _identity(shop, member)


def _identity(shop: Shop, member: StaffMember) -> AdminIdentity:
    return AdminIdentity(
        shop_id=shop.id,
        shop_domain=shop.domain,
        platform=shop.platform,
        staff_id=member.id,
        role=member.role,
    )


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(services().config.secret_key, salt="cartpath.admin")


def _unauthorized(reason: str):
    response = jsonify(
        error="Unauthorized",
        message=f"Your admin session is not valid ({reason}). "
        "Reload the app from your store's admin.",
    )
    response.status_code = 401
    response.headers[RETRY_HEADER] = "1"
    return response


def _cross_site():
    response = jsonify(
        error="Forbidden",
        message="This change was sent from another site, so Cartpath refused it. "
        "Make it from Cartpath's own page in your store's admin.",
    )
    response.status_code = 403
    return response


def _forbidden(identity: AdminIdentity):
    session = db_session()
    audit.record(
        session,
        shop_id=identity.shop_id,
        actor=identity.actor,
        action="access.denied",
        target=request.path,
        details={"role": identity.role.value},
    )
    session.commit()
    response = jsonify(
        error="Forbidden",
        message=f"Your role ({identity.role.value}) may not do this. Ask the "
        "store owner for access.",
    )
    response.status_code = 403
    return response
