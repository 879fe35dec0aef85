"""`cartpath demo`: the app on :8000 and the sandbox on :8001, in one process.

SQLite in instance/, jobs on the in-process worker, secrets generated once into
instance/, and the app's platform settings pointed at the sandbox with the demo
credentials both sides know. Ctrl-C stops everything it started.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import click
import requests
from werkzeug.serving import BaseWSGIServer, make_server

from core.config import Config, shopify_install_scopes
from core.migrate import upgrade
from core.services import services_of
from sandbox import demo_credentials as demo

DEMO_SHOPIFY_SHOP = "demo-shop.myshopify.com"
DEMO_BIGCOMMERCE_STORE = "demo1abc"


def demo_config(port: int, sandbox_port: int) -> Config:
    sandbox_url = f"http://127.0.0.1:{sandbox_port}"
    return Config.from_env(generate_secrets=True).with_overrides(
        redis_url=None,
        base_url=f"http://127.0.0.1:{port}",
        shopify_api_key=demo.SHOPIFY_API_KEY,
        shopify_api_secret=demo.SHOPIFY_API_SECRET,
        bigcommerce_client_id=demo.BIGCOMMERCE_CLIENT_ID,
        bigcommerce_client_secret=demo.BIGCOMMERCE_CLIENT_SECRET,
        bigcommerce_app_id=demo.BIGCOMMERCE_APP_ID,
        stripe_secret_key=demo.STRIPE_SECRET_KEY,
        stripe_publishable_key=demo.STRIPE_PUBLISHABLE_KEY,
        shopify_api_base=f"{sandbox_url}/shopify/{{shop}}",
        shopify_admin_base=f"{sandbox_url}/shopify/admin",
        shopify_app_bridge_url=f"{sandbox_url}/shopify/cdn/app-bridge.js",
        # The demo shops installed Cartpath as a custom app, so both platforms show the
        # hosted checkout; a public install gets the native mode instead.
        shopify_distribution="custom",
        bigcommerce_api_base=f"{sandbox_url}/bigcommerce",
        bigcommerce_login_base=f"{sandbox_url}/bigcommerce-login",
        stripe_api_base=f"{sandbox_url}/stripe",
    )


@contextmanager
def _serving(app, port: int) -> Iterator[BaseWSGIServer]:
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass(frozen=True)
class AppCredentials:
    """What an app is registered with in the sandbox (the demo's, or a test's)."""

    shopify_key: str = demo.SHOPIFY_API_KEY
    shopify_secret: str = field(default=demo.SHOPIFY_API_SECRET, repr=False)
    bigcommerce_client_id: str = demo.BIGCOMMERCE_CLIENT_ID
    bigcommerce_secret: str = field(default=demo.BIGCOMMERCE_CLIENT_SECRET, repr=False)
    bigcommerce_app_id: str = demo.BIGCOMMERCE_APP_ID
    name: str = "Cartpath"


def register_with_sandbox(sandbox_url: str, base_url: str, app: AppCredentials) -> None:
    """Register the app with both platforms at `base_url`, as its Partner Dashboard and
    BigCommerce developer portal entries would (callback URLs, scopes)."""
    control = f"{sandbox_url}/_control"
    requests.post(
        f"{control}/shopify/apps",
        timeout=10,
        json={
            "client_id": app.shopify_key,
            "client_secret": app.shopify_secret,
            "name": app.name,
            "scopes": shopify_install_scopes(Config.shopify_scopes, "custom").split(","),
            "redirect_urls": [f"{base_url}/shopify/callback"],
            "app_url": f"{base_url}/admin",
            "compliance_url": f"{base_url}/webhooks/shopify",
        },
    ).raise_for_status()
    requests.post(
        f"{control}/bigcommerce/apps",
        timeout=10,
        json={
            "client_id": app.bigcommerce_client_id,
            "client_secret": app.bigcommerce_secret,
            "app_id": app.bigcommerce_app_id,
            "name": app.name,
            "auth_callback": f"{base_url}/bigcommerce/auth",
            "load_callback": f"{base_url}/bigcommerce/load",
            "uninstall_callback": f"{base_url}/bigcommerce/uninstall",
            "remove_user_callback": f"{base_url}/bigcommerce/remove_user",
            "scopes": Config.bigcommerce_scopes.split(),
        },
    ).raise_for_status()


def install_shopify(sandbox_url: str, base_url: str, client_id: str, shop: str) -> None:
    """Shopify's managed install: the merchant opens the app, and its first admin load
    exchanges the session token for the shop's offline token."""
    token = requests.post(
        f"{sandbox_url}/_control/shopify/session-token",
        timeout=10,
        json={"client_id": client_id, "shop": shop},
    ).json()["id_token"]
    requests.get(
        f"{base_url}/admin/api/session", timeout=30, headers={"Authorization": f"Bearer {token}"}
    ).raise_for_status()


