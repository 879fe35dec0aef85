"""What durability costs: recording work in the outbox, against a plain insert.

Both commit one row per operation on the same SQLite file; the outbox adds its
dedupe lookup, savepoint and after-commit dispatch to the in-process queue.
"""

from __future__ import annotations

import tempfile
import uuid
from pathlib import Path

from cryptography.fernet import Fernet

from app import create_app
from bench.harness import Comparison, compare
from core import outbox
from core.config import Config
from core.migrate import upgrade
from core.models import AuditLog
from core.services import services_of
from tests.support import jobs


def run() -> list[Comparison]:
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'bench.db'}"
        upgrade(url)
        config = Config(
            database_url=url,
            secret_key="b" * 40,
            encryption_keys=(Fernet.generate_key().decode(),),
            instance_path=Path(directory),
        )
        app = create_app(config)
        svc = services_of(app)

        def plain_insert() -> None:
            with svc.database.session() as session:
                session.add(AuditLog(actor="bench", action="insert", target=uuid.uuid4().hex))
                session.commit()

        def deferred() -> None:
            with app.app_context(), svc.database.session() as session:
                outbox.defer(session, jobs.flaky, uuid.uuid4().hex, 0, dedupe_key=uuid.uuid4().hex)
                session.commit()

        try:
            result = compare(
                "outbox defer+commit vs plain insert+commit (SQLite)",
                plain_insert,
                deferred,
                rounds=3,
                per_round=100,
                goal=0.3,
            )
            svc.jobs.wait_idle(timeout=120)
        finally:
            svc.close()
    return [result]
