"""Cartpath: the `create_app` factory and the `cartpath` command line."""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Callable
from typing import Any

import click
from flask import Flask

from core.config import Config, ConfigError
from core.crypto import TokenCipher
from core.db import Database
from core.jobs import InProcessJobQueue, JobQueue, RQJobQueue
from core.logs import configure_logging
from core.metrics import Metrics
from core.services import EXTENSION_KEY, Services, services_of

log = logging.getLogger("cartpath")

# One blueprint per package, registered in this order; each issue adds its own.
BLUEPRINTS: tuple[str, ...] = (
    "core.health:blueprint",
    "auth.views:blueprint",
    "webhooks.views:blueprint",
    "checkout.views:blueprint",
    "checkout.storefront_views:blueprint",
    "upsell.admin_api:blueprint",
    "upsell.post_purchase_views:blueprint",
    "upsell.hosted_views:blueprint",
    "admin.views:blueprint",
    "admin.funnels:blueprint",
    "admin.designer:blueprint",
    "admin.settings:blueprint",
    "admin.orders:blueprint",
    "admin.support:blueprint",
)


def create_app(config: Config | None = None) -> Flask:
    """Build an app from `config` (default: the environment). Nothing connects at import."""
    config = config or Config.from_env()
    configure_logging(config.log_level)
    app = Flask(
        __name__,
        instance_path=str(config.instance_path),
        template_folder="templates",
        static_folder="static",
    )
    app.config.update(
        SECRET_KEY=config.secret_key,
        TESTING=config.testing,
        MAX_CONTENT_LENGTH=1024 * 1024,
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    jobs = _job_queue(config, app)
    app.extensions[EXTENSION_KEY] = Services(
        config=config,
        database=Database(config.database_url),
        jobs=jobs,
        cipher=TokenCipher(config.encryption_keys),
        metrics=Metrics(),
    )
    from core import web

    web.init_app(app)
    for dotted in BLUEPRINTS:
        module_name, _, attribute = dotted.partition(":")
        app.register_blueprint(getattr(importlib.import_module(module_name), attribute))
    return app


def create_serving_app(config: Config) -> Flask:
    """An app for a long-running server; without Redis it runs its own periodic work."""
    from core.periodic import Periodic, default_tasks

    app = create_app(config)
    if not config.redis_url:
        services_of(app).background.append(Periodic(app, default_tasks(app)).start())
    return app


def _job_queue(config: Config, app: Flask) -> JobQueue:
    if config.redis_url:
        return RQJobQueue(config.redis_url)
    log.info(
        "REDIS_URL is not set: jobs run on an in-process worker (not durable across "
        "restarts; the outbox sweeper re-sends durable work)"
    )
    return InProcessJobQueue(app)


# --- the command line -------------------------------------------------------------------------


def _load_config(**overrides: Any) -> Config:
    return Config.from_env(**overrides)


def _fail_on_config_error(command: Callable[..., Any]) -> Callable[..., Any]:
    """One clear line and exit code 2 for a bad setting, never a traceback."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ConfigError as error:
            click.echo(f"cartpath: configuration error: {error}", err=True)
            sys.exit(2)

    wrapper.__name__ = command.__name__
    wrapper.__doc__ = command.__doc__
    return wrapper


@click.group()
def main() -> None:
    """Cartpath: one-page checkout and one-click upsells for Shopify and BigCommerce."""


@main.command()
@click.option("--bind", default="127.0.0.1:8000", show_default=True)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
@_fail_on_config_error
def web(bind: str, workers: int) -> None:
    """Serve the app with gunicorn (production)."""
    from core.serve import run_gunicorn

    config = _load_config()
    run_gunicorn(lambda: create_serving_app(config), bind=bind, workers=workers)


@main.command()
@click.option("--burst", is_flag=True, help="Exit when the queue is empty.")
@_fail_on_config_error
def worker(burst: bool) -> None:
    """Run an RQ worker (needs REDIS_URL), with the outbox sweeper beside it."""
    from core.worker import run_worker

    config = _load_config()
    if not config.redis_url:
        raise ConfigError(
            "REDIS_URL",
            "is not set: a worker needs Redis (without it, jobs run inside the web process)",
        )
    sys.exit(run_worker(create_app(config), burst=burst))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
@click.option("--seed", default="demo", show_default=True, help="Data set to load ('' for none).")
def sandbox(host: str, port: int, seed: str) -> None:
    """Serve the local emulators of Shopify, BigCommerce and the card gateway."""
    from werkzeug.serving import run_simple

    from sandbox.server import create_sandbox_app

    app = create_sandbox_app(seed=seed or None, public_url=f"http://{host}:{port}")
    click.echo(f"sandbox on http://{host}:{port}/  (control API: /_control/health)")
    run_simple(host, port, app, threaded=True)


@main.command()
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--sandbox-port", default=8001, show_default=True, type=int)
@_fail_on_config_error
def demo(port: int, sandbox_port: int) -> None:
    """The app and the sandbox together, seeded, with jobs in-process."""
    from core.demo import run_demo

    run_demo(port=port, sandbox_port=sandbox_port)


@main.group()
def db() -> None:
    """Database migrations."""


@db.command("upgrade")
@click.argument("revision", default="head")
@_fail_on_config_error
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: head)."""
    from core.migrate import upgrade

    upgrade(_load_config().database_url, revision)
    click.echo(f"database at {revision}")


@db.command("check")
@_fail_on_config_error
def db_check() -> None:
    """Fail when the models and the migrations disagree."""
    from alembic.util.exc import AutogenerateDiffsDetected

    from core.migrate import check

    try:
        check(_load_config().database_url)
    except AutogenerateDiffsDetected as drift:
        click.echo(f"cartpath: migrations are out of date: {drift}", err=True)
        sys.exit(1)
    click.echo("models and migrations agree")


@main.group()
def keys() -> None:
    """Encryption keys for stored credentials."""


@keys.command("rotate")
@_fail_on_config_error
def keys_rotate() -> None:
    """Re-encrypt every stored token under the first CARTPATH_ENCRYPTION_KEY."""
    from core.keys import rotate_stored_tokens

    app = create_app(_load_config())
    with app.app_context():
        count = rotate_stored_tokens()
    click.echo(f"re-encrypted the tokens of {count} shops")


if __name__ == "__main__":
    main()
