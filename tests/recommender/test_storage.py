"""Storage: URLs, SQLite pragmas, migrations, models, consent and concurrent writers."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import IntegrityError

from recommender import constants as C
from recommender.storage import frames, queries
from recommender.storage.db import create_db_engine, normalise_url, session_factory
from recommender.storage.migrate import alembic_config, upgrade
from recommender.storage.models import Base, Interaction, Item, Order, OrderLine, Shopper, utcnow

INJECTION = "Robert'); DROP TABLE items;-- <script>alert(1)</script> 1' OR '1'='1 \u200b\u202e😀\r\n"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u@h:5432/db", "postgresql+psycopg://u@h:5432/db"),  # plain URL gets psycopg 3
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),  # Heroku-style scheme
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),  # already explicit
        ("sqlite:////abs/x.db", "sqlite:////abs/x.db"),
    ],
)
def test_normalise_url(given: str, expected: str) -> None:
    assert normalise_url(given) == expected


def test_relative_sqlite_path_is_under_repo_root() -> None:
    assert (
        normalise_url("sqlite:///var/dianxiaoer.db") == f"sqlite:///{C.REPO_ROOT / 'var' / 'dianxiaoer.db'}"
    )


@pytest.mark.sqlite_only
def test_sqlite_pragmas(database_url: str, is_sqlite: bool) -> None:
    engine = create_db_engine(database_url)
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == C.SQLITE_BUSY_TIMEOUT_MS
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    finally:
        engine.dispose()


def test_migration_matches_models_and_ignores_foreign_tables(database_url: str) -> None:
    engine = create_db_engine(database_url)
    try:
        with engine.begin() as connection:  # a table Rasa's tracker store would own
            connection.execute(text("CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, data TEXT)"))
        upgrade(database_url)  # idempotent
        with engine.connect() as connection:
            names = set(inspect(connection).get_table_names())
            assert set(Base.metadata.tables) <= names
            assert "events" in names and C.ALEMBIC_VERSION_TABLE in names
            context = MigrationContext.configure(
                connection,
                opts={
                    "include_name": lambda name, type_, _p: type_ != "table" or name in Base.metadata.tables,
                    "compare_type": False,
                },
            )
            assert compare_metadata(context, Base.metadata) == []
    finally:
        with engine.begin() as connection:
            connection.execute(text("DROP TABLE events"))
        engine.dispose()


def test_no_model_uses_the_rasa_events_table() -> None:
    assert "events" not in Base.metadata.tables


def test_text_and_json_round_trip_verbatim(sessions, catalog) -> None:
    with sessions.begin() as session:
        shopper = queries.get_or_create_shopper(session, INJECTION[:100], default_consent=False)
        queries.update_shopper(session, shopper, profile={"note": INJECTION, "tastes": ["spicy", "中文"]})
        item = session.get(Item, "p1")
        item.title_en = INJECTION
    with sessions.begin() as session:
        shopper = session.get(Shopper, INJECTION[:100])
        assert shopper is not None and shopper.profile["note"] == INJECTION
        assert shopper.profile["tastes"] == ["spicy", "中文"]
        assert session.get(Item, "p1").title_en == INJECTION
        assert session.scalar(select(func.count(Item.id))) == len(catalog)


def test_risk_ceiling_outside_the_integer_range_is_clamped(sessions, catalog) -> None:
    """A profile's risk_level of 2**62 reached this query and failed it (500 on every list)."""
    with sessions() as session:
        assert queries.items_above_risk(session, 2**62) == []
        assert queries.items_above_risk(session, 10**20) == []
        assert sorted(queries.items_above_risk(session, -(2**70))) == ["n1", "n2", "n3"]
        assert queries.items_above_risk(session, 3) == ["n3"]


def test_foreign_keys_are_enforced(sessions, catalog) -> None:
    with pytest.raises(IntegrityError):
        with sessions.begin() as session:
            shopper = queries.get_or_create_shopper(session, "s1", default_consent=True)
            queries.add_interaction(
                session, shopper=shopper, item_id="no-such-item", type_="view", value=None, source="chat"
            )


