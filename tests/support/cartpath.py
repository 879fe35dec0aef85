"""A Cartpath served over HTTP and registered as an app with the sandbox's platforms,
as tests of install, webhooks and the browser need it."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import Flask
from sqlalchemy import select

from app import create_app
from core.config import Config
from core.demo import AppCredentials, install_bigcommerce, install_shopify, register_with_sandbox
from core.models import Platform, Shop
from core.services import services_of
from sandbox.shopify.signing import sign_query
from tests.support.database import empty_all_tables
from tests.support.sandbox import SandboxControl
from tests.support.servers import ServedApp, serve

SHOPIFY_KEY = "test-shopify-api-key"
SHOPIFY_SECRET = "test-shopify-api-secret-" + "s" * 32
BC_CLIENT_ID = "test-bigcommerce-client"
BC_SECRET = "test-bigcommerce-secret-" + "b" * 32
BC_APP_ID = "90210"
SHOP = "demo-shop.myshopify.com"
OTHER_SHOP = "other-shop.myshopify.com"
STORE = "demo1abc"
OTHER_STORE = "other2xyz"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class LiveCartpath:
    url: str
    app: Flask
    sandbox: SandboxControl
    served: ServedApp

    def stop(self) -> None:
        """Take Cartpath off the network (its port refuses connections), as if it were down."""
        self.served.server.shutdown()
        self.served.server.server_close()

    @property
    def config(self) -> Config:
        return services_of(self.app).config

    def wait_for_jobs(self, timeout: float = 20) -> None:
        assert services_of(self.app).jobs.wait_idle(timeout=timeout), "jobs did not finish"

    def shopify_install_link(self, shop: str = SHOP) -> str:
        """The signed link Shopify's app store opens on the app URL."""
        params = sign_query({"shop": shop, "timestamp": str(int(time.time()))}, SHOPIFY_SECRET)
        return f"{self.url}/shopify/install?{urlencode(params)}"

    def install_shopify(self, shop: str = SHOP) -> int:
        """Install through Shopify's managed install; returns the shop's id."""
        install_shopify(self.sandbox.url, self.url, SHOPIFY_KEY, shop)
        self.wait_for_jobs()
        return self.shop_id(Platform.SHOPIFY, shop)

    def install_bigcommerce(self, store: str = STORE) -> int:
        """Install through BigCommerce's auth callback; returns the shop's id."""
        install_bigcommerce(self.sandbox.url, BC_CLIENT_ID, store)
        self.wait_for_jobs()
        return self.shop_id(Platform.BIGCOMMERCE, store)

    def shop_id(self, platform: Platform, domain: str) -> int:
        with services_of(self.app).database.session() as session:
            return session.scalar(
                select(Shop.id).where(Shop.platform == platform, Shop.domain == domain)
            )

    def session_token(self, shop: str = SHOP, user_id: int = 1) -> str:
        return self.sandbox.call(
            "POST",
            "/shopify/session-token",
            {"client_id": SHOPIFY_KEY, "shop": shop, "user_id": user_id},
        )["id_token"]


TEST_APP = AppCredentials(
    shopify_key=SHOPIFY_KEY,
    shopify_secret=SHOPIFY_SECRET,
    bigcommerce_client_id=BC_CLIENT_ID,
    bigcommerce_secret=BC_SECRET,
    bigcommerce_app_id=BC_APP_ID,
    name="Cartpath (test)",
)


@contextmanager
def live_cartpath(
    config: Config, sandbox: SandboxControl, **overrides: object
) -> Iterator[LiveCartpath]:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    config = config.with_overrides(
        base_url=base_url,
        shopify_api_key=SHOPIFY_KEY,
        shopify_api_secret=SHOPIFY_SECRET,
        bigcommerce_client_id=BC_CLIENT_ID,
        bigcommerce_client_secret=BC_SECRET,
        bigcommerce_app_id=BC_APP_ID,
        shopify_api_base=f"{sandbox.url}/shopify/{{shop}}",
        shopify_admin_base=f"{sandbox.url}/shopify/admin",
        shopify_app_bridge_url=f"{sandbox.url}/shopify/cdn/app-bridge.js",
        bigcommerce_api_base=f"{sandbox.url}/bigcommerce",
        bigcommerce_login_base=f"{sandbox.url}/bigcommerce-login",
        stripe_api_base=f"{sandbox.url}/stripe",
        **overrides,
    )
    register_with_sandbox(sandbox.url, base_url, TEST_APP)
    app = create_app(config)
    try:
        with serve(app, port=port) as served:
            yield LiveCartpath(base_url, app, sandbox, served)
    finally:
        svc = services_of(app)
        svc.jobs.close()
        empty_all_tables(svc.database.engine)
        svc.database.dispose()
