"""Run the app under gunicorn from the `cartpath web` command."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, factory: Callable[[], Flask], options: dict[str, object]) -> None:
        self._factory = factory
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self._factory()


def run_gunicorn(factory: Callable[[], Flask], *, bind: str, workers: int) -> None:
    """Each gunicorn worker builds its own app after the fork (no shared connections)."""
    _Gunicorn(
        factory,
        {"bind": bind, "workers": workers, "timeout": 30, "graceful_timeout": 20, "accesslog": "-"},
    ).run()
