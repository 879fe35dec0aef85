"""The per-process services an app owns: settings, database, queue, cipher, metrics.

Created once by `create_app` and kept on the Flask app, never at import time, so
tests and workers build as many independent apps as they like.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from flask import Flask, current_app

from core.config import Config
from core.crypto import TokenCipher
from core.db import Database
from core.jobs import JobQueue
from core.metrics import Metrics

EXTENSION_KEY = "cartpath"


class Background(Protocol):
    """A thread the app started (the outbox sweeper) that must stop before shutdown."""

    def stop(self) -> None: ...


@dataclass
class Services:
    config: Config
    database: Database
    jobs: JobQueue
    cipher: TokenCipher
    metrics: Metrics
    background: list[Background] = field(default_factory=list)

    @property
    def redis(self) -> Any | None:
        """The Redis every process shares (the job queue's), or None without REDIS_URL: the
        demo's single process, whose shared state then lives in its own memory."""
        return getattr(self.jobs, "redis", None)

    def close(self) -> None:
        for task in self.background:
            task.stop()
        self.jobs.close()
        self.database.dispose()


def services_of(app: Flask) -> Services:
    return app.extensions[EXTENSION_KEY]


def services() -> Services:
    """The current app's services (inside a request, a job or an app context)."""
    return services_of(current_app)
