"""The embedded admin's credentials: Shopify session tokens and Cartpath admin tokens,
roles, and tenancy (one shop's credential never reaches another shop's data)."""

from __future__ import annotations

import time
import uuid

import jwt
import pytest
import requests
from sqlalchemy import select

from auth.models import Role, StaffMember
from core.models import AuditLog, Platform, Shop, ShopMode
from core.services import services_of
from tests.support.cartpath import OTHER_SHOP, SHOP, SHOPIFY_KEY, SHOPIFY_SECRET, LiveCartpath


def _session(cartpath: LiveCartpath, token: str) -> requests.Response:
    return requests.get(
        f"{cartpath.url}/admin/api/session",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )


def _staff(cartpath: LiveCartpath, shop: str = SHOP) -> list[StaffMember]:
    with services_of(cartpath.app).database.session() as session:
        return list(session.scalars(select(StaffMember).join(Shop).where(Shop.domain == shop)))


def test_the_first_admin_load_installs_by_token_exchange(cartpath):
    # Shopify-managed install: no OAuth callback ever reached us; the session token does.
    answer = _session(cartpath, cartpath.session_token())

    assert answer.status_code == 200
    assert answer.json()["shop"] == SHOP
    with services_of(cartpath.app).database.session() as session:
        shop = session.scalar(select(Shop).where(Shop.domain == SHOP))
        assert shop.is_installed
        assert shop.mode is ShopMode.NATIVE
        assert shop.access_token(services_of(cartpath.app).cipher)
    cartpath.wait_for_jobs()
    assert len(cartpath.sandbox.state()["shopify"]["shops"][SHOP]["webhooks"]) == 8


def test_the_account_owner_is_owner_and_other_staff_are_staff(cartpath):
    owner = _session(cartpath, cartpath.session_token(user_id=1)).json()
    members = _staff(cartpath)
    assert owner["role"] == "owner"
    assert [m.role for m in members] == [Role.OWNER]
    assert members[0].email, "the online token exchange told us who they are"


def test_the_embedded_page_loads_with_its_id_token_and_frame_protection(cartpath):
    page = requests.get(
        f"{cartpath.url}/admin",
        params={"shop": SHOP, "id_token": cartpath.session_token()},
        timeout=10,
    )

    assert page.status_code == 200
    assert f"Cartpath for {SHOP}" in page.text
    csp = page.headers["Content-Security-Policy"]
    assert csp == f"frame-ancestors https://{SHOP} {cartpath.sandbox.url} 'self'"
    assert page.headers["Referrer-Policy"] == "same-origin"


def test_other_pages_may_not_be_framed(cartpath):
    page = requests.get(f"{cartpath.url}/nowhere", headers={"Accept": "text/html"}, timeout=10)
    assert page.headers["Content-Security-Policy"] == "frame-ancestors 'none'"


def _token(
    now: float,
    *,
    secret: str = SHOPIFY_SECRET,
    algorithm: str = "HS256",
    shop: str = SHOP,
    **claims,
) -> str:
    payload = {
        "iss": f"https://{shop}/admin",
        "dest": f"https://{shop}",
        "aud": SHOPIFY_KEY,
        "sub": "1",
        "exp": int(now) + 60,
        "nbf": int(now),
        "iat": int(now),
        "jti": str(uuid.uuid4()),
        "sid": "s",
        **claims,
    }
    return jwt.encode(
        {k: v for k, v in payload.items() if v is not None}, secret, algorithm=algorithm
    )


