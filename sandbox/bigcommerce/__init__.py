"""The BigCommerce emulator: REST API, login service, control panel, storefront.

Routes (the base URLs Cartpath is configured with, plus the sandbox's own pages):
- /bigcommerce/stores/<hash>/v2|v3/...       REST API (BIGCOMMERCE_API_BASE=<url>/bigcommerce)
- /bigcommerce-login/oauth2/token            token service (BIGCOMMERCE_LOGIN_BASE)
- /bigcommerce/manage/marketplace/apps/<id>  install consent page (?store=&user=)
- /bigcommerce/manage/app/<id>               the app loaded in the control panel's iframe
- /bigcommerce/stores/<hash>/storefront/     the shop: products, cart, native checkout
- /_control/bigcommerce/...                  control routes (control.py)
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from sandbox.bigcommerce import (
    auth,
    carts,
    catalog,
    checkouts,
    control,
    control_panel,
    hooks,
    orders,
    pickup,
    scripts,
    store_info,
    storefront,
    storefront_api,
)
from sandbox.bigcommerce.seed import seed
from sandbox.bigcommerce.snapshot import snapshot
from sandbox.bigcommerce.state import BigCommerceState
from sandbox.server import SandboxContext


class BigCommerceEmulator:
    """One emulated BigCommerce: its state and the sandbox it runs in."""

    name = "bigcommerce"

    def __init__(self, context: SandboxContext) -> None:
        self.context = context
        self.state = BigCommerceState()

    def register(self, app: Flask) -> None:
        app.extensions["bigcommerce"] = self
        for blueprint in (
            auth.blueprint,
            catalog.blueprint,
            carts.blueprint,
            checkouts.blueprint,
            orders.blueprint,
            pickup.blueprint,
            hooks.blueprint,
            scripts.blueprint,
            store_info.blueprint,
            store_info.settings_blueprint,
            control.blueprint,
            control_panel.blueprint,
            storefront.blueprint,
            storefront_api.blueprint,
        ):
            app.register_blueprint(blueprint)

    def reset(self) -> None:
        self.state.clear()

    def seed(self, name: str) -> None:
        seed(self.state, name, self.context.clock.now())

    def snapshot(self) -> dict[str, Any]:
        return snapshot(self.state)


def create_emulator(context: SandboxContext) -> BigCommerceEmulator:
    return BigCommerceEmulator(context)