def test_consent_decides_what_reaches_the_engine(sessions, catalog) -> None:
    with sessions.begin() as session:
        yes = queries.get_or_create_shopper(session, "yes", default_consent=True)
        no = queries.get_or_create_shopper(session, "no", default_consent=False)
        assert queries.add_interaction(
            session, shopper=yes, item_id="f1", type_="like", value=None, source="chat"
        ).used_for_personalisation
        assert not queries.add_interaction(
            session, shopper=no, item_id="f2", type_="like", value=None, source="chat"
        ).used_for_personalisation
    with sessions.begin() as session:
        assert list(frames.interactions_frame(session)["shopper_id"]) == ["yes"]
        queries.update_shopper(session, session.get(Shopper, "yes"), consent=False)  # withdrawal
    with sessions.begin() as session:
        assert frames.interactions_frame(session).empty
        assert session.scalar(select(func.count()).where(Interaction.used_for_personalisation.is_(True))) == 0
        assert session.get(Shopper, "yes").consent_updated_at is not None


def _write_interactions(url: str, worker: int, count: int) -> None:
    engine = create_db_engine(url)
    sessions = session_factory(engine)
    try:
        for n in range(count):
            with sessions.begin() as session:
                shopper = queries.get_or_create_shopper(session, f"w{worker}", default_consent=True)
                queries.add_interaction(
                    session, shopper=shopper, item_id="p1", type_="view", value=float(n), source="chat"
                )
                session.execute(select(func.count(Interaction.id))).scalar()  # read inside the write
    finally:
        engine.dispose()


def test_orders_frame_counts_what_was_paid_for_the_shops_goods(sessions, catalog) -> None:
    """Paid, not gross (a redeemed discount is not revenue); fund subscriptions are not shop revenue."""
    with sessions.begin() as session:
        items = {item.vertical: item for item in session.scalars(select(Item))}
        goods, fund = next(v for k, v in items.items() if k != "finance"), items["finance"]
        shopper = queries.get_or_create_shopper(session, "payer", default_consent=True)
        orders = {"full": ([(goods, 2)], 0.0), "offer": ([(goods, 1), (fund, 1)], 5.0), "fund_only": ([(fund, 3)], 0.0)}
        for order_id, (lines, discount) in orders.items():
            session.add(Order(id=order_id, shopper_id=shopper.id, total=sum(i.price * q for i, q in lines),
                              discount=discount, ordered_at=utcnow()))
            session.flush()
            for item, quantity in lines:
                session.add(OrderLine(order_id=order_id, item_id=item.id, quantity=quantity, unit_price=item.price))
    with sessions.begin() as session:
        frame = frames.orders_frame(session)
    price = float(goods.price)
    assert dict(zip(frame["order_id"], frame["amount"], strict=True)) == {
        "full": pytest.approx(2 * price), "offer": pytest.approx(price - 5.0)}


@pytest.mark.sqlite_only
def test_two_processes_write_sqlite_concurrently(
    database_url: str, is_sqlite: bool, sessions, catalog
) -> None:
    assert Path(database_url.removeprefix("sqlite:///")).exists()
    per_worker = 150
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_write_interactions, args=(database_url, w, per_worker)) for w in range(2)
    ]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=120)
    assert [p.exitcode for p in workers] == [0, 0]  # an OperationalError ("database is locked") exits 1
    with sessions.begin() as session:
        assert session.scalar(select(func.count(Interaction.id))) == 2 * per_worker


@pytest.mark.sqlite_only
def test_sqlite_reads_do_not_wait_for_a_writer(database_url: str, is_sqlite: bool, catalog) -> None:
    from recommender.storage.db import readonly

    engine = create_db_engine(database_url)
    try:
        with engine.connect() as writer:
            writer.begin()  # BEGIN IMMEDIATE: holds the write lock
            writer.execute(text("UPDATE items SET stock = stock + 1 WHERE id = 'p1'"))
            started = time.perf_counter()
            with readonly(engine).connect() as reader:
                assert reader.execute(select(func.count(Item.id))).scalar() == len(catalog)
            assert time.perf_counter() - started < 1.0
            writer.rollback()
    finally:
        engine.dispose()


