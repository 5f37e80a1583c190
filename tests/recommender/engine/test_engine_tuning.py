"""Blend weights fitted by leave-last-out validation."""

from __future__ import annotations

import numpy as np
import pytest

from recommender.engine.constants import HYBRID_WEIGHTS
from recommender.engine.tuning import MIN_CASES, SIGNALS, fit_blend_weights, weight_grid


def test_weight_grid_is_the_simplex() -> None:
    grid = weight_grid(0.25)
    assert grid.shape == (70, len(SIGNALS))  # C(4 + 4, 4) compositions of 4 quarters over 5 signals
    assert np.allclose(grid.sum(axis=1), 1.0) and (grid >= 0).all()
    assert any(np.array_equal(row, [1, 0, 0, 0, 0]) for row in grid)


def catalog(make_items, n: int = 30):
    return make_items(
        [
            {
                "id": f"i{n}",
                "vertical": "product",
                "category": "snacks",
                "title_zh": f"零食{n}",
                "title_en": f"snack {n}",
                "price": 10 + n,
                "stock": 5,
            }
            for n in range(n)
        ]
    )


def test_too_few_cases_keep_the_defaults(make_items, make_interactions) -> None:
    rows = [(f"s{u}", f"i{u}", "purchase", None, "2026-01-01T00:00:00Z") for u in range(MIN_CASES - 1)]
    rows += [(f"s{u}", f"i{u + 1}", "purchase", None, "2026-01-02T00:00:00Z") for u in range(MIN_CASES - 1)]
    fit = fit_blend_weights(catalog(make_items), make_interactions(rows))
    assert not fit.fitted and fit.weights == HYBRID_WEIGHTS and fit.cases == MIN_CASES - 1
    assert not fit_blend_weights(catalog(make_items), None).fitted


def test_weights_move_to_the_signal_that_predicts(make_items, make_interactions) -> None:
    # Each shopper's last purchase is the best seller they do not have yet, while their
    # earlier purchases are random: popularity predicts, the other signals are noise.
    rng = np.random.default_rng(0)
    rows = [
        (f"fan{b}-{f}", f"i{b}", "purchase", None, "2025-12-01T00:00:00Z")
        for b, fans in ((0, 40), (1, 30), (2, 20))
        for f in range(fans)
    ]
    for u in range(60):
        history = rng.choice(np.arange(5, 30), size=3, replace=False)
        rows += [(f"s{u}", f"i{h}", "purchase", None, "2026-01-01T00:00:00Z") for h in history]
        rows.append((f"s{u}", "i0", "purchase", None, "2026-01-02T00:00:00Z"))
    fit = fit_blend_weights(catalog(make_items), make_interactions(rows))
    assert fit.fitted and fit.cases == 60
    assert fit.weights["popularity"] >= 0.5 and sum(fit.weights.values()) == pytest.approx(1.0)
    assert fit.ndcg == pytest.approx(1.0) and fit.ndcg > fit.default_ndcg


def test_validation_ranks_the_candidates_the_service_ranks(make_items, make_interactions) -> None:
    """Bought and disliked items are out, as live; viewed, clicked, carted and liked ones stay in."""
    from recommender.engine import Engine
    from recommender.engine.tuning import serving_candidates

    items = catalog(make_items, n=10)
    at = "2026-01-01T00:00:00Z"
    rows = [("s", "i0", "purchase", None, at), ("s", "i1", "view", None, at), ("s", "i2", "click", None, at),
            ("s", "i3", "cart", None, at), ("s", "i4", "like", None, at), ("s", "i5", "dislike", None, at),
            ("t", "i0", "purchase", None, at), ("t", "i6", "purchase", None, at)]
    engine = Engine.fit(items, make_interactions(rows))
    index = engine.catalog_.index
    in_stock = np.ones(len(index), dtype=bool)
    in_stock[index["i9"]] = False
    mask = serving_candidates(engine, "s", index["i7"], in_stock)
    kept = {item for item, position in index.items() if mask[position]}
    assert kept == {"i1", "i2", "i3", "i4", "i6", "i7", "i8"}
    # the held-out item is always a candidate, even one the shopper bought before
    assert serving_candidates(engine, "s", index["i0"], in_stock)[index["i0"]]
