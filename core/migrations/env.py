"""Alembic environment: the metadata of every model module, the URL from the caller."""

from __future__ import annotations

import importlib

from alembic import context
from sqlalchemy import create_engine, pool

from core.db import Base
from core.models import MODEL_MODULES

for module in MODEL_MODULES:
    importlib.import_module(module)

config = context.config


def _database_url() -> str:
    url = config.attributes.get("database_url")
    if url:
        return url
    from core.config import Config  # the alembic CLI: same settings as the app

    return Config.from_env(generate_secrets=True).database_url


def run_migrations() -> None:
    url = _database_url()
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=url.startswith("sqlite"),
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
