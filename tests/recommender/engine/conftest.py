"""Fixtures for the ranking-engine tests: small hand-made catalogs and interaction tables."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
if str(REPO_ROOT) not in sys.path:  # `pytest` run from the venv does not add the repo root
    sys.path.insert(0, str(REPO_ROOT))

ITEM_DEFAULTS: dict[str, Any] = {
    "vertical": "product",
    "category": None,
    "title_zh": "",
    "title_en": "",
    "description_zh": "",
    "description_en": "",
    "brand": None,
    "colour": None,
    "sizes": [],
    "price": 10.0,
    "stock": 5,
    "tags": [],
    "tastes": [],
    "dietary": [],
    "allergens": [],
    "occasions": [],
    "slot": None,
    "risk_level": None,
    "horizon_months": None,
}


def _items(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return pd.DataFrame([{**ITEM_DEFAULTS, **row} for row in rows])


def _interactions(rows: list[tuple]) -> pd.DataFrame:
    """Rows (shopper_id, item_id, type[, value[, created_at]])."""
    records = []
    for row in rows:
        shopper, item, kind, *rest = row
        value = rest[0] if len(rest) > 0 else None
        created = rest[1] if len(rest) > 1 else "2024-05-01T10:00:00Z"
        records.append(
            {"shopper_id": shopper, "item_id": item, "type": kind, "value": value, "created_at": created}
        )
    return pd.DataFrame(records, columns=["shopper_id", "item_id", "type", "value", "created_at"])


@pytest.fixture
def make_items() -> Callable[[list[dict[str, Any]]], pd.DataFrame]:
    """Factory: items DataFrame from partial rows (missing columns get neutral defaults)."""
    return _items


@pytest.fixture
def make_interactions() -> Callable[[list[tuple]], pd.DataFrame]:
    """Factory: interactions DataFrame from (shopper, item, type[, value[, created_at]]) tuples."""
    return _interactions


@pytest.fixture
def dishes() -> pd.DataFrame:
    """A small menu with known tastes and allergens."""
    return _items(
        [
            {
                "id": "mapo",
                "vertical": "dish",
                "category": "tofu",
                "title_zh": "麻婆豆腐",
                "title_en": "Mapo tofu",
                "tastes": ["spicy", "numbing"],
                "allergens": ["soy"],
                "price": 38,
            },
            {
                "id": "mala",
                "vertical": "dish",
                "category": "tofu",
                "title_zh": "麻辣豆腐",
                "title_en": "Spicy tofu",
                "tastes": ["spicy"],
                "allergens": ["soy"],
                "price": 32,
            },
            {
                "id": "dandan",
                "vertical": "dish",
                "category": "noodles",
                "title_zh": "担担面",
                "title_en": "Dan dan noodles",
                "tastes": ["spicy"],
                "allergens": ["peanut", "gluten"],
                "price": 28,
            },
            {
                "id": "kungpao",
                "vertical": "dish",
                "category": "stir_fry",
                "title_zh": "宫保鸡丁",
                "title_en": "Kung pao chicken",
                "tastes": ["spicy", "sweet"],
                "allergens": ["peanut"],
                "price": 42,
            },
            {
                "id": "tomato_egg",
                "vertical": "dish",
                "category": "stir_fry",
                "title_zh": "番茄炒蛋",
                "title_en": "Tomato and egg stir-fry",
                "tastes": ["mild", "sweet"],
                "allergens": ["egg"],
                "price": 22,
            },
            {
                "id": "veg_soup",
                "vertical": "dish",
                "category": "soup",
                "title_zh": "素菜汤",
                "title_en": "Vegetable soup",
                "tastes": ["mild"],
                "dietary": ["vegan"],
                "price": 18,
            },
        ]
    )


@pytest.fixture
def funds() -> pd.DataFrame:
    """Financial products R1..R5, one without a risk level."""
    return _items(
        [
            {
                "id": "mm",
                "vertical": "finance",
                "category": "money_market",
                "title_zh": "货币基金A",
                "title_en": "Money market A",
                "risk_level": 1,
                "horizon_months": None,
                "tags": ["emergency"],
                "price": 1,
            },
            {
                "id": "bond",
                "vertical": "finance",
                "category": "bond_fund",
                "title_zh": "债券基金B",
                "title_en": "Bond fund B",
                "risk_level": 2,
                "horizon_months": 12,
                "tags": ["income"],
                "price": 1,
            },
            {
                "id": "mixed",
                "vertical": "finance",
                "category": "mixed_fund",
                "title_zh": "平衡混合C",
                "title_en": "Balanced fund C",
                "risk_level": 3,
                "horizon_months": 24,
                "tags": ["growth"],
                "price": 1,
            },
            {
                "id": "equity",
                "vertical": "finance",
                "category": "equity_fund",
                "title_zh": "股票基金D",
                "title_en": "Equity fund D",
                "risk_level": 5,
                "horizon_months": 36,
                "tags": ["growth"],
                "price": 1,
            },
            {
                "id": "unrated",
                "vertical": "finance",
                "category": "gold",
                "title_zh": "积存金E",
                "title_en": "Gold savings E",
                "risk_level": None,
                "horizon_months": 6,
                "price": 1,
            },
        ]
    )
