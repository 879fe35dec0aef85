"""Recording an install or an uninstall, the same way for both platforms.

The callback views verify and exchange; this module writes the shop, its tokens
(encrypted), its owner, the audit entry and the outbox row for the follow-up
work (webhook and script registration) in one transaction.
"""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from auth.models import Role, StaffMember
from core import audit, outbox
from core.db import utcnow
from core.models import Platform, Shop, ShopMode
from core.services import services
from platforms.base import PlatformUser, TokenGrant


def find_shop(session: Session, platform: Platform, domain: str) -> Shop | None:
    return session.scalar(select(Shop).where(Shop.platform == platform, Shop.domain == domain))


def record_install(
    session: Session,
    *,
    platform: Platform,
    domain: str,
    grant: TokenGrant,
    mode: ShopMode,
    owner: PlatformUser | None = None,
) -> Shop:
    """Create or re-activate the shop with its new tokens; defers `complete_install`."""
    from auth.install_jobs import complete_install

    cipher = services().cipher
    shop = find_shop(session, platform, domain) or Shop(platform=platform, domain=domain)
    reinstall = shop.id is not None
    shop.set_tokens(
        cipher,
        access_token=grant.access_token,
        access_expires_at=grant.expires_at,
        refresh_token=grant.refresh_token,
        refresh_expires_at=grant.refresh_expires_at,
    )
    shop.scopes, shop.mode = grant.scopes, mode
    shop.installed_at, shop.uninstalled_at = utcnow(), None
    if shop.webhook_secret_encrypted is None:
        shop.webhook_secret_encrypted = cipher.encrypt(secrets.token_urlsafe(32))
    session.add(shop)
    session.flush()
    if owner is not None:
        upsert_staff(session, shop, owner, Role.OWNER)
    audit.record(
        session,
        shop_id=shop.id,
        actor=f"{platform.value}:install",
        action="app.reinstalled" if reinstall else "app.installed",
        details={"scopes": grant.scopes, "mode": mode.value},
    )
    outbox.defer(
        session,
        complete_install,
        shop.id,
        shop_id=shop.id,
        dedupe_key=f"complete-install:{shop.id}:{shop.installed_at.isoformat()}",
    )
    return shop


def record_uninstall(session: Session, shop: Shop, *, actor: str) -> None:
    """Stop serving the shop at once and forget its tokens; its orders and ledger stay."""
    if shop.uninstalled_at is not None:
        return
    shop.uninstalled_at = utcnow()
    shop.access_token_encrypted = shop.refresh_token_encrypted = None
    shop.access_token_expires_at = shop.refresh_token_expires_at = None
    audit.record(session, shop_id=shop.id, actor=actor, action="app.uninstalled")


def upsert_staff(
    session: Session, shop: Shop, user: PlatformUser, role: Role | None
) -> StaffMember:
    """The shop's record of a platform user.

    `role` None keeps an existing member's role; a new member is then the owner only
    if the platform says they own the account, else staff.
    """
    member = session.scalar(
        select(StaffMember).where(
            StaffMember.shop_id == shop.id, StaffMember.platform_user_id == user.id
        )
    )
    if member is None:
        default = Role.OWNER if user.account_owner else Role.STAFF
        member = StaffMember(shop_id=shop.id, platform_user_id=user.id, role=role or default)
        session.add(member)
    elif role is not None:
        member.role = role
    member.email = user.email or member.email
    member.removed_at = None
    member.last_seen_at = utcnow()
    session.flush()
    return member
