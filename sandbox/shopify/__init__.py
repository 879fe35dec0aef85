"""The Shopify emulator, served under /shopify/<shop-domain>/ (and /_control/shopify/).

One ShopifyState guarded by one lock; the modules beside this one each serve one
part of the platform (OAuth, Admin GraphQL, REST, webhooks, storefront, admin frame)
through a blueprint built around this emulator object.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Flask

from sandbox.shopify import resources, tokens
from sandbox.shopify.post_purchase import PostPurchase, session_json
from sandbox.shopify.ratelimit import RateLimits
from sandbox.shopify.seed import seed
from sandbox.shopify.state import Shop, ShopifyState
from sandbox.shopify.webhooks import Webhooks

if TYPE_CHECKING:
    from sandbox.server import SandboxContext


class ShopifyEmulator:
    name = "shopify"

    def __init__(self, context: SandboxContext) -> None:
        self.context = context
        self.clock = context.clock
        self.state = ShopifyState()
        self.limits = RateLimits()
        self.webhooks = Webhooks(self)
        self.post_purchase = PostPurchase(self)

    def register(self, app: Flask) -> None:
        from sandbox.shopify import (  # noqa: PLC0415 - these import this module
            admin_api,
            admin_frame,
            control,
            extensions,
            oauth,
            post_purchase,
            rest,
            storefront,
        )

        modules = (oauth, admin_api, rest, storefront, post_purchase, admin_frame, extensions)
        for module in (*modules, control):
            app.register_blueprint(module.blueprint(self))
        self.context.faults.set_error_body(admin_api.GRAPHQL_PATH, admin_api.graphql_error_body)

    def reset(self) -> None:
        self.state.reset()
        self.limits.reset()

    def uninstall(self, shop: Shop, client_id: str) -> None:
        """app/uninstalled goes out to the app's subscriptions, then its tokens stop working."""
        with self.state.lock:
            payload = resources.shop_json(shop)
            self.webhooks.emit(shop, "app/uninstalled", payload, client_id=client_id)
            tokens.revoke_app(self.state, shop.domain, client_id)

    def seed(self, name: str) -> None:
        seed(self.state, name, self.clock.now())

    def snapshot(self) -> dict[str, Any]:
        with self.state.lock:
            return {
                "apps": sorted(self.state.apps),
                "shops": {
                    domain: {
                        "shop": resources.shop_json(shop),
                        "installed": shop.installed,
                        "products": [
                            resources.product_json(p, self.image_url(domain, p.id))
                            for p in shop.products.values()
                        ],
                        "orders": [resources.order_json(o, shop) for o in shop.orders.values()],
                        "webhooks": [resources.webhook_json(w) for w in shop.webhooks.values()],
                        "script_tags": [
                            resources.script_tag_json(t) for t in shop.script_tags.values()
                        ],
                        "app_embeds": shop.app_embeds,
                        "app_metafields": {
                            client_id: {
                                f"{ns}.{key}": value for (ns, key), (_, value) in kept.items()
                            }
                            for client_id, kept in shop.app_metafields.items()
                        },
                        "post_purchase": {
                            "app": vars(shop.post_purchase) if shop.post_purchase else None,
                            "sessions": [
                                session_json(s) for s in shop.post_purchase_sessions.values()
                            ],
                        },
                    }
                    for domain, shop in self.state.shops.items()
                },
            }

    def image_url(self, shop_domain: str, product_id: int) -> str:
        """Product images are SVGs the sandbox serves itself (storefront module)."""
        return f"{self.context.public_url}/shopify/{shop_domain}/cdn/products/{product_id}.svg"


def create_emulator(context: SandboxContext) -> ShopifyEmulator:
    return ShopifyEmulator(context)
