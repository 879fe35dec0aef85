"""v3 hooks and v3 content/scripts: CRUD, the documented limits, and per-app ownership."""

from __future__ import annotations

import pytest
from bigcommerce.exception import ClientRequestException

from tests.support.bigcommerce import connection, install, register_app


@pytest.fixture
def v3(sandbox):
    return connection(sandbox, install(sandbox)["access_token"])


def _refused(call, status: int = 422) -> dict:
    with pytest.raises(ClientRequestException) as refused:
        call()
    assert refused.value.response.status_code == status
    return refused.value.response.json()


def test_hook_crud(v3):
    created = v3.post(
        "hooks",
        {
            "scope": "store/order/*",
            "destination": "https://cartpath.example/webhooks/bigcommerce",
            "is_active": True,
            "headers": {"X-Cartpath-Key": "k1"},
        },
    )["data"]

    assert created["store_hash"] == "demo1abc"
    assert created["headers"] == {"X-Cartpath-Key": "k1"}
    assert isinstance(created["created_at"], int)
    listed = v3.get("hooks")
    assert [h["id"] for h in listed["data"]] == [created["id"]]
    assert listed["meta"]["pagination"]["total"] == 1
    updated = v3.put(f"hooks/{created['id']}", {"is_active": False})["data"]
    assert updated["is_active"] is False
    assert v3.get("hooks", is_active="false")["data"][0]["id"] == created["id"]
    deleted = v3.delete(f"hooks/{created['id']}")
    assert deleted["data"]["id"] == created["id"]
    assert v3.get("hooks")["data"] == []


def test_hook_rules(v3):
    hook = {"scope": "store/order/created", "destination": "https://cartpath.example/wh"}
    v3.post("hooks", hook)

    assert "destination" in _refused(lambda: v3.post("hooks", hook))["errors"]
    assert (
        "destination"
        in _refused(
            lambda: v3.post("hooks", {**hook, "destination": "https://cartpath.example:8443/wh"})
        )["errors"]
    )
    assert (
        "destination"
        in _refused(
            lambda: v3.post("hooks", {**hook, "destination": "http://cartpath.example/wh"})
        )["errors"]
    )
    assert (
        "scope" in _refused(lambda: v3.post("hooks", {**hook, "scope": "store/nothing"}))["errors"]
    )
    for n in range(9):
        v3.post("hooks", {**hook, "destination": f"https://cartpath.example/wh{n}"})
    too_many = _refused(lambda: v3.post("hooks", {**hook, "destination": "https://c.example/x"}))
    assert "scope" in too_many["errors"]


def test_hooks_belong_to_their_app(sandbox, v3):
    v3.post("hooks", {"scope": "store/cart/created", "destination": "https://cartpath.example/wh"})
    other_app = register_app(sandbox, "https://other.example")
    other = connection(
        sandbox,
        install(sandbox, client_id=other_app["client_id"], secret=other_app["client_secret"])[
            "access_token"
        ],
    )

    assert other.get("hooks")["data"] == []
    mine = v3.get("hooks")["data"][0]["id"]
    _refused(lambda: other.get(f"hooks/{mine}"), 404)


def test_script_crud_and_defaults(v3):
    created = v3.post(
        "content/scripts",
        {
            "name": "Cartpath checkout handoff",
            "src": "https://cartpath.example/static/bc.js",
            "kind": "src",
            "load_method": "defer",
            "location": "footer",
            "visibility": "storefront",
        },
    )["data"]

    assert created["uuid"]
    assert created["auto_uninstall"] is True
    assert created["consent_category"] == "essential"
    assert created["enabled"] is True
    assert [s["uuid"] for s in v3.get("content/scripts")["data"]] == [created["uuid"]]
    changed = v3.put(f"content/scripts/{created['uuid']}", {"location": "head"})["data"]
    assert changed["location"] == "head"
    assert changed["load_method"] == "defer"
    v3.delete(f"content/scripts/{created['uuid']}")
    _refused(lambda: v3.get(f"content/scripts/{created['uuid']}"), 404)


def test_script_rules(v3):
    base = {"name": "s", "kind": "src", "src": "https://cartpath.example/s.js"}

    assert (
        "location"
        in _refused(lambda: v3.post("content/scripts", {**base, "location": "body"}))["errors"]
    )
    assert (
        "html"
        in _refused(lambda: v3.post("content/scripts", {**base, "kind": "script_tag"}))["errors"]
    )
    assert (
        "visibility"
        in _refused(lambda: v3.post("content/scripts", {**base, "visibility": "checkout"}))[
            "errors"
        ]
    ), "checkout scripts need the Checkout Content scope"
    for n in range(10):
        v3.post("content/scripts", {**base, "name": f"s{n}"})
    assert "scripts" in _refused(lambda: v3.post("content/scripts", base))["errors"]