def install_bigcommerce(sandbox_url: str, client_id: str, store: str) -> None:
    """BigCommerce's install: the control panel opens the app's auth callback with a code."""
    answer = requests.post(
        f"{sandbox_url}/_control/bigcommerce/stores/{store}/install",
        json={"client_id": client_id, "visit": True},
        timeout=30,
    ).json()
    if answer.get("status") not in (200, 302):
        raise RuntimeError(f"the BigCommerce install callback answered {answer}")


def install_demo_shops(sandbox_url: str, base_url: str) -> None:
    """Install Cartpath into the seeded shops the way each platform does it."""
    install_shopify(sandbox_url, base_url, demo.SHOPIFY_API_KEY, DEMO_SHOPIFY_SHOP)
    install_bigcommerce(sandbox_url, demo.BIGCOMMERCE_CLIENT_ID, DEMO_BIGCOMMERCE_STORE)


DEMO_DESIGN = {
    "primary": "#7c2d12",
    "primary_text": "#ffffff",
    "accent": "#b45309",
    "background": "#fffbf5",
    "text": "#1c1917",
    "font": "georgia",
    "corner_radius": 10,
    "header_text": "Free shipping on orders over $100. Secure checkout.",
    "footer_text": "Questions? Write to hello@demo-shop.example. Returns within 30 days.",
    "trust_badges": ["secure_checkout", "free_returns", "money_back_guarantee"],
    "testimonials": [{"quote": "Arrived in two days, beautifully packed.", "author": "Maya R."}],
}


def design_demo_shops(app) -> None:
    """The demo shops come with a designed, published checkout."""
    from sqlalchemy import select

    from checkout.design import publish, save_draft
    from core.models import Shop

    with app.app_context(), services_of(app).database.session() as session:
        for shop_id in session.scalars(select(Shop.id)).all():
            save_draft(session, shop_id, DEMO_DESIGN)
            publish(session, shop_id)
        session.commit()


# The demo funnel, by product title: one upsell, and a downsell on its decline path.
DEMO_UPSELL = ("Water Bottle", "Add a water bottle for the road?", "20")
DEMO_DOWNSELL = ("Merino Socks", "A pair of merino socks instead?", "30")


def _demo_catalogues(sandbox_url: str) -> dict[str, dict[str, tuple[str, list[str]]]]:
    """Each demo shop's products by title: (product id, variant ids), from the sandbox."""
    state = requests.get(f"{sandbox_url}/_control/state", timeout=30).json()
    shopify = state["shopify"]["shops"][DEMO_SHOPIFY_SHOP]["products"]
    bigcommerce = state["bigcommerce"]["stores"][DEMO_BIGCOMMERCE_STORE]["products"]
    return {
        DEMO_SHOPIFY_SHOP: {
            p["title"]: (str(p["id"]), [str(v["id"]) for v in p["variants"]]) for p in shopify
        },
        DEMO_BIGCOMMERCE_STORE: {
            p["name"]: (product_id, list(p["variants"])) for product_id, p in bigcommerce.items()
        },
    }


