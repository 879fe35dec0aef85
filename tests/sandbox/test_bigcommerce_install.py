"""Install, load, uninstall and remove_user as BigCommerce runs them, checked by the real client."""

from __future__ import annotations

import re
from html import unescape

import jwt
import pytest
import requests
from bigcommerce.connection import OAuthConnection
from bigcommerce.exception import ClientRequestException

from tests.support.bigcommerce import (
    CLIENT_ID,
    CLIENT_SECRET,
    DEMO_STORE,
    OTHER_STORE,
    connection,
    install,
    query_of,
    receiver,
    register_app,
    v2_api,
)


def test_seeded_stores_and_demo_app(sandbox):
    state = sandbox.state()["bigcommerce"]

    demo, other = state["stores"][DEMO_STORE], state["stores"][OTHER_STORE]
    assert (demo["currency"], other["currency"]) == ("USD", "EUR")
    assert len(demo["products"]) >= 8
    assert len(demo["users"]) >= 2, "an owner and at least one more user"
    assert CLIENT_ID in state["apps"]
    app = next(
        a for a in sandbox.call("GET", "/bigcommerce/apps")["apps"] if a["client_id"] == CLIENT_ID
    )
    assert app["load_callback"] == "http://127.0.0.1:8000/bigcommerce/load"
    assert app["uninstall_callback"] == "http://127.0.0.1:8000/bigcommerce/uninstall"


def test_code_exchange_returns_the_documented_fields_and_the_token_works(sandbox):
    token = install(sandbox)

    assert set(token) == {"access_token", "scope", "user", "owner", "context", "account_uuid"}
    assert token["context"] == f"stores/{DEMO_STORE}"
    assert "store_v2_orders" in token["scope"].split(" ")
    assert set(token["user"]) == {"id", "username", "email"}
    assert token["user"] == token["owner"], "the owner installed it"
    store = v2_api(sandbox, token["access_token"]).Store.all()
    assert store["id"] == DEMO_STORE
    assert store["currency"] == "USD"


def test_store_information_carries_the_documented_timezone_object(sandbox):
    """GET /v2/store `timezone` (store_information.v2.yml, "Timezone"): the demo store's
    address is in Austin, Texas; the merchant may pick another zone in the control panel."""
    token = install(sandbox)["access_token"]

    seeded = v2_api(sandbox, token).Store.all()["timezone"]
    sandbox.call("POST", f"/bigcommerce/stores/{DEMO_STORE}/timezone", {"timezone": "Asia/Tokyo"})
    tokyo = v2_api(sandbox, token).Store.all()["timezone"]
    refused = requests.post(
        f"{sandbox.url}/_control/bigcommerce/stores/{DEMO_STORE}/timezone",
        json={"timezone": 7},
        timeout=10,
    )

    assert seeded == {
        "name": "America/Chicago",
        "raw_offset": -21600,
        "dst_offset": -18000,
        "dst_correction": True,
        "date_format": {
            "display": "M jS Y",
            "export": "M jS Y",
            "extended_display": "M jS Y @ g:i A",
        },
    }
    assert (tokyo["name"], tokyo["raw_offset"], tokyo["dst_offset"]) == ("Asia/Tokyo", 32400, 32400)
    assert tokyo["dst_correction"] is False
    assert refused.status_code == 400
    assert "timezone must be an IANA name" in refused.json()["error"]


def test_a_code_is_single_use(sandbox):
    auth_url = sandbox.call(
        "POST", f"/bigcommerce/stores/{DEMO_STORE}/install", {"client_id": CLIENT_ID}
    )["auth_url"]
    params = query_of(auth_url)
    form = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "code": params["code"],
        "context": params["context"],
        "scope": params["scope"],
        "grant_type": "authorization_code",
        "redirect_uri": auth_url.split("?")[0],
    }
    token_url = f"{sandbox.url}/bigcommerce-login/oauth2/token"

    first = requests.post(token_url, data=form, timeout=5)
    second = requests.post(token_url, data=form, timeout=5)

    assert first.status_code == 200
    assert second.status_code == 400
    assert second.json()["error"] == "invalid_grant"
    bad_secret = requests.post(token_url, data={**form, "client_secret": "nope"}, timeout=5)
    assert bad_secret.status_code == 401


def test_the_auth_callback_carries_code_scope_context_and_account(sandbox):
    auth_url = sandbox.call(
        "POST",
        f"/bigcommerce/stores/{DEMO_STORE}/install",
        {"client_id": CLIENT_ID, "user_id": 9002},
    )["auth_url"]

    assert auth_url.startswith("http://127.0.0.1:8000/bigcommerce/auth?")
    params = query_of(auth_url)
    assert set(params) == {"code", "scope", "context", "account_uuid"}
    assert params["context"] == f"stores/{DEMO_STORE}"
    assert " " in params["scope"], "scopes are space-separated"


def test_a_token_reaches_only_its_own_store(sandbox):
    token = install(sandbox)["access_token"]

    with pytest.raises(ClientRequestException) as refused:
        v2_api(sandbox, token, OTHER_STORE).Store.all()

    assert refused.value.response.status_code == 401
    assert refused.value.response.json()[0]["status"] == 401
    wrong = connection(sandbox, "not-a-token")
    with pytest.raises(ClientRequestException) as unknown:
        wrong.get("catalog/products")
    assert unknown.value.response.json()["status"] == 401
    assert unknown.value.response.json()["title"]