@pytest.mark.sqlite_only
def test_planner_statistics_pick_the_shopper_index(database_url: str, sessions, catalog) -> None:
    from recommender.storage.db import refresh_statistics

    with sessions.begin() as session:
        for n in range(200):
            shopper = queries.get_or_create_shopper(session, f"sh{n}", default_consent=True)
            for item in ("p1", "p2", "p3"):
                queries.add_interaction(
                    session,
                    shopper=shopper,
                    item_id=item,
                    type_="click",
                    value=None,
                    source="test",
                    recommendation_id=None,
                )
    plan_sql = (
        "EXPLAIN QUERY PLAN SELECT item_id FROM interactions WHERE shopper_id = 'sh1' "
        "AND used_for_personalisation = 1 AND type IN ('like', 'click') ORDER BY id DESC LIMIT 50"
    )
    engine = create_db_engine(database_url)
    try:
        refresh_statistics(engine)
        with engine.connect() as connection:
            plan = " ".join(str(row[-1]) for row in connection.exec_driver_sql(plan_sql))
    finally:
        engine.dispose()
    assert "ix_interactions_shopper_created" in plan, plan


def test_migration_0005_adds_discounts_and_grants_and_reverts_without_losing_orders(
    database_url: str, sessions, catalog
) -> None:
    """Orders placed before 0005 get no discount; 0005 down and up again keeps orders and their lines."""
    engine = create_db_engine(database_url)
    config = alembic_config(database_url)

    def lines() -> list[tuple[str, str, int]]:
        with engine.connect() as connection:
            return [tuple(r) for r in connection.execute(text("SELECT order_id, item_id, quantity FROM order_lines"))]

    try:
        command.downgrade(config, "0004")
        with engine.begin() as connection:
            assert "discount" not in {c["name"] for c in inspect(connection).get_columns("orders")}
            connection.execute(text("INSERT INTO shoppers (id, channel, language, consent, profile, created_at, "
                                    "updated_at) VALUES ('m', 'web', 'zh', false, '{}', :t, :t)"), {"t": utcnow()})
            connection.execute(text("INSERT INTO orders (id, shopper_id, total, currency, source, ordered_at, "
                                    "created_at) VALUES ('o_old', 'm', 78, 'CNY', 'chat', :t, :t)"), {"t": utcnow()})
            connection.execute(text("INSERT INTO order_lines (order_id, item_id, quantity, unit_price) "
                                    "VALUES ('o_old', 'p1', 2, 39)"))
        upgrade(database_url)
        with sessions() as session:
            old = session.get(Order, "o_old")
            assert (old.total, old.discount, old.offer_code, old.payable) == (78.0, 0.0, None, 78.0)
        assert lines() == [("o_old", "p1", 2)]
        command.downgrade(config, "0004")
        assert lines() == [("o_old", "p1", 2)]  # reverting does not cascade into the lines
        with engine.connect() as connection:
            columns = {c["name"] for c in inspect(connection).get_columns("offer_events")}
            assert not columns & {"max_discount", "expires_at", "redeemed_order_id"}
    finally:
        upgrade(database_url)
        engine.dispose()
    assert lines() == [("o_old", "p1", 2)]


def test_migration_0006_adds_item_groups_and_reverts_without_losing_interactions(
    database_url: str, sessions, catalog, settings
) -> None:
    """Items imported before 0006 have no group; 0006 down and up keeps the items and their interactions."""
    engine = create_db_engine(database_url)
    config = alembic_config(database_url)

    def kept() -> tuple[int, int]:  # items, interactions
        with engine.connect() as connection:
            return (connection.scalar(text("SELECT count(*) FROM items")),
                    connection.scalar(text("SELECT count(*) FROM interactions")))

    try:
        with sessions.begin() as session:
            shopper = Shopper(id="g", consent=True)
            session.add(shopper)
            session.flush()
            queries.add_interaction(session, shopper=shopper, item_id="p1", type_="like", value=None, source="chat")
            session.get(Item, "p1").group_id = "snack-1"
        before = kept()
        assert before[1] == 1
        command.downgrade(config, "0005")
        with engine.connect() as connection:
            assert "group_id" not in {c["name"] for c in inspect(connection).get_columns("items")}
        assert kept() == before  # reverting does not cascade into the interactions
        upgrade(database_url)
        with sessions() as session:
            assert session.get(Item, "p1").group_id is None  # the group went with the column
            assert {row.group_id for row in frames.items_frame(session, settings).itertuples()} == {None}
        assert kept() == before
    finally:
        upgrade(database_url)
        engine.dispose()
