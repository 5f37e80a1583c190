"""Deployment files: docker-compose.yml (no Docker engine here, so its structure is
checked), Rasa endpoints, and the supervisor's derivation of Rasa's database settings."""

import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from stack import free_port, rasa_db_env  # noqa: E402


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_three_processes_and_their_stores(compose):
    assert {"postgres", "redis", "recommender", "actions", "rasa"} <= set(compose["services"])


def test_compose_runs_two_rasa_replicas_with_redis_lock_store(compose):
    rasa = compose["services"]["rasa"]
    assert rasa["deploy"]["replicas"] == 2
    assert "endpoints.replicas.yml" in rasa["command"]
    endpoints = yaml.safe_load((ROOT / "bot/endpoints.replicas.yml").read_text())
    assert endpoints["lock_store"]["type"] == "redis"
    assert endpoints["tracker_store"]["type"] == "SQL"
    assert "--enable-api" not in rasa["command"]


def test_compose_secrets_are_required_not_defaulted(compose):
    text = (ROOT / "docker-compose.yml").read_text()
    for name in ("POSTGRES_PASSWORD", "DXE_SERVICE_TOKEN", "DXE_STAFF_TOKEN"):
        assert f"${{{name}:?" in text, name
    assert "ports" not in compose["services"]["actions"], "the action server is never published"


def test_default_endpoints_use_sql_tracker_store():
    endpoints = yaml.safe_load((ROOT / "bot/endpoints.yml").read_text())
    assert endpoints["tracker_store"]["type"] == "SQL"


@pytest.mark.parametrize("url,dialect,rasa_url", [
    ("sqlite:////tmp/x.db", "sqlite", "sqlite:////tmp/x.db"),
    ("postgresql://postgres@127.0.0.1:5432/test", "postgresql", "postgresql://postgres@127.0.0.1:5432/test"),
    ("postgresql+psycopg://u:p@db/x", "postgresql", "postgresql://u:p@db/x"),
])
def test_rasa_uses_the_same_database(url, dialect, rasa_url):
    env = rasa_db_env(url)
    assert env == {"RASA_DB_DIALECT": dialect, "RASA_DB_URL": rasa_url}


def test_unsupported_database_is_refused():
    with pytest.raises(SystemExit):
        rasa_db_env("mysql://root@localhost/x")


def test_free_port_never_hands_out_the_same_port_twice() -> None:
    """Three services of one stack once got two identical ports from back-to-back bind(0) calls."""
    ports = [free_port() for _ in range(300)]
    assert len(set(ports)) == len(ports) and all(1024 <= port <= 65535 for port in ports)
