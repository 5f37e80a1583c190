"""User-based kNN (cosine, Pearson) and PureSVD against direct numpy computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recommender.models import PureSVDModel, UserKNNModel


def _random_interactions(
    seed: int = 0, users: int = 25, items: int = 18, density: float = 0.3
) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    mask = rng.random((users, items)) < density
    mask[np.arange(users), rng.integers(0, items, users)] = True  # nobody empty
    u, i = np.nonzero(mask)
    # distinct weights: no ties among similarities, so the kept neighbours are unambiguous
    return pd.DataFrame({"user_id": [f"u{x}" for x in u], "item_id": i, "weight": rng.uniform(1, 5, len(u))})


def _dense(model) -> np.ndarray:
    return model.user_items_.toarray() > 0


def _weights(model) -> np.ndarray:
    return model.user_items_.toarray()


@pytest.mark.parametrize("similarity", ["cosine", "pearson"])
def test_user_scores_match_a_direct_computation(similarity: str) -> None:
    data = _random_interactions()
    model = UserKNNModel(neighbors=5, shrinkage=2.0, similarity=similarity, binary=False).fit(data)
    x = _weights(model)
    if similarity == "pearson":
        centred = x - x.mean(axis=1, keepdims=True)
        num = centred @ centred.T
        norms = np.linalg.norm(centred, axis=1)
    else:
        num = x @ x.T
        norms = np.linalg.norm(x, axis=1)
    sim = num / (np.outer(norms, norms) + 2.0)
    np.fill_diagonal(sim, 0.0)
    sim = np.maximum(sim, 0.0)
    for row in sim:  # keep the 5 largest per user
        row[np.argsort(-row, kind="stable")[5:]] = 0.0
    expected = sim @ x
    got = model.score_users(list(model.user_ids_))
    np.testing.assert_allclose(got, expected, atol=1e-9)


def test_pearson_matches_numpy_corrcoef_without_shrinkage() -> None:
    data = _random_interactions(seed=3)
    model = UserKNNModel(neighbors=0, shrinkage=0.0, similarity="pearson").fit(data)
    rows = np.arange(len(model.user_ids_))
    corr = np.corrcoef(_dense(model).astype(float))
    np.fill_diagonal(corr, 0.0)
    np.testing.assert_allclose(model._user_similarity(rows), np.maximum(corr, 0.0), atol=1e-9)


def test_pearson_discounts_overlap_explained_by_activity() -> None:
    # "heavy" rated everything: cosine still finds them close to everyone, Pearson (no variance) does not
    rows = [("heavy", i) for i in range(10)] + [("a", 0), ("a", 1), ("b", 0), ("b", 1), ("c", 5)]
    data = pd.DataFrame(rows, columns=["user_id", "item_id"])
    cosine = UserKNNModel(neighbors=0, shrinkage=0.0, similarity="cosine").fit(data)
    pearson = UserKNNModel(neighbors=0, shrinkage=0.0, similarity="pearson").fit(data)
    a = cosine.user_index_["a"]
    heavy = cosine.user_index_["heavy"]
    assert cosine._user_similarity(np.array([a]))[0, heavy] > 0.4
    assert pearson._user_similarity(np.array([a]))[0, heavy] == 0.0
    assert pearson._user_similarity(np.array([a]))[0, pearson.user_index_["b"]] == pytest.approx(1.0)


def test_unknown_similarity_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="similarity must be one of"):
        UserKNNModel(similarity="jaccard").fit(_random_interactions())


def test_puresvd_full_rank_rebuilds_the_matrix_projection() -> None:
    data = _random_interactions(seed=5, users=30, items=12)
    model = PureSVDModel(factors=11).fit(data)  # min(30, 12) - 1 = 11 directions
    x = _dense(model).astype(float)
    _, _, vt = np.linalg.svd(x, full_matrices=False)
    v = vt[:11].T
    np.testing.assert_allclose(model.score_users(list(model.user_ids_)), x @ v @ v.T, atol=1e-6)


def test_puresvd_rejects_zero_factors() -> None:
    with pytest.raises(ValueError, match="factors must be >= 1"):
        PureSVDModel(factors=0).fit(_random_interactions())
