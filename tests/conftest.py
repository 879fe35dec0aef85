"""Fixtures shared by the whole suite.

Databases: every test that asks for `app` or `database_url` runs once on SQLite
and once on PostgreSQL (CARTPATH_TEST_DATABASES narrows it, e.g. "sqlite").
Redis: the machine's real server, database 9 unless CARTPATH_TEST_REDIS_URL says
otherwise, emptied before each test that uses it. The sandbox: one server for
the session, reset and seeded before each test that asks for `sandbox`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from flask import Flask
from hypothesis import HealthCheck, settings

from app import create_app
from core.config import Config
from core.services import services_of
from sandbox.server import create_sandbox_app
from tests.support.cartpath import LiveCartpath, live_cartpath
from tests.support.database import empty_all_tables, throwaway_database
from tests.support.sandbox import SandboxControl
from tests.support.servers import ServedApp, serve

# The suite shares two cores with PostgreSQL, Redis, the sandbox and Chromium: time-based
# health checks and deadlines would fail on load, not on wrong answers.
settings.register_profile("cartpath", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("cartpath")

DATABASES = os.environ.get("CARTPATH_TEST_DATABASES", "sqlite,postgresql").split(",")
REDIS_URL = os.environ.get("CARTPATH_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests run on PostgreSQL (production's database) when the run has it: they
    check what a person sees and does on a page, and every database path under them also
    runs on both databases in the HTTP tests. This halves the suite's slowest part."""
    if "postgresql" not in DATABASES:
        return
    on_sqlite = [item for item in items if _browser_on(item, "sqlite")]
    if on_sqlite:
        config.hook.pytest_deselected(items=on_sqlite)
        items[:] = [item for item in items if not _browser_on(item, "sqlite")]


def _browser_on(item: pytest.Item, database: str) -> bool:
    params = getattr(getattr(item, "callspec", None), "params", {})
    return "browser" in getattr(item, "fixturenames", ()) and params.get("database_url") == database


@pytest.fixture(scope="session", params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[str]:
    with throwaway_database(request.param, tmp_path_factory.mktemp(request.param)) as url:
        yield url


@pytest.fixture
def redis_url() -> str:
    """The real Redis, emptied for this test."""
    from redis import Redis

    connection = Redis.from_url(REDIS_URL)
    connection.flushdb()
    connection.close()
    return REDIS_URL


@pytest.fixture
def make_config(database_url: str, tmp_path: Path):
    """Settings for a test app: fresh keys, fast outbox timings, overridable per test."""

    def build(**overrides: object) -> Config:
        config = Config(
            database_url=database_url,
            secret_key="test-secret-key-" + "x" * 32,
            encryption_keys=(Fernet.generate_key().decode(),),
            instance_path=tmp_path / "instance",
            testing=True,
            job_lease_margin=1.0,
            sweep_interval=0.5,
            sweep_grace=0.5,
        )
        return config.with_overrides(**overrides)

    return build


@pytest.fixture
def app(make_config) -> Iterator[Flask]:
    """An app with in-process jobs on this run's database; tables emptied afterwards."""
    application = create_app(make_config())
    yield application
    svc = services_of(application)
    svc.jobs.close()
    empty_all_tables(svc.database.engine)
    svc.database.dispose()


@pytest.fixture
def rq_app(make_config, redis_url) -> Iterator[Flask]:
    """An app whose jobs go to RQ on the real Redis (a `cartpath worker` runs them)."""
    application = create_app(make_config(redis_url=redis_url))
    yield application
    svc = services_of(application)
    empty_all_tables(svc.database.engine)
    svc.close()


@pytest.fixture
def client(app: Flask):
    return app.test_client()


@pytest.fixture
def cartpath(make_config, sandbox) -> Iterator[LiveCartpath]:
    """Cartpath over HTTP, registered with the sandbox's Shopify and BigCommerce."""
    with live_cartpath(make_config(), sandbox) as live:
        yield live


# Debian's Chromium for pytest-playwright's `page` fixture; the flags keep it off the
# network this machine does not have (LIBRARIES.md section 4).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[ServedApp]:
    """One sandbox server for the session; `sandbox` resets it for each test."""
    application = create_sandbox_app()
    with serve(application) as served:
        application.extensions["sandbox"].public_url = served.url
        yield served


@pytest.fixture
def sandbox(sandbox_server: ServedApp) -> SandboxControl:
    """The sandbox, reset and seeded with the demo data set."""
    control = SandboxControl(sandbox_server.url)
    control.reset(seed="demo")
    return control
