"""The production configuration: all three services on one PostgreSQL database.
Rasa's conversations land in the same database as the recommender's data."""

import uuid

import pytest
from conftest import Chat, cards
from stack import Stack, free_port

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


@pytest.fixture(scope="module")
def pg_stack(tmp_path_factory):
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL not reachable on 127.0.0.1:5432: {exc}")
    name = f"dxe_e2e_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    s = Stack(database_url=f"postgresql://postgres@127.0.0.1:5432/{name}",
              reco_port=free_port(), actions_port=free_port(), rasa_port=free_port(),
              log_dir=tmp_path_factory.mktemp("pg") / "log")
    try:
        s.prepare_database()
        s.start()
        s.wait_ready()
        yield s, name
    finally:
        s.stop()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_conversation_on_postgresql(pg_stack):
    import psycopg

    stack, name = pg_stack
    chat = Chat(stack, uuid.uuid4().hex)
    shown = cards(chat.say("我想买一条适合约会的连衣裙，500元以内"))
    assert shown and all(c["category"] == "dress" and c["price"] <= 500 for c in shown)
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{name}") as db:
        events = db.execute("SELECT count(*) FROM events WHERE sender_id = %s", (chat.sender,)).fetchone()[0]
        logged = db.execute("SELECT count(*) FROM recommendation_log WHERE shopper_id = %s",
                            (chat.sender,)).fetchone()[0]
    assert events >= 3, "Rasa's tracker store writes to the same PostgreSQL database"
    assert logged == 1, "the list shown is logged for attribution"
