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


# --- the vectorised paths give what the per-item definitions give ------------------------------


def _reference_hard_mask(catalog, filters: Filters) -> np.ndarray:
    """The filters written one item at a time, as the docstrings of filters.py define them."""
    from recommender.engine.constants import EXCLUSIVE_TASTES
    from recommender.engine.filters import IMPLIED_DIETARY

    def lower(values) -> set[str]:
        return {str(v).strip().lower() for v in values if str(v).strip()}

    keep = []
    for i in range(len(catalog)):
        ok = True
        if filters.vertical:
            ok &= catalog.vertical[i] == filters.vertical.strip().lower()
        if filters.category:
            ok &= catalog.category[i] == filters.category.strip().lower()
        if filters.in_stock_only:
            ok &= catalog.stock[i] > 0
        ok &= str(catalog.ids[i]) not in set(map(str, filters.exclude_item_ids))
        ok &= str(catalog.brand[i]).lower() not in lower(filters.exclude_brands)
        ok &= catalog.colour[i] not in lower(filters.exclude_colours)
        if filters.size:
            sizes = {s.upper() for s in catalog.sizes[i]}
            ok &= not sizes or str(filters.size).strip().upper() in sizes
        wanted = lower(filters.tastes)
        forbidden = {o for t in wanted & EXCLUSIVE_TASTES for o in EXCLUSIVE_TASTES - {t}}
        ok &= wanted <= catalog.tastes[i] and not (catalog.tastes[i] & forbidden)
        for need in lower(filters.dietary):
            ok &= need in catalog.dietary[i] or bool(
                catalog.dietary[i] & IMPLIED_DIETARY.get(need, frozenset())
            )
        ok &= not (catalog.allergens[i] & lower(filters.allergens))
        if filters.risk_max is not None:
            ok &= catalog.risk_level[i] is not None and catalog.risk_level[i] <= filters.risk_max
        if filters.horizon_months is not None:
            ok &= (
                catalog.vertical[i] != "finance"
                or catalog.horizon_months[i] is None
                or catalog.horizon_months[i] <= filters.horizon_months
            )
        keep.append(bool(ok))
    return np.array(keep)


@pytest.mark.parametrize(
    "filters",
    [
        Filters(vertical="dish", tastes=("spicy",), allergens=("peanut",), in_stock_only=True),
        Filters(vertical="dish", tastes=("spicy", "mild")),
        Filters(dietary=("vegetarian",), exclude_brands=("Brand3", "brand4")),
        Filters(
            vertical="fashion", size=" m ", exclude_colours=("RED",), exclude_item_ids=("it1", "it9", "nope")
        ),
        Filters(vertical="finance", risk_max=3, horizon_months=6),
        Filters(horizon_months=24, category="cat2"),
        Filters(vertical="nowhere"),
    ],
)
def test_vectorised_hard_filters_match_the_per_item_definition(big, filters: Filters) -> None:
    from recommender.engine.catalog import Catalog
    from recommender.engine.filters import hard_mask

    items = big[0].copy()
    items.loc[items.index % 5 == 0, "sizes"] = pd.Series([[] for _ in range(len(items))])  # one-size items
    items.loc[items.index % 11 == 0, "dietary"] = pd.Series([["vegan"] for _ in range(len(items))])
    catalog = Catalog.from_frame(items)
    expected = _reference_hard_mask(catalog, filters)
    assert np.array_equal(hard_mask(catalog, filters), expected)


def test_best_per_column_is_the_dense_max_and_first_argmax() -> None:
    from recommender.engine.ranking import best_per_column

    rng = np.random.default_rng(3)
    dense = rng.choice([0.0, -1.0, 0.5, 0.25, 1.0], size=(6, 40))  # many ties and negatives
    rows, cols = np.nonzero(dense)
    best, source = best_per_column(rows, cols, dense[rows, cols], dense.shape[1])
    peak = dense.max(axis=0)
    assert np.array_equal(best, np.clip(peak, 0.0, None))
    assert np.array_equal(source, np.where(peak > 0, dense.argmax(axis=0), -1))


def test_scoring_only_the_candidates_gives_the_same_values(big) -> None:
    engine = Engine.fit(*big)
    candidates = np.flatnonzero(engine.catalog_.vertical == "dish")
    history, weights = engine.user_items_.history("s1")
    full = engine.content_.profile_scores(history, weights)
    part = engine.content_.profile_scores(history, weights, candidates)
    assert full[candidates].any() and np.allclose(full[candidates], part[candidates], rtol=1e-12, atol=0)
    assert not np.delete(part, candidates).any()
    tokens = ["attr:taste:spicy", "香辣"]
    full = engine.content_.query_scores(tokens)
    part = engine.content_.query_scores(tokens, candidates)
    for whole, some in zip(full, part, strict=True):
        assert np.array_equal(whole[candidates], some[candidates])
