"""The frame every admin page shares: navigation that keeps the person signed in, notices
that cannot be forged, and changes that only the admin's own pages can make."""

from __future__ import annotations

import re

import requests
from sqlalchemy import select

from auth.models import Role
from core.models import AuditLog
from core.services import services_of
from tests.support.admin import admin_client, staff_member
from tests.support.cartpath import SHOP


def _role_of(cartpath, staff_id: int) -> Role:
    from auth.models import StaffMember

    with services_of(cartpath.app).database.session() as session:
        return session.get(StaffMember, staff_id).role


def test_links_carry_the_admin_token_and_the_page_is_framed_by_the_shop_only(cartpath):
    cartpath.install_shopify()
    owner = admin_client(cartpath)

    page = owner.get("/admin")

    assert page.status_code == 200
    home_link = re.search(r'<a href="(/admin\?admin_token=[^"]+)"', page.text)
    assert home_link, "navigation links carry the admin token"
    assert requests.get(cartpath.url + home_link.group(1).replace("&amp;", "&"), timeout=10).ok
    assert page.headers["Content-Security-Policy"].startswith(f"frame-ancestors https://{SHOP}")


def test_a_role_change_redirects_with_a_notice_and_is_audited(cartpath):
    cartpath.install_shopify()
    owner = admin_client(cartpath)
    clerk = staff_member(cartpath, user_id="2", role=Role.STAFF)

    answer = owner.post(f"/admin/staff/{clerk.staff_id}/role", {"role": "support"})

    assert answer.status_code == 303
    landing = requests.get(cartpath.url + answer.headers["Location"], timeout=10)
    assert "user 2 is now support." in landing.text
    assert _role_of(cartpath, clerk.staff_id) is Role.SUPPORT
    with services_of(cartpath.app).database.session() as session:
        assert "staff.role_changed" in session.scalars(select(AuditLog.action)).all()


def test_a_notice_not_signed_by_cartpath_is_not_shown(cartpath):
    cartpath.install_shopify()

    page = admin_client(cartpath).get("/admin", notice="Your store is closed. Call 555-0100")

    assert page.status_code == 200
    assert "555-0100" not in page.text


def test_a_change_whose_token_is_only_in_the_url_is_refused(cartpath):
    cartpath.install_shopify()
    owner = admin_client(cartpath)
    clerk = staff_member(cartpath, user_id="2", role=Role.STAFF)

    answer = requests.post(
        f"{cartpath.url}/admin/staff/{clerk.staff_id}/role",
        params={"admin_token": owner.token()},
        data={"role": "support"},
        timeout=10,
    )

    assert answer.status_code == 401
    assert _role_of(cartpath, clerk.staff_id) is Role.STAFF


def test_a_change_posted_from_another_site_is_refused(cartpath):
    cartpath.install_shopify()
    owner = admin_client(cartpath)
    clerk = staff_member(cartpath, user_id="2", role=Role.STAFF)

    refused = owner.post(
        f"/admin/staff/{clerk.staff_id}/role", {"role": "support"}, Origin="https://evil.example"
    )
    allowed = owner.post(
        f"/admin/staff/{clerk.staff_id}/role", {"role": "support"}, Origin=cartpath.url
    )

    assert refused.status_code == 403
    assert "another site" in refused.json()["message"]
    assert allowed.status_code == 303
    assert _role_of(cartpath, clerk.staff_id) is Role.SUPPORT


def test_support_sees_the_panel_but_not_the_role_forms(cartpath):
    cartpath.install_shopify()
    staff_member(cartpath, user_id="2", role=Role.STAFF)

    page = admin_client(cartpath, user_id="3", role=Role.SUPPORT).get("/admin")

    assert page.status_code == 200
    assert 'data-testid="role">support<' in page.text
    assert "/role" not in page.text
