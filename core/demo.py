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

import click
from werkzeug.serving import BaseWSGIServer, make_server

from core.config import Config
from core.migrate import upgrade
from core.services import services_of
from sandbox import demo_credentials as demo


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
        click.echo(_banner(config, sandbox_port))
        stop.wait()
        click.echo("stopping…")
    services_of(app).close()


def _banner(config: Config, sandbox_port: int) -> str:
    sandbox_url = f"http://127.0.0.1:{sandbox_port}"
    return "\n".join(
        [
            "Cartpath demo is running (Ctrl-C stops it).",
            f"  app health     {config.base_url}/healthz",
            f"  app metrics    {config.base_url}/metrics",
            f"  sandbox        {sandbox_url}/_control/health",
            f"  database       {config.database_url}",
            "  jobs           in-process worker (no REDIS_URL)",
        ]
    )
