"""The embedded admin over HTTP, as one staff member of one shop uses it.

Requests carry a Cartpath admin token, the credential the admin's own links and forms
carry (auth/identity.py), minted for an existing staff member; `staff_member` makes one
with a given role, as the platforms' install and load callbacks would.
"""

from __future__ import annotations

from dataclasses import dataclass

import requests
from sqlalchemy import select

from auth.identity import AdminIdentity, admin_token_for
from auth.models import Role, StaffMember
from core.models import Platform, Shop
from core.services import services_of
from tests.support.cartpath import SHOP, LiveCartpath


def staff_member(
    live: LiveCartpath, *, shop: str = SHOP, user_id: str = "1", role: Role = Role.OWNER
) -> AdminIdentity:
    """The staff member `user_id` of an installed shop, with `role` (created if new)."""
    with services_of(live.app).database.session() as session:
        record = session.scalars(select(Shop).where(Shop.domain == shop)).one()
        member = session.scalar(
            select(StaffMember).where(
                StaffMember.shop_id == record.id, StaffMember.platform_user_id == user_id
            )
        )
        if member is None:
            member = StaffMember(shop_id=record.id, platform_user_id=user_id, role=role)
            session.add(member)
        member.role = role
        session.commit()
        return AdminIdentity(
            shop_id=record.id,
            shop_domain=record.domain,
            platform=Platform(record.platform),
            staff_id=member.id,
            role=role,
        )


@dataclass
class AdminClient:
    """GET pages and POST forms as `identity`; redirects are not followed, so a test
    sees the Post/Redirect/Get answer itself."""

    live: LiveCartpath
    identity: AdminIdentity

    def token(self) -> str:
        with self.live.app.test_request_context():
            return admin_token_for(self.identity)

    def get(self, path: str, **params: object) -> requests.Response:
        return requests.get(
            self.live.url + path, params={"admin_token": self.token(), **params}, timeout=15
        )

    def post(self, path: str, data: dict | None = None, **headers: str) -> requests.Response:
        return requests.post(
            self.live.url + path,
            data={"admin_token": self.token(), **(data or {})},
            headers=headers,
            allow_redirects=False,
            timeout=15,
        )


def admin_client(live: LiveCartpath, **member: object) -> AdminClient:
    """An AdminClient for `staff_member(live, **member)`."""
    return AdminClient(live, staff_member(live, **member))
