"""The funnels' JSON API over HTTP: versions, roles, tenancy and clear refusals."""

from __future__ import annotations

import copy

import requests
from sqlalchemy import select, update

from auth.models import Role, StaffMember
from core.models import AuditLog
from core.services import services_of
from tests.support.cartpath import OTHER_SHOP, SHOP, LiveCartpath
from tests.upsell.test_funnels import VALID
from upsell.models import FunnelVersion


def _call(live: LiveCartpath, method: str, path: str, token: str, body=None):
    return requests.request(
        method,
        f"{live.url}/admin/api/funnels{path}",
        headers={"Authorization": f"Bearer {token}"},
        json=body,
        timeout=10,
    )


def _make_support(live: LiveCartpath, user_id: int) -> None:
    with services_of(live.app).database.session() as session:
        session.execute(
            update(StaffMember)
            .where(StaffMember.platform_user_id == str(user_id))
            .values(role=Role.SUPPORT)
        )
        session.commit()


def test_a_funnel_is_created_edited_into_versions_and_activated(cartpath):
    owner = cartpath.session_token(user_id=1)
    created = _call(cartpath, "POST", "", owner, {"name": "Mugs", "definition": VALID})
    assert created.status_code == 201, created.text
    funnel = created.json()
    assert (funnel["status"], funnel["version"]) == ("draft", 1)

    changed = copy.deepcopy(VALID)
    changed["offers"]["main"]["headline"] = "A mug to match"
    edited = _call(cartpath, "PUT", f"/{funnel['id']}", owner, {"definition": changed})
    assert edited.json()["version"] == 2
    same = _call(cartpath, "PUT", f"/{funnel['id']}", owner, {"definition": changed})
    assert same.json()["version"] == 2, "an unchanged definition adds no version"

    active = _call(cartpath, "POST", f"/{funnel['id']}/status", owner, {"status": "active"})
    assert active.json()["status"] == "active"
    with services_of(cartpath.app).database.session() as session:
        versions = session.scalars(select(FunnelVersion.number).order_by(FunnelVersion.number))
        assert list(versions) == [1, 2]
        actions = list(session.scalars(select(AuditLog.action).order_by(AuditLog.id)))
    assert actions[-4:] == [
        "funnel.created",
        "funnel.edited",
        "funnel.edited",
        "funnel.activated",
    ]


def test_a_bad_definition_is_refused_field_by_field_and_nothing_is_written(cartpath):
    owner = cartpath.session_token(user_id=1)
    bad = copy.deepcopy(VALID)
    bad["offers"]["main"]["quantity"] = 99
    answer = _call(cartpath, "POST", "", owner, {"name": "", "definition": bad})
    assert answer.status_code == 422
    assert "offers.main.quantity" in answer.json()["errors"]
    assert _call(cartpath, "GET", "", owner).json()["funnels"] == []
    assert _call(cartpath, "POST", "", owner, ["not", "an", "object"]).status_code == 422


def test_support_staff_read_funnels_but_cannot_change_them(cartpath):
    owner = cartpath.session_token(user_id=1)
    funnel = _call(cartpath, "POST", "", owner, {"name": "Mugs", "definition": VALID}).json()
    support = cartpath.session_token(user_id=2)
    _call(cartpath, "GET", "", support)  # first load creates the staff member
    _make_support(cartpath, 2)

    assert _call(cartpath, "GET", f"/{funnel['id']}", support).status_code == 200
    assert _call(cartpath, "PUT", f"/{funnel['id']}", support, {"name": "x"}).status_code == 403
    refused = _call(cartpath, "POST", f"/{funnel['id']}/status", support, {"status": "active"})
    assert refused.status_code == 403
    assert (
        _call(cartpath, "POST", "", support, {"name": "x", "definition": VALID}).status_code == 403
    )


def test_another_shops_funnel_is_not_found(cartpath):
    mine = cartpath.session_token(shop=SHOP, user_id=1)
    funnel = _call(cartpath, "POST", "", mine, {"name": "Mugs", "definition": VALID}).json()
    theirs = cartpath.session_token(shop=OTHER_SHOP, user_id=1)

    for method, path, body in (
        ("GET", f"/{funnel['id']}", None),
        ("PUT", f"/{funnel['id']}", {"name": "Stolen"}),
        ("POST", f"/{funnel['id']}/status", {"status": "paused"}),
    ):
        assert _call(cartpath, method, path, theirs, body).status_code == 404
    assert _call(cartpath, "GET", "", theirs).json()["funnels"] == []
    unchanged = _call(cartpath, "GET", f"/{funnel['id']}", mine).json()
    assert (unchanged["name"], unchanged["status"]) == ("Mugs", "draft")
