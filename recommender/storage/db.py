"""Engine and session factories for SQLite (default) and PostgreSQL.

SQLite gets WAL journal mode, a 10 s busy timeout and foreign keys on every new
connection, and write transactions start with ``BEGIN IMMEDIATE`` so that two
processes writing the same file wait for each other instead of failing with
"database is locked". Read-only work can use ``readonly(engine)`` which starts a
deferred transaction and never takes the write lock.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from recommender import constants as C

READONLY_OPTION = "dxe_readonly"


def normalise_url(url: str) -> str:
    """Return a SQLAlchemy URL with an explicit driver.

    ``postgres://`` and ``postgresql://`` become ``postgresql+psycopg://`` (psycopg 3);
    a relative SQLite path is resolved against the repository root.
    """
    url = url.strip()
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            path = Path(database)
            if not path.is_absolute():
                path = C.REPO_ROOT / path
            return parsed.set(database=str(path)).render_as_string(hide_password=False)
    return url


def is_sqlite(url_or_engine: str | Engine) -> bool:
    """Whether a URL or engine points at SQLite."""
    if isinstance(url_or_engine, Engine):
        return url_or_engine.dialect.name == "sqlite"
    return make_url(normalise_url(url_or_engine)).get_backend_name() == "sqlite"


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take over transaction control from pysqlite so that BEGIN is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # WAL + NORMAL: commits do not wait for fsync (only checkpoints do); the database
        # cannot be corrupted by a crash, at worst the last commits before a power cut are lost.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={C.SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        readonly = connection.get_execution_options().get(READONLY_OPTION, False)
        connection.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


def create_db_engine(url: str) -> Engine:
    """Create an engine for ``url`` with the settings this service relies on."""
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"timeout": C.SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


def readonly(engine: Engine) -> Engine:
    """A view of ``engine`` whose transactions never take SQLite's write lock."""
    return engine.execution_options(**{READONLY_OPTION: True})


def session_factory(engine: Engine) -> sessionmaker[Session]:
    """Session factory bound to ``engine`` (objects stay usable after commit)."""
    return sessionmaker(bind=engine, expire_on_commit=False)


def refresh_statistics(engine: Engine) -> None:
    """Let SQLite's planner know the table sizes (``ANALYZE``; PostgreSQL's autovacuum does it).

    Without statistics SQLite may walk a boolean index over every interaction instead of
    the shopper's own rows: ~250 ms instead of ~1 ms per query at a million interactions.
    """
    if not is_sqlite(engine):
        return
    with engine.connect() as connection:
        connection.exec_driver_sql("ANALYZE")
        connection.commit()


def lock_until_commit(session: Session, key: str) -> None:
    """Hold a lock named ``key`` until the session's transaction ends, whether or not any row
    stands for it (a row lock on a shopper who has no row yet locks nothing).

    PostgreSQL: a transaction-level advisory lock on a 64-bit hash of the key, so two
    transactions taking the same key run one after the other. SQLite: the transaction begins
    now (a write session's ``BEGIN IMMEDIATE`` takes the database's one write lock), since
    a session begins lazily, at its first statement.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})
    else:
        session.connection()
