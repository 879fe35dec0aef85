"""Fixtures shared by the whole suite: the sandbox server and its control API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox.server import create_sandbox_app
from tests.support.sandbox import SandboxControl
from tests.support.servers import ServedApp, serve


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[ServedApp]:
    """One sandbox server for the session; `sandbox` resets it for each test."""
    app = create_sandbox_app()
    with serve(app) as served:
        app.extensions["sandbox"].public_url = served.url
        yield served


@pytest.fixture
def sandbox(sandbox_server: ServedApp) -> SandboxControl:
    """The sandbox, reset and seeded with the demo data set."""
    control = SandboxControl(sandbox_server.url)
    control.reset(seed="demo")
    return control
