"""The per-process services an app owns: settings, database, queue, cipher, metrics.

Created once by `create_app` and kept on the Flask app, never at import time, so
tests and workers build as many independent apps as they like.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from core.config import Config
from core.crypto import TokenCipher
from core.db import Database
from core.jobs import JobQueue
from core.metrics import Metrics

EXTENSION_KEY = "cartpath"


@dataclass
class Services:
    config: Config
    database: Database
    jobs: JobQueue
    cipher: TokenCipher
    metrics: Metrics

    def close(self) -> None:
        self.jobs.close()
        self.database.dispose()


def services_of(app: Flask) -> Services:
    return app.extensions[EXTENSION_KEY]


def services() -> Services:
    """The current app's services (inside a request, a job or an app context)."""
    return services_of(current_app)