@pytest.mark.parametrize(
    "make",
    [
        lambda now: _token(now, exp=int(now) - 30),
        lambda now: _token(now, nbf=int(now) + 60),
        lambda now: _token(now, secret="another-secret-" + "x" * 32),
        lambda now: jwt.encode(
            {
                "iss": f"https://{SHOP}/admin",
                "dest": f"https://{SHOP}",
                "aud": SHOPIFY_KEY,
                "sub": "1",
                "exp": int(now) + 60,
                "nbf": int(now),
                "jti": "j",
                "sid": "s",
            },
            None,
            algorithm="none",
        ),
        lambda now: _token(now, aud="another-app"),
        lambda now: _token(now, exp=None),
        lambda now: "cpa_forged.admin.token",
        lambda now: "",
    ],
    ids=[
        "expired",
        "not-yet-valid",
        "other-secret",
        "alg-none",
        "other-app",
        "no-exp",
        "forged-admin-token",
        "missing",
    ],
)
def test_bad_session_tokens_get_401_and_the_retry_header(cartpath, make):
    answer = _session(cartpath, make(time.time()))

    assert answer.status_code == 401
    assert answer.headers["X-Shopify-Retry-Invalid-Session-Request"] == "1"
    with services_of(cartpath.app).database.session() as session:
        assert session.scalars(select(Shop)).all() == []


def test_a_shop_that_uninstalled_cannot_be_reached_with_an_old_admin_token(cartpath):
    _session(cartpath, cartpath.session_token())
    page = requests.get(
        f"{cartpath.url}/admin", params={"id_token": cartpath.session_token()}, timeout=10
    )
    assert page.status_code == 200
    with services_of(cartpath.app).database.session() as session:
        shop = session.scalar(select(Shop).where(Shop.domain == SHOP))
        shop.uninstalled_at = shop.installed_at
        session.commit()
    owner = _staff(cartpath)[0]
    with cartpath.app.test_request_context():
        from auth.identity import AdminIdentity, admin_token_for

        stale = admin_token_for(
            AdminIdentity(shop.id, SHOP, Platform.SHOPIFY, owner.id, Role.OWNER)
        )

    assert (
        requests.get(
            f"{cartpath.url}/admin/api/session", params={"admin_token": stale}, timeout=10
        ).status_code
        == 401
    )


def _change_role(cartpath: LiveCartpath, token: str, staff_id: int, role: str) -> requests.Response:
    return requests.post(
        f"{cartpath.url}/admin/staff/{staff_id}/role",
        data={"role": role},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )


def test_owners_change_roles_and_it_is_audited(cartpath):
    _session(cartpath, cartpath.session_token(user_id=1))
    _session(cartpath, cartpath.session_token(user_id=2))
    clerk = next(m for m in _staff(cartpath) if m.platform_user_id == "2")

    answer = _change_role(cartpath, cartpath.session_token(user_id=1), clerk.id, "support")

    assert answer.status_code == 200
    assert next(m for m in _staff(cartpath) if m.id == clerk.id).role is Role.SUPPORT
    with services_of(cartpath.app).database.session() as session:
        entry = session.scalars(
            select(AuditLog).where(AuditLog.action == "staff.role_changed")
        ).one()
    assert entry.details == {"from": "staff", "to": "support"}


def test_support_and_staff_may_not_change_roles(cartpath):
    _session(cartpath, cartpath.session_token(user_id=1))
    _session(cartpath, cartpath.session_token(user_id=2))
    owner = next(m for m in _staff(cartpath) if m.platform_user_id == "1")

    answer = _change_role(cartpath, cartpath.session_token(user_id=2), owner.id, "support")

    assert answer.status_code == 403
    assert next(m for m in _staff(cartpath) if m.id == owner.id).role is Role.OWNER
    with services_of(cartpath.app).database.session() as session:
        assert (
            session.scalars(select(AuditLog).where(AuditLog.action == "access.denied"))
            .one()
            .target.endswith("/role")
        )


def test_a_credential_for_shop_a_never_reaches_shop_b(cartpath):
    _session(cartpath, cartpath.session_token(shop=OTHER_SHOP, user_id=1))
    _session(cartpath, cartpath.session_token(shop=OTHER_SHOP, user_id=2))
    victim = next(m for m in _staff(cartpath, OTHER_SHOP) if m.platform_user_id == "2")
    attacker = cartpath.session_token(shop=SHOP, user_id=1)

    answer = _change_role(cartpath, attacker, victim.id, "owner")

    assert answer.status_code == 404
    assert next(m for m in _staff(cartpath, OTHER_SHOP) if m.id == victim.id).role is Role.STAFF
