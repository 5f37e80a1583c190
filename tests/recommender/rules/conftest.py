"""Fixtures for the association-rule tests: the textbook market-basket example."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
if str(REPO_ROOT) not in sys.path:  # `pytest` run from the venv does not add the repo root
    sys.path.insert(0, str(REPO_ROOT))

GROCERIES_CSV = REPO_ROOT.parent / "shared" / "datasets" / "retail-baskets" / "groceries.csv"  # ../shared, read in place


@pytest.fixture
def textbook_baskets() -> list[list[str]]:
    """Five baskets (Tan, Steinbach & Kumar, Introduction to Data Mining, table 6.1)."""
    return [
        ["bread", "milk"],
        ["bread", "diapers", "beer", "eggs"],
        ["milk", "diapers", "beer", "cola"],
        ["bread", "milk", "diapers", "beer"],
        ["bread", "milk", "diapers", "cola"],
    ]


@pytest.fixture
def groceries_path() -> Path:
    """The Groceries data set, or a skip saying where it was looked for."""
    if not GROCERIES_CSV.is_file():
        pytest.skip(f"Groceries data set not found at {GROCERIES_CSV} (see retail-baskets/SOURCE.md)")
    return GROCERIES_CSV
