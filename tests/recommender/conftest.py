"""Fixtures for the recommender tests: every storage, API and importer test runs on
SQLite (a temporary file) and on PostgreSQL (a fresh ``dxe_test_<hex>`` database),
through the parametrized ``backend_url`` fixture. PostgreSQL tests are skipped with
the reason when the server is unreachable.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from sqlalchemy import create_engine, delete, text  # noqa: E402
from sqlalchemy.exc import OperationalError  # noqa: E402
from sqlalchemy.orm import Session, sessionmaker  # noqa: E402

from recommender.config import Settings  # noqa: E402
from recommender.storage.db import create_db_engine, session_factory  # noqa: E402
from recommender.storage.migrate import upgrade  # noqa: E402
from recommender.storage.models import Base  # noqa: E402

PG_SERVER = os.environ.get("DXE_TEST_PG_SERVER", "postgresql+psycopg://postgres@127.0.0.1:5432")
PG_ADMIN_DATABASES = ("postgres", "test")
SERVICE_TOKEN = "svc-" + "s" * 28
STAFF_TOKEN = "staff-" + "t" * 26
ENGINE_PRESENT = (REPO_ROOT / "recommender" / "engine" / "__init__.py").exists()
requires_engine = pytest.mark.skipif(not ENGINE_PRESENT, reason="recommender/engine not written yet")


def pytest_configure(config: pytest.Config) -> None:
    """Markers used here."""
    config.addinivalue_line("markers", "sqlite_only: the behaviour only exists on SQLite")
    config.addinivalue_line("markers", "postgresql_only: the behaviour only exists on PostgreSQL")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """SQLite-only behaviour (pragmas, file locking) is not collected for PostgreSQL, nor
    PostgreSQL-only behaviour (a NUMERIC column's precision) for SQLite."""
    dropped = [
        i for i in items
        if (i.get_closest_marker("sqlite_only") and "[postgresql" in i.nodeid)
        or (i.get_closest_marker("postgresql_only") and "[sqlite" in i.nodeid)
    ]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [i for i in items if i not in dropped]


def _admin_engine() -> Any:
    errors = []
    for database in PG_ADMIN_DATABASES:
        engine = create_engine(f"{PG_SERVER}/{database}", isolation_level="AUTOCOMMIT",
                               connect_args={"connect_timeout": 3})
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return engine
        except OperationalError as exc:
            errors.append(f"{database}: {str(exc.orig).strip().splitlines()[0]}")
            engine.dispose()
    pytest.skip(f"PostgreSQL unreachable at {PG_SERVER} ({'; '.join(errors)})")


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated, empty database of each backend (one per test session)."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'dxe.db'}"
        upgrade(url)
        yield url
        return
    admin = _admin_engine()
    name = f"dxe_test_{secrets.token_hex(6)}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = f"{PG_SERVER}/{name}"
        upgrade(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def database_url(backend_url: str) -> str:
    """The backend's database with every table emptied before the test."""
    engine = create_db_engine(backend_url)
    try:
        with engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                connection.execute(delete(table))
    finally:
        engine.dispose()
    return backend_url


@pytest.fixture
def is_sqlite(database_url: str) -> bool:
    """Whether this run uses SQLite."""
    return database_url.startswith("sqlite")


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Settings with valid tokens, no background refit and a Rasa URL nobody listens on."""
    return Settings(
        database_url=database_url, service_token=SERVICE_TOKEN, staff_token=STAFF_TOKEN,
        rasa_url="http://127.0.0.1:9", refit_seconds=0, rasa_timeout=2.0,
    )


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    """Session factory on the test database."""
    engine = create_db_engine(database_url)
    yield session_factory(engine)
    engine.dispose()


def item(item_id: str, vertical: str, category: str, **fields: Any) -> dict[str, Any]:
    """One import-format item row with sensible defaults."""
    row: dict[str, Any] = {
        "id": item_id, "vertical": vertical, "category": category,
        "title_zh": f"商品{item_id}", "title_en": f"Item {item_id}", "price": 100.0, "stock": 10,
    }
    row.update(fields)
    return row


def small_catalog() -> list[dict[str, Any]]:
    """A dozen items over the four verticals (allergens and risk levels included)."""
    return [
        item("p1", "product", "nuts", allergens=["tree_nut"], tastes=["savory"], price=39.9, brand="wild_hill"),
        item("p2", "product", "chocolate", allergens=["dairy"], tastes=["sweet"], price=25.0, brand="cocoa"),
        item("p3", "product", "tea", tastes=["mild"], price=68.0, brand="leaf"),
        item("f1", "fashion", "dress", colour="black", sizes=["S", "M"], occasions=["date"], price=329.0,
             brand="ninemoon"),
        item("f2", "fashion", "dress", colour="red", sizes=["M"], occasions=["party"], price=459.0, brand="ninemoon"),
        item("f3", "fashion", "jeans", colour="blue", sizes=["M", "L"], occasions=["casual"], price=199.0,
             brand="denim"),
        item("f4", "fashion", "sneakers", colour="white", sizes=["M"], occasions=["casual"], price=399.0,
             brand="stride"),
        item("f5", "fashion", "bag", colour="beige", occasions=["date", "work"], price=259.0, brand="carry"),
        item("d1", "dish", "stir_fry", tastes=["spicy"], allergens=["peanut"], price=48.0),
        item("d2", "dish", "tofu", tastes=["mild"], dietary=["vegetarian"], allergens=["soy"], price=32.0),
        item("n1", "finance", "deposit", risk_level=1, horizon_months=3, price=50.0, stock=9999),
        item("n2", "finance", "mixed_fund", risk_level=3, horizon_months=12, price=100.0, stock=9999),
        item("n3", "finance", "equity_fund", risk_level=5, horizon_months=36, price=100.0, stock=9999),
    ]


@pytest.fixture
def catalog(sessions: sessionmaker[Session]) -> list[dict[str, Any]]:
    """The small catalog, imported through the real importer."""
    from recommender.importers import import_item_rows

    rows = small_catalog()
    with sessions.begin() as session:
        import_item_rows(session, [(f"catalog:{i}", row) for i, row in enumerate(rows)])
    return rows


@pytest.fixture
def client(settings: Settings, catalog: list[dict[str, Any]]) -> Iterator[Any]:
    """A TestClient on a started app (engine fitted on the small catalog)."""
    from fastapi.testclient import TestClient

    from recommender.api.app import create_app

    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def service_headers() -> dict[str, str]:
    """Authorization with the service token."""
    return {"Authorization": f"Bearer {SERVICE_TOKEN}"}


@pytest.fixture
def staff_headers() -> dict[str, str]:
    """Authorization with the staff token."""
    return {"Authorization": f"Bearer {STAFF_TOKEN}"}
