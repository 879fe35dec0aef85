"""The sandbox's Flask app: every emulator behind one fault-injecting server.

Each emulator (sandbox/shopify, sandbox/bigcommerce, sandbox/stripe) exposes
`create_emulator(context) -> Emulator`; this module mounts them, the shared
control API (/_control/) and the fault injector in front of everything.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Protocol

from flask import Flask

from sandbox.clock import SandboxClock
from sandbox.delivery import Deliverer
from sandbox.faults import FaultInjector

# Modules exposing create_emulator(context). Each emulator adds its own line.
EMULATOR_MODULES: tuple[str, ...] = (
    "sandbox.shopify",
    "sandbox.bigcommerce",
    "sandbox.stripe",
)


class Emulator(Protocol):
    """What the control API needs from each emulated platform."""

    name: str

    def register(self, app: Flask) -> None:
        """Add the emulator's blueprints (platform routes and /_control/<name>/...)."""

    def reset(self) -> None:
        """Forget everything: shops, tokens, orders, subscriptions."""

    def seed(self, name: str) -> None:
        """Load a named data set ("demo"); unknown names raise ValueError."""

    def snapshot(self) -> dict[str, Any]:
        """Everything the platform holds, as JSON, for tests and support."""


@dataclass
class SandboxContext:
    """State shared by all emulators of one sandbox server."""

    clock: SandboxClock = field(default_factory=SandboxClock)
    faults: FaultInjector = field(default_factory=FaultInjector)
    deliverer: Deliverer | None = None
    emulators: list[Emulator] = field(default_factory=list)
    public_url: str = "http://127.0.0.1:8001"

    def __post_init__(self) -> None:
        if self.deliverer is None:
            self.deliverer = Deliverer(self.clock)

    def reset(self) -> None:
        self.faults.clear()
        self.deliverer.reset()
        self.clock.reset()
        for emulator in self.emulators:
            emulator.reset()

    def seed(self, name: str) -> None:
        for emulator in self.emulators:
            emulator.seed(name)


def create_sandbox_app(
    *, seed: str | None = None, public_url: str = "http://127.0.0.1:8001", clock_scale: float = 1.0
) -> Flask:
    """Build the sandbox server app; `public_url` is where clients reach it."""
    from sandbox import control  # noqa: PLC0415 - control imports this module's types

    app = Flask("sandbox", template_folder="templates", static_folder=None)
    context = SandboxContext(clock=SandboxClock(clock_scale), public_url=public_url.rstrip("/"))
    app.extensions["sandbox"] = context
    app.register_blueprint(control.blueprint)
    for module_name in EMULATOR_MODULES:
        emulator = importlib.import_module(module_name).create_emulator(context)
        emulator.register(app)
        context.emulators.append(emulator)
    if seed:
        context.seed(seed)
    app.wsgi_app = context.faults.wrap(app.wsgi_app)  # type: ignore[method-assign]
    return app


def sandbox_context(app: Flask) -> SandboxContext:
    return app.extensions["sandbox"]
