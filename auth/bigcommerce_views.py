"""BigCommerce's app callbacks: /bigcommerce/auth, /load, /uninstall, /remove_user.

https://developer.bigcommerce.com/docs/integrations/apps/guide/auth and .../callbacks:
`auth` carries a one-time code to exchange before answering (with HTML for the
control panel's iframe); `load`, `uninstall` and `remove_user` carry a
signed_payload_jwt, verified before anything is read or written. Each runs twice
safely: BigCommerce retries a callback that did not answer in time.
"""

from __future__ import annotations

import time

from flask import redirect, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from auth.blueprint import blueprint
from auth.identity import AdminIdentity, admin_token_for
from auth.installs import find_shop, record_install, record_uninstall, upsert_staff
from auth.models import Role, StaffMember
from core import audit
from core.db import utcnow
from core.models import Platform, Shop, ShopMode
from core.services import services
from core.web import db_session
from platforms.base import PlatformUser, TokenGrant
from platforms.bigcommerce.api import fetch_token
from platforms.bigcommerce.verify import (
    SignedLoad,
    decode_signed_payload_jwt,
    store_hash_from_context,
)
from platforms.errors import FinalError, InvalidShopError, InvalidSignedPayloadError

AUTH_PATH = "/bigcommerce/auth"


def _signed_store() -> tuple[SignedLoad, Session, Shop | None]:
    """Verify the callback's signed_payload_jwt, then find the store it names."""
    load = _signed_load()
    session = db_session()
    return load, session, find_shop(session, Platform.BIGCOMMERCE, load.store_hash)


def _signed_load() -> SignedLoad:
    config = services().config
    return decode_signed_payload_jwt(
        request.args.get("signed_payload_jwt"),
        client_id=config.bigcommerce_client_id,
        secret=config.bigcommerce_client_secret,
        now=time.time(),
    )


def _user(data: dict | None) -> PlatformUser | None:
    if not isinstance(data, dict) or "id" not in data:
        return None
    return PlatformUser(str(data["id"]), str(data.get("email", "")))


def _open_admin(identity: AdminIdentity):
    return redirect(url_for("admin.home", admin_token=admin_token_for(identity)))


@blueprint.get(AUTH_PATH)
def bigcommerce_auth():
    config = services().config
    context = request.args.get("context", "")
    store_hash = store_hash_from_context(context)
    code, scope = request.args.get("code", ""), request.args.get("scope", "")
    if not code or not scope:
        raise InvalidShopError("the install callback is missing its code or scope")
    answer = fetch_token(
        login_base=config.bigcommerce_login_base,
        client_id=config.bigcommerce_client_id,
        client_secret=config.bigcommerce_client_secret,
        code=code,
        context=context,
        scope=scope,
        redirect_uri=config.base_url + AUTH_PATH,
    )
    if store_hash_from_context(answer.get("context")) != store_hash:
        raise FinalError("the token was granted for another store")
    owner, user = _user(answer.get("owner")), _user(answer.get("user"))
    if user is None:
        raise FinalError("the token answer names no user")
    grant = TokenGrant(
        access_token=str(answer["access_token"]),
        scopes=str(answer.get("scope", scope)),
        user=user,
        owner=owner,
    )
    session = db_session()
    shop = record_install(
        session,
        platform=Platform.BIGCOMMERCE,
        domain=store_hash,
        grant=grant,
        mode=ShopMode.HOSTED,
        owner=owner,
    )
    installer = upsert_staff(
        session, shop, user, Role.OWNER if owner is not None and owner.id == user.id else None
    )
    session.commit()
    return _open_admin(
        AdminIdentity(shop.id, shop.domain, shop.platform, installer.id, installer.role)
    )


@blueprint.get("/bigcommerce/load")
def bigcommerce_load():
    load, session, shop = _signed_store()
    if shop is None or not shop.is_installed:
        raise InvalidSignedPayloadError("Cartpath is not installed on this store")
    is_owner = load.user_id == load.owner_id
    member = upsert_staff(
        session, shop, PlatformUser(load.user_id, load.user_email), Role.OWNER if is_owner else None
    )
    session.commit()
    return _open_admin(AdminIdentity(shop.id, shop.domain, shop.platform, member.id, member.role))


@blueprint.get("/bigcommerce/uninstall")
def bigcommerce_uninstall():
    load, session, shop = _signed_store()
    if shop is not None:
        record_uninstall(session, shop, actor=f"bigcommerce:user:{load.user_id}")
        session.commit()
    return "", 204


@blueprint.get("/bigcommerce/remove_user")
def bigcommerce_remove_user():
    load, session, shop = _signed_store()
    if shop is not None:
        member = session.scalar(
            select(StaffMember).where(
                StaffMember.shop_id == shop.id, StaffMember.platform_user_id == load.user_id
            )
        )
        if member is not None and member.removed_at is None:
            member.removed_at = utcnow()
            audit.record(
                session,
                shop_id=shop.id,
                actor="bigcommerce:remove_user",
                action="staff.removed",
                target=f"staff:{member.id}",
            )
            session.commit()
    return "", 204
