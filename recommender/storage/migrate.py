"""Run the Alembic migrations programmatically (``python -m recommender migrate``)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from recommender import constants as C
from recommender.storage.db import normalise_url


def alembic_config(database_url: str) -> Config:
    """Alembic config pointing at our migrations and ``database_url``."""
    config = Config(str(C.ALEMBIC_INI))
    config.set_main_option("script_location", str(C.MIGRATIONS_DIR))
    config.attributes["database_url"] = normalise_url(database_url)
    config.attributes["programmatic"] = True
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Upgrade the schema of ``database_url`` to ``revision``."""
    command.upgrade(alembic_config(database_url), revision)
