"""Throwaway databases for a test run: a SQLite file, and a PostgreSQL database
created on the machine's server and dropped at the end."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

from core.db import Base
from core.migrate import upgrade

POSTGRES_ADMIN_URL = os.environ.get(
    "CARTPATH_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


@contextmanager
def throwaway_database(kind: str, directory: Path) -> Iterator[str]:
    """A migrated, empty database of `kind` ("sqlite" or "postgresql"); yields its URL."""
    if kind == "sqlite":
        url = f"sqlite:///{directory / 'cartpath-test.db'}"
        upgrade(url)
        yield url
        return
    if kind != "postgresql":
        raise ValueError(f"unknown test database {kind!r}")
    name = f"cartpath_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        upgrade(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def empty_all_tables(engine: Engine) -> None:
    """Remove every row between tests (worker processes make rollback isolation useless)."""
    tables = list(reversed(Base.metadata.sorted_tables))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))  # noqa: S608
        else:
            for table in tables:
                connection.execute(table.delete())
