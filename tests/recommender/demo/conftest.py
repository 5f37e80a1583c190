"""Shared fixtures for the demo-data tests (catalog and history are built once per session)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
if str(REPO_ROOT) not in sys.path:  # the repository is not installed as a package
    sys.path.insert(0, str(REPO_ROOT))

from recommender.demo.catalog import build_catalog  # noqa: E402
from recommender.demo.history import generate_history  # noqa: E402
from recommender.demo.vocab import load_vocabulary  # noqa: E402


@pytest.fixture(scope="session")
def vocabulary() -> dict[str, Any]:
    return load_vocabulary()


@pytest.fixture(scope="session")
def catalog() -> list[dict[str, Any]]:
    return build_catalog()


@pytest.fixture(scope="session")
def items_by_id(catalog: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["id"]: item for item in catalog}


@pytest.fixture(scope="session")
def history(catalog: list[dict[str, Any]]) -> dict[str, list]:
    return generate_history(catalog, n_shoppers=400, seed=42)
