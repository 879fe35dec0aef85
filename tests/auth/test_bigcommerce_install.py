"""Installing Cartpath on the sandbox's BigCommerce: auth, load, uninstall, remove_user."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import requests
from sqlalchemy import select

from auth.models import Role, StaffMember
from core.models import AuditLog, Platform, Shop
from core.services import services_of
from platforms.bigcommerce.setup import SECRET_HEADER, store_connection
from tests.support.cartpath import BC_CLIENT_ID, BC_SECRET, STORE, LiveCartpath

OWNER_ID, STAFF_ID = 9001, 9002


def _install(cartpath: LiveCartpath, user_id: int = OWNER_ID) -> requests.Response:
    auth_url = cartpath.sandbox.call(
        "POST",
        f"/bigcommerce/stores/{STORE}/install",
        {"client_id": BC_CLIENT_ID, "user_id": user_id},
    )["auth_url"]
    return requests.get(auth_url, allow_redirects=False, timeout=15)


def _load_url(cartpath: LiveCartpath, user_id: int = OWNER_ID) -> str:
    return requests.get(
        f"{cartpath.sandbox.url}/_control/bigcommerce/stores/{STORE}/load_url",
        params={"client_id": BC_CLIENT_ID, "user_id": user_id},
        timeout=10,
    ).json()["url"]


def _shop(cartpath: LiveCartpath) -> Shop | None:
    with services_of(cartpath.app).database.session() as session:
        return session.scalar(select(Shop).where(Shop.platform == Platform.BIGCOMMERCE))


def _staff(cartpath: LiveCartpath) -> dict[str, StaffMember]:
    with services_of(cartpath.app).database.session() as session:
        return {m.platform_user_id: m for m in session.scalars(select(StaffMember))}


def _hooks(cartpath: LiveCartpath) -> list[dict]:
    """The store's hooks as BigCommerce's API lists them to the app."""
    with cartpath.app.app_context():
        shop = _shop(cartpath)
        if not shop.is_installed:
            return cartpath.sandbox.state()["bigcommerce"]["stores"][STORE]["hooks"]
        return store_connection(shop.id).get("hooks")["data"]


def test_install_stores_the_token_registers_hooks_and_opens_the_admin(cartpath):
    answer = _install(cartpath)

    assert answer.status_code == 302
    admin = requests.get(cartpath.url + answer.headers["Location"], timeout=10)
    assert admin.status_code == 200
    assert f"Cartpath for {STORE}" in admin.text
    assert "frame-ancestors" in admin.headers["Content-Security-Policy"]
    shop = _shop(cartpath)
    assert shop.is_installed
    assert shop.access_token(services_of(cartpath.app).cipher)
    assert _staff(cartpath)[str(OWNER_ID)].role is Role.OWNER
    cartpath.wait_for_jobs()
    hooks = _hooks(cartpath)
    assert sorted(h["scope"] for h in hooks) == [
        "store/app/uninstalled",
        "store/cart/*",
        "store/order/*",
        "store/product/*",
    ]
    secret = services_of(cartpath.app).cipher.decrypt(shop.webhook_secret_encrypted)
    assert all(h["headers"] == {SECRET_HEADER: secret} for h in hooks)
    assert all(h["destination"] == f"{cartpath.url}/webhooks/bigcommerce" for h in hooks)


def test_load_opens_the_admin_for_each_user_with_their_role(cartpath):
    _install(cartpath)

    staff_view = requests.get(_load_url(cartpath, STAFF_ID), timeout=10)
    owner_view = requests.get(_load_url(cartpath, OWNER_ID), timeout=10)

    assert staff_view.status_code == owner_view.status_code == 200
    assert 'data-testid="role">staff<' in staff_view.text
    assert 'data-testid="role">owner<' in owner_view.text


def test_uninstall_stops_the_shop_and_reinstall_brings_it_back(cartpath):
    _install(cartpath)
    cartpath.wait_for_jobs()
    admin_url = cartpath.url + _install(cartpath).headers["Location"]
    cartpath.wait_for_jobs()
    shop_id = _shop(cartpath).id

    cartpath.sandbox.call("POST", f"/bigcommerce/stores/{STORE}/apps/{BC_CLIENT_ID}/uninstall")

    gone = _shop(cartpath)
    assert not gone.is_installed
    assert gone.access_token_encrypted is None
    assert _hooks(cartpath) == [], "BigCommerce deletes an uninstalled app's hooks"
    assert requests.get(admin_url, timeout=10).status_code == 401
    _install(cartpath)
    cartpath.wait_for_jobs()
    back = _shop(cartpath)
    assert back.id == shop_id
    assert back.is_installed
    assert len(_hooks(cartpath)) == 4
    with services_of(cartpath.app).database.session() as session:
        actions = [e.action for e in session.scalars(select(AuditLog).order_by(AuditLog.id))]
    assert actions == ["app.installed", "app.reinstalled", "app.uninstalled", "app.reinstalled"]


def test_remove_user_takes_their_access_away(cartpath):
    _install(cartpath)
    requests.get(_load_url(cartpath, STAFF_ID), timeout=10)
    staff_admin = (
        cartpath.url
        + requests.get(_load_url(cartpath, STAFF_ID), timeout=10, allow_redirects=False).headers[
            "Location"
        ]
    )

    cartpath.sandbox.call("DELETE", f"/bigcommerce/stores/{STORE}/users/{STAFF_ID}")

    assert _staff(cartpath)[str(STAFF_ID)].removed_at is not None
    assert requests.get(staff_admin, timeout=10).status_code == 401


def _forged(claims: dict, secret: str = BC_SECRET) -> str:
    now = int(time.time())
    payload = {
        "aud": BC_CLIENT_ID,
        "iss": "bc",
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
        "jti": "j",
        "sub": f"stores/{STORE}",
        "user": {"id": OWNER_ID, "email": "o@x"},
        "owner": {"id": OWNER_ID, "email": "o@x"},
        **claims,
    }
    return jwt.encode(payload, secret, algorithm="HS256")


NOT_INSTALLED = _forged({"sub": "stores/other2xyz"})


@pytest.mark.parametrize(
    "token",
    [
        _forged({}, secret="another-secret-" + "q" * 32),
        _forged({"aud": "another-client"}),
        _forged({"exp": int(time.time()) - 10}),
        NOT_INSTALLED,
        "junk",
    ],
    ids=["other-secret", "other-client", "expired", "not-installed-store", "junk"],
)
@pytest.mark.parametrize("callback", ["load", "uninstall", "remove_user"])
def test_forged_callbacks_are_refused_and_change_nothing(cartpath, callback, token):
    _install(cartpath)
    cartpath.wait_for_jobs()
    before = _shop(cartpath)

    answer = requests.get(
        f"{cartpath.url}/bigcommerce/{callback}", params={"signed_payload_jwt": token}, timeout=10
    )

    signed_for_another_store = token == NOT_INSTALLED and callback != "load"
    # A genuine callback about a store we do not hold has nothing to undo: 204, no retry.
    assert answer.status_code == (204 if signed_for_another_store else 401)
    after = _shop(cartpath)
    assert after.is_installed
    assert after.updated_at == before.updated_at
    assert all(m.removed_at is None for m in _staff(cartpath).values())


@pytest.mark.parametrize(
    "query",
    [
        {"code": "x", "scope": "s", "context": "stores/"},
        {"code": "x", "scope": "s"},
        {"scope": "s", "context": f"stores/{STORE}"},
        {"code": "bogus", "scope": "store_v2_orders", "context": f"stores/{STORE}"},
    ],
    ids=["bad-context", "no-context", "no-code", "unknown-code"],
)
def test_bad_auth_callbacks_store_nothing(cartpath, query):
    answer = requests.get(f"{cartpath.url}/bigcommerce/auth", params=query, timeout=10)
    assert answer.status_code == 400
    assert _shop(cartpath) is None


def test_a_code_used_twice_fails_clearly(cartpath):
    auth_url = cartpath.sandbox.call(
        "POST", f"/bigcommerce/stores/{STORE}/install", {"client_id": BC_CLIENT_ID}
    )["auth_url"]
    assert requests.get(auth_url, allow_redirects=False, timeout=10).status_code == 302
    context = parse_qs(urlsplit(auth_url).query)["context"][0]
    assert context == f"stores/{STORE}"

    again = requests.get(auth_url, allow_redirects=False, timeout=10)

    assert again.status_code == 400
