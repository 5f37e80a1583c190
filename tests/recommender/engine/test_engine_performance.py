"""Speed budget: fit on 500 items / 50,000 interactions well under 2 s, recommend under 20 ms."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from recommender.engine import Engine, Filters

VERTICALS = ("product", "fashion", "dish", "finance")
SLOTS = ("top", "bottom", "one_piece", "outerwear", "shoes", "accessory")
COLOURS = ("black", "white", "red", "blue", "navy", "green", "beige", "pink")
TASTES = ("spicy", "sweet", "sour", "savory", "mild", "numbing")
WORDS_ZH = ("香辣", "牛肉", "豆腐", "连衣裙", "衬衫", "基金", "饼干", "绿茶", "面条", "外套", "稳健", "手工")


def synthetic(
    n_items: int = 500, n_interactions: int = 50_000, seed: int = 0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    rows = []
    for n in range(n_items):
        vertical = VERTICALS[n % 4]
        words = rng.choice(WORDS_ZH, size=2, replace=False)
        rows.append(
            {
                "id": f"it{n}",
                "vertical": vertical,
                "category": f"cat{n % 9}",
                "title_zh": "".join(words) + str(n),
                "title_en": f"item {n} {words[0]}",
                "description_zh": "".join(rng.choice(WORDS_ZH, size=4)),
                "description_en": "a fine thing",
                "brand": f"brand{n % 13}",
                "colour": COLOURS[n % len(COLOURS)],
                "sizes": ["S", "M", "L"],
                "price": float(rng.integers(5, 2000)),
                "stock": int(rng.integers(0, 50)),
                "tags": ["gift"],
                "tastes": list(rng.choice(TASTES, size=1)) if vertical == "dish" else [],
                "dietary": [],
                "allergens": ["peanut"] if n % 7 == 0 else [],
                "occasions": ["work"] if n % 2 else ["date"],
                "slot": SLOTS[n % 6] if vertical == "fashion" else None,
                "risk_level": int(n % 5 + 1) if vertical == "finance" else None,
                "horizon_months": 12 if vertical == "finance" else None,
            }
        )
    popularity = rng.zipf(1.3, size=n_interactions) % n_items
    interactions = pd.DataFrame(
        {
            "shopper_id": [f"s{n}" for n in rng.integers(0, 3000, size=n_interactions)],
            "item_id": [f"it{n}" for n in popularity],
            "type": rng.choice(
                ["view", "click", "like", "dislike", "cart", "purchase", "rating"],
                size=n_interactions,
                p=[0.5, 0.2, 0.08, 0.02, 0.08, 0.1, 0.02],
            ),
            "value": rng.integers(1, 6, size=n_interactions).astype(float),
            "created_at": pd.Timestamp("2024-01-01", tz="UTC")
            + pd.to_timedelta(rng.integers(0, 180 * 86400, size=n_interactions), unit="s"),
        }
    )
    return pd.DataFrame(rows), interactions


@pytest.fixture(scope="module")
def big() -> tuple[pd.DataFrame, pd.DataFrame]:
    return synthetic()


def test_fit_is_fast(big) -> None:
    Engine.fit(big[0].head(5), big[1].head(5))  # first use pays jieba's one-off dictionary load
    started = time.perf_counter()
    engine = Engine.fit(*big)
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0, f"fit took {elapsed:.2f} s"
    assert len(engine.popular(k=10)) == 10


def test_recommend_is_fast(big) -> None:
    engine = Engine.fit(*big)
    shoppers = [f"s{n}" for n in range(30)] + [None]
    requests = [
        dict(mode="recommend", filters=Filters(vertical="dish", allergens=("peanut",))),
        dict(mode="search", query="香辣牛肉 spicy", filters=Filters(vertical="dish", tastes=("spicy",))),
        dict(mode="similar", anchor_item_id="it1"),
        dict(mode="outfit", anchor_item_id="it1", filters=Filters(occasion="work")),
        dict(mode="recommend", filters=Filters(vertical="finance", risk_max=3, horizon_months=24)),
    ]
    timings = []
    for shopper in shoppers:
        for request in requests:
            started = time.perf_counter()
            suggestions, _ = engine.recommend(shopper, k=5, **request)
            timings.append(time.perf_counter() - started)
            assert suggestions
    median = float(np.median(timings))
    assert median < 0.020, f"median recommend {median * 1000:.1f} ms"
