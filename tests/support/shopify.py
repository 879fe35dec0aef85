"""Helpers for tests that drive the Shopify emulator over HTTP (no mocks, real clients).

`ShopifySandbox` wraps the control routes and the Admin API the way an app would
call them: plain `requests` for OAuth and GraphQL, and `admin_session()` to point
the real `shopify` package (ShopifyAPI) at the sandbox for REST resources.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import requests
import shopify

from platforms.shopify.admin import activated
from sandbox import demo_credentials

API_VERSION = "2025-10"
DEMO_SHOP = "demo-shop.myshopify.com"
OTHER_SHOP = "other-shop.myshopify.com"


@dataclass
class ShopifySandbox:
    url: str

    def shop_url(self, shop: str = DEMO_SHOP) -> str:
        return f"{self.url}/shopify/{shop}"

    def admin_url(self, shop: str = DEMO_SHOP, version: str = API_VERSION) -> str:
        return f"{self.shop_url(shop)}/admin/api/{version}"

    def control(self, method: str, path: str, payload: dict[str, Any] | None = None) -> Any:
        response = requests.request(
            method, f"{self.url}/_control/shopify{path}", json=payload, timeout=30
        )
        response.raise_for_status()
        return response.json()

    def install(self, shop: str = DEMO_SHOP, *, expiring: bool = False, **extra: Any) -> dict:
        """Install the demo app (or `client_id=`) and return the token answer."""
        return self.control("POST", "/install", {"shop": shop, "expiring": expiring, **extra})

    def token(self, shop: str = DEMO_SHOP) -> str:
        return self.install(shop)["access_token"]

    def session_token(self, shop: str = DEMO_SHOP, **extra: Any) -> str:
        return self.control("POST", "/session-token", {"shop": shop, **extra})["id_token"]

    def graphql(
        self,
        token: str,
        query: str,
        variables: dict[str, Any] | None = None,
        shop: str = DEMO_SHOP,
    ) -> requests.Response:
        return requests.post(
            f"{self.admin_url(shop)}/graphql.json",
            json={"query": query, "variables": variables or {}},
            headers={"X-Shopify-Access-Token": token},
            timeout=30,
        )

    def gql(self, token: str, query: str, variables: dict | None = None, shop: str = DEMO_SHOP):
        """GraphQL through the real ShopifyAPI client; returns the parsed answer."""
        with self.admin_session(token, shop):
            return json.loads(shopify.GraphQL().execute(query, variables=variables))

    def admin_session(self, token: str, shop: str = DEMO_SHOP):
        """ShopifyAPI pointed at this shop, set and cleared the way the app does it."""
        return activated(shop_base=self.shop_url(shop), api_version=API_VERSION, access_token=token)


DEMO_API_KEY = demo_credentials.SHOPIFY_API_KEY
DEMO_API_SECRET = demo_credentials.SHOPIFY_API_SECRET
