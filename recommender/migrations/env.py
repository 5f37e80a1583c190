"""Alembic environment: migrates only the recommender's own tables.

The URL comes from ``config.attributes["database_url"]`` (programmatic use) or the
``DATABASE_URL`` environment variable. Tables that are not ours (Rasa's ``events``
tracker store table, for example) are ignored by autogenerate.
"""

from __future__ import annotations

from logging.config import fileConfig
from typing import Any

from alembic import context

from recommender import constants as C
from recommender.config import Settings
from recommender.storage.db import create_db_engine, is_sqlite
from recommender.storage.models import Base

config = context.config
if config.config_file_name and not config.attributes.get("programmatic"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _include_name(name: str | None, type_: str, _parent: Any) -> bool:
    if type_ == "table":
        return name in target_metadata.tables
    return True


def _url() -> str:
    return config.attributes.get("database_url") or Settings.from_env().database_url


def run_migrations_offline() -> None:
    """Emit SQL to stdout without a connection."""
    url = _url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=is_sqlite(url),
        version_table=C.ALEMBIC_VERSION_TABLE,
        include_name=_include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run migrations on a live connection (WAL/busy timeout set up for SQLite)."""
    engine = create_db_engine(_url())
    try:
        with engine.connect() as connection:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=engine.dialect.name == "sqlite",
                version_table=C.ALEMBIC_VERSION_TABLE,
                include_name=_include_name,
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
