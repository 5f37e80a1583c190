"""HybridModel fits a catalog of k items or fewer (the weight search ranks every item then)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from models_testkit import N_ITEMS, LearnsCommunities, ModelInvariants  # noqa: E402

from recommender.models import EASEModel, HybridModel, ItemKNNModel, PopularityModel  # noqa: E402
from recommender.models.constants import DEFAULT_K  # noqa: E402


class TestHybridKAboveCatalog(ModelInvariants, LearnsCommunities):
    """The shared invariants with the weight-search cut-off above the checkerboard's 30 items."""

    def make_model(self):
        return HybridModel(
            [("ease", EASEModel(l2=5.0)), ("pop", PopularityModel())], weight_grid=(0.0, 0.5), k=N_ITEMS + 10
        )


class TestHybridKEqualsCatalog(ModelInvariants, LearnsCommunities):
    """k equal to the number of items: argpartition's kth would be one past the end."""

    def make_model(self):
        return HybridModel(
            [("ease", EASEModel(l2=5.0)), ("pop", PopularityModel())], weight_grid=(0.0, 0.5), k=N_ITEMS
        )


def small_catalog(n_items: int = 8, n_users: int = 30) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = [(f"u{u}", int(i), 1.0) for u in range(n_users) for i in rng.choice(n_items, 4, replace=False)]
    return pd.DataFrame(rows, columns=["user_id", "item_id", "weight"])


@pytest.mark.parametrize("n_items", [2, 5, 8, DEFAULT_K, DEFAULT_K + 1])
def test_default_k_on_a_catalog_of_at_most_k_items(n_items: int) -> None:
    # the audit's case: 8 items, 30 users, default k (10) -> "kth(=10) out of bounds (8)" before the fix
    data = small_catalog(max(n_items, 4))[lambda df: df.item_id < n_items]
    model = HybridModel([("pop", PopularityModel()), ("knn", ItemKNNModel())])
    assert model.k >= n_items - 1
    assert model.fit(data) is model
    assert set(model.weights_) == {"pop", "knn"} and model.weights_["pop"] == 1.0
    assert 0.0 <= model.validation_ndcg_ <= 1.0
    ids, scores = model.recommend("u0", k=model.k)
    seen = set(data.loc[data.user_id == "u0", "item_id"])
    assert set(ids.tolist()) == set(range(n_items)) - seen and np.all(np.isfinite(scores))


def test_small_catalog_weights_match_a_large_k() -> None:
    # with every item ranked, any k >= the catalog size gives the same nDCG, so the same weights
    data = small_catalog()
    fits = [
        HybridModel([("pop", PopularityModel()), ("knn", ItemKNNModel())], k=k).fit(data) for k in (8, 10, 50)
    ]
    assert all(fit.weights_ == fits[0].weights_ for fit in fits)
    assert all(fit.validation_ndcg_ == pytest.approx(fits[0].validation_ndcg_) for fit in fits)
