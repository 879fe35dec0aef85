"""Helpers shared by the BigCommerce emulator tests (no tests here).

They drive the emulator the way Cartpath will: the real `bigcommerce` package with
only its base URL changed (LIBRARIES.md section 2, plain-HTTP override), and a
small local app that records what the platform sends it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import bigcommerce
from bigcommerce.connection import OAuthConnection
from flask import Flask, request

from sandbox import demo_credentials
from tests.support.sandbox import SandboxControl
from tests.support.servers import serve

DEMO_STORE = "demo1abc"
OTHER_STORE = "other2xyz"
CLIENT_ID = demo_credentials.BIGCOMMERCE_CLIENT_ID
CLIENT_SECRET = demo_credentials.BIGCOMMERCE_CLIENT_SECRET
ADDRESS = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada@example.com",
    "address1": "1 Market St",
    "city": "San Francisco",
    "state_or_province": "California",
    "state_or_province_code": "CA",
    "country_code": "US",
    "postal_code": "94105",
}

BILLING = {  # a v2 order address
    "first_name": "Ada",
    "last_name": "Lovelace",
    "street_1": "1 Market St",
    "city": "San Francisco",
    "state": "California",
    "zip": "94105",
    "country": "United States",
    "country_iso2": "US",
    "email": "ada@example.com",
}


def api_base(sandbox: SandboxControl) -> str:
    return f"{sandbox.url}/bigcommerce"


def connection(
    sandbox: SandboxControl,
    token: str,
    store_hash: str = DEMO_STORE,
    version: str = "v3",
    **kw: Any,
) -> OAuthConnection:
    """A client connection on plain HTTP: the instance override LIBRARIES.md describes."""
    conn = OAuthConnection(
        CLIENT_ID,
        store_hash,
        token,
        host=api_base(sandbox),
        api_path=f"/stores/{{}}/{version}/{{}}",
        **kw,
    )
    conn.full_path = lambda url, c=conn: c.host + c.api_path.format(c.store_hash, url)
    return conn


def v2_api(sandbox: SandboxControl, token: str, store_hash: str = DEMO_STORE, **kw: Any):
    api = bigcommerce.api.BigcommerceApi(
        client_id=CLIENT_ID, store_hash=store_hash, access_token=token
    )
    api.connection = connection(sandbox, token, store_hash, "v2", **kw)
    return api


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def install(
    sandbox: SandboxControl,
    store_hash: str = DEMO_STORE,
    client_id: str = CLIENT_ID,
    secret: str = CLIENT_SECRET,
    user_id: int | None = None,
) -> dict[str, Any]:
    """Install as the control panel does, then exchange the code with the real client."""
    body: dict[str, Any] = {"client_id": client_id}
    if user_id is not None:
        body["user_id"] = user_id
    auth_url = sandbox.call("POST", f"/bigcommerce/stores/{store_hash}/install", body)["auth_url"]
    params = query_of(auth_url)
    redirect_uri = auth_url.split("?")[0]
    conn = OAuthConnection(client_id, store_hash, host=api_base(sandbox))
    return conn.fetch_token(
        secret,
        params["code"],
        params["context"],
        params["scope"],
        redirect_uri,
        token_url=f"{sandbox.url}/bigcommerce-login/oauth2/token",
    )


@dataclass
class Receiver:
    """A stand-in for Cartpath: records webhooks and callback hits, answers `status`."""

    url: str
    webhooks: list[dict[str, Any]] = field(default_factory=list)
    callbacks: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    status: int = 200
    arrived: threading.Condition = field(default_factory=threading.Condition)

    def wait_for(self, count: int, timeout: float = 10) -> list[dict[str, Any]]:
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.webhooks) >= count, timeout)
        return list(self.webhooks)


@contextmanager
def receiver() -> Iterator[Receiver]:
    app = Flask("bigcommerce-test-receiver")
    holder: list[Receiver] = []

    @app.post("/webhooks")
    def webhook():
        box = holder[0]
        with box.arrived:
            box.webhooks.append({"headers": dict(request.headers), "body": request.get_data()})
            box.arrived.notify_all()
        return "", box.status

    @app.get("/bigcommerce/<name>")
    def callback(name: str):
        holder[0].callbacks.append((name, request.args.to_dict()))
        return f"<p>{name} ok</p>"

    with serve(app) as served:
        holder.append(Receiver(served.url))
        yield holder[0]


def register_app(sandbox: SandboxControl, base: str, **extra: Any) -> dict[str, Any]:
    """An app whose callbacks point at a Receiver."""
    body = {
        "client_id": "test-client-id",
        "client_secret": "test-client-secret-0123456789abcdef0123",
        "app_id": "777",
        "name": "Test App",
        "auth_callback": f"{base}/bigcommerce/auth",
        "load_callback": f"{base}/bigcommerce/load",
        "uninstall_callback": f"{base}/bigcommerce/uninstall",
        "remove_user_callback": f"{base}/bigcommerce/remove_user",
        "scopes": ["store_v2_orders", "store_v2_products", "store_cart", "store_checkout"],
        **extra,
    }
    return sandbox.call("POST", "/bigcommerce/apps", body)