def demo_funnel(catalogue: dict[str, tuple[str, list[str]]]) -> dict:
    """An upsell (every variant, the shopper chooses) and a downsell on its decline path."""

    def offer(title: str, headline: str, percent: str, on_decline: str | None) -> dict:
        product_id, variant_ids = catalogue[title]
        return {
            "product_id": product_id,
            "variant_ids": variant_ids,
            "quantity": 1,
            "discount": {"kind": "percent", "value": percent},
            "shipping": {"kind": "free"},
            "headline": headline,
            "body": f"{percent}% off, added to the order you just paid, with free shipping.",
            "countdown_seconds": 900,
            "on_accept": None,
            "on_decline": on_decline,
        }

    return {
        "trigger": {"kind": "always"},
        "entry": "upsell",
        "offers": {
            "upsell": offer(*DEMO_UPSELL, on_decline="downsell"),
            "downsell": offer(*DEMO_DOWNSELL, on_decline=None),
        },
    }


def funnel_demo_shops(app, sandbox_url: str) -> None:
    """Each demo shop gets one active funnel (once: a restarted demo keeps its funnels),
    created through the same validation and versioning as the admin's API."""
    from sqlalchemy import select

    from core.models import Shop
    from upsell.models import Funnel, FunnelStatus
    from upsell.service import create_funnel, set_status

    catalogues = _demo_catalogues(sandbox_url)
    with app.app_context(), services_of(app).database.session() as session:
        for shop in session.scalars(select(Shop)).all():
            has_funnel = session.scalar(select(Funnel.id).where(Funnel.shop_id == shop.id))
            if has_funnel is not None or shop.domain not in catalogues:
                continue
            funnel = create_funnel(
                session,
                shop_id=shop.id,
                actor="demo",
                name="Water bottle, else socks",
                definition=demo_funnel(catalogues[shop.domain]),
            )
            set_status(session, funnel, FunnelStatus.ACTIVE, actor="demo")
        session.commit()


def open_demo_handoff(app) -> None:
    """The demo storefronts send their shoppers to Cartpath's checkout (switch on)."""
    from sqlalchemy import select

    from checkout.storefront import set_handoff
    from core.models import Shop

    with app.app_context(), services_of(app).database.session() as session:
        for shop in session.scalars(select(Shop)).all():
            set_handoff(session, shop, "on", actor="demo")
        session.commit()


def run_demo(*, port: int, sandbox_port: int) -> None:
    from app import create_serving_app
    from sandbox.server import create_sandbox_app

    config = demo_config(port, sandbox_port)
    upgrade(config.database_url)
    sandbox_app = create_sandbox_app(seed="demo", public_url=f"http://127.0.0.1:{sandbox_port}")
    app = create_serving_app(config)
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with _serving(sandbox_app, sandbox_port), _serving(app, port):
        sandbox_url = f"http://127.0.0.1:{sandbox_port}"
        register_with_sandbox(sandbox_url, config.base_url, AppCredentials())
        install_demo_shops(sandbox_url, config.base_url)
        design_demo_shops(app)
        funnel_demo_shops(app, sandbox_url)
        open_demo_handoff(app)
        click.echo(_banner(config, sandbox_port))
        stop.wait()
        click.echo("stopping…")
    services_of(app).close()


def _banner(config: Config, sandbox_port: int) -> str:
    sandbox_url = f"http://127.0.0.1:{sandbox_port}"
    return "\n".join(
        [
            "Cartpath demo is running (Ctrl-C stops it). Open:",
            f"  Shopify admin         {sandbox_url}/shopify/admin/store/demo-shop/apps/"
            f"{demo.SHOPIFY_API_KEY}",
            f"  BigCommerce admin     {sandbox_url}/bigcommerce/manage/app/"
            f"{demo.BIGCOMMERCE_APP_ID}?store={DEMO_BIGCOMMERCE_STORE}&user=9001",
            f"  Shopify storefront    {sandbox_url}/shopify/{DEMO_SHOPIFY_SHOP}/",
            f"  BigCommerce store     {sandbox_url}/bigcommerce/stores/{DEMO_BIGCOMMERCE_STORE}"
            "/storefront/",
            f"  app health     {config.base_url}/healthz",
            f"  app metrics    {config.base_url}/metrics",
            f"  sandbox        {sandbox_url}/_control/health",
            f"  database       {config.database_url}",
            "  jobs           in-process worker (no REDIS_URL)",
        ]
    )