def test_install_page_frames_the_auth_callback(sandbox):
    app_id = "40501"
    page = requests.get(
        f"{sandbox.url}/bigcommerce/manage/marketplace/apps/{app_id}?store={DEMO_STORE}", timeout=5
    )
    assert page.status_code == 200
    assert 'id="install"' in page.text
    assert "store_v2_orders" in page.text

    installed = requests.post(page.url, timeout=5)

    frame = re.search(r'<iframe[^>]*src="([^"]+)"', installed.text)
    assert frame, "the control panel renders the auth callback in an iframe"
    params = query_of(unescape(frame.group(1)))
    assert params["context"] == f"stores/{DEMO_STORE}"
    assert params["code"]


def _frame_src(html: str) -> str:
    match = re.search(r'<iframe[^>]*src="([^"]+)"', html)
    assert match
    return unescape(match.group(1))


def test_control_panel_loads_the_app_with_signed_payloads(sandbox, sandbox_server):
    install(sandbox)
    clock = sandbox.clock()["now"]

    page = requests.get(
        f"{sandbox.url}/bigcommerce/manage/app/40501?store={DEMO_STORE}&user=9001", timeout=5
    )

    src = _frame_src(page.text)
    assert src.startswith("http://127.0.0.1:8000/bigcommerce/load?")
    params = query_of(src)
    claims = OAuthConnection.verify_payload_jwt(
        params["signed_payload_jwt"], CLIENT_SECRET, CLIENT_ID
    )
    assert claims["iss"] == "bc"
    assert claims["sub"] == f"stores/{DEMO_STORE}"
    assert claims["exp"] == claims["nbf"] + 24 * 3600
    assert claims["nbf"] == claims["iat"]
    assert abs(claims["iat"] - clock) < 60
    assert claims["user"]["id"] == 9001
    assert claims["owner"]["id"] == 9001
    assert claims["jti"]
    assert "url" in claims
    assert "channel_id" in claims
    assert jwt.get_unverified_header(params["signed_payload_jwt"])["alg"] == "HS256"
    legacy = OAuthConnection.verify_payload(params["signed_payload"], CLIENT_SECRET)
    assert legacy["store_hash"] == DEMO_STORE
    assert legacy["user"]["id"] == 9001
    assert OAuthConnection.verify_payload(params["signed_payload"], "another-secret") is False


def test_a_second_user_loads_the_app_as_themself(sandbox):
    install(sandbox)

    page = requests.get(
        f"{sandbox.url}/bigcommerce/manage/app/40501?store={DEMO_STORE}&user=9002", timeout=5
    )

    claims = OAuthConnection.verify_payload_jwt(
        query_of(_frame_src(page.text))["signed_payload_jwt"], CLIENT_SECRET, CLIENT_ID
    )
    assert claims["user"]["id"] == 9002
    assert claims["owner"]["id"] == 9001
    stranger = requests.get(
        f"{sandbox.url}/bigcommerce/manage/app/40501?store={DEMO_STORE}&user=9101", timeout=5
    )
    assert stranger.status_code == 403


def test_uninstall_calls_back_revokes_the_token_and_removes_hooks_and_scripts(sandbox):
    with receiver() as app:
        registered = register_app(sandbox, app.url, scopes=["store_v2_orders", "store_v2_content"])
        token = install(
            sandbox, client_id=registered["client_id"], secret=registered["client_secret"]
        )["access_token"]
        v3 = connection(sandbox, token)
        v3.post("hooks", {"scope": "store/order/created", "destination": f"{app.url}/webhooks"})
        script = {"name": "s", "src": "https://cdn.example/s.js", "kind": "src"}
        v3.post("content/scripts", {**script, "auto_uninstall": True})
        v3.post("content/scripts", {**script, "name": "kept", "auto_uninstall": False})

        result = sandbox.call(
            "POST", f"/bigcommerce/stores/{DEMO_STORE}/apps/{registered['client_id']}/uninstall", {}
        )

        assert result["callback"]["status"] == 200
        name, args = app.callbacks[-1]
        assert name == "uninstall"
        claims = OAuthConnection.verify_payload_jwt(
            args["signed_payload_jwt"], registered["client_secret"], registered["client_id"]
        )
        assert claims["sub"] == f"stores/{DEMO_STORE}"
    with pytest.raises(ClientRequestException) as revoked:
        v3.get("hooks")
    assert revoked.value.response.status_code == 401
    store = sandbox.state()["bigcommerce"]["stores"][DEMO_STORE]
    assert store["hooks"] == []
    assert [s["name"] for s in store["scripts"]] == ["kept"]


def test_remove_user_tells_each_installed_app(sandbox):
    with receiver() as app:
        registered = register_app(sandbox, app.url)
        install(sandbox, client_id=registered["client_id"], secret=registered["client_secret"])

        result = sandbox.call("DELETE", f"/bigcommerce/stores/{DEMO_STORE}/users/9002")

        ours = [c for c in result["callbacks"] if c["url"].startswith(app.url)]
        assert ours
        assert ours[0]["status"] == 200
        name, args = app.callbacks[-1]
        assert name == "remove_user"
        claims = OAuthConnection.verify_payload_jwt(
            args["signed_payload_jwt"], registered["client_secret"], registered["client_id"]
        )
        assert claims["user"]["id"] == 9002
    assert 9002 not in sandbox.state()["bigcommerce"]["stores"][DEMO_STORE]["users"]
    owner = requests.delete(
        f"{sandbox.url}/_control/bigcommerce/stores/{DEMO_STORE}/users/9001", timeout=5
    )
    assert owner.status_code == 400


def test_a_user_added_by_control_can_install(sandbox):
    user = sandbox.call(
        "POST", f"/bigcommerce/stores/{DEMO_STORE}/users", {"email": "new@x.example"}
    )

    token = install(sandbox, user_id=user["id"])

    assert token["user"]["id"] == user["id"]
    assert token["owner"]["id"] == 9001
