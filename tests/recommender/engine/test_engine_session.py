"""Session feedback scoring (online.py): the sparse, candidates-only path against the
straightforward dense computation over the whole catalog it replaced."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from benchmarks import synthetic_catalog as synthetic
from recommender.engine import Engine, Filters, facade
from recommender.engine.content import ContentModel
from recommender.engine.online import CONTENT_SHARE, feedback_from_rows, session_similarity


def dense_session_similarity(
    content: ContentModel, knn_similarity, positions, weights, rows=None
) -> tuple[np.ndarray, np.ndarray]:
    """The straightforward computation: (feedback × catalog) dense rows of content cosine
    (``matrix_[positions] @ matrix_.T``) and item-kNN, over every item whatever ``rows``."""
    matrix = content.matrix_
    positions = np.asarray(positions, dtype=np.int64)
    if positions.size == 0:
        return np.zeros(matrix.shape[0]), np.full(matrix.shape[0], -1, dtype=np.int64)
    knn = knn_similarity[positions].toarray()
    cosine = (matrix[positions] @ matrix.T).toarray() if matrix.shape[1] else np.zeros_like(knn)
    similarity = CONTENT_SHARE * cosine + (1.0 - CONTENT_SHARE) * knn
    contributions = similarity * np.log1p(np.asarray(weights, dtype=float))[:, None]
    contributions[np.arange(positions.size), positions] = 0.0
    because = np.where(contributions.max(axis=0) > 0, positions[contributions.argmax(axis=0)], -1)
    return contributions.sum(axis=0), because.astype(np.int64)


@pytest.fixture(scope="module")
def fitted() -> tuple[Engine, pd.DataFrame, str]:
    rows = synthetic.synthetic_items(1500)
    columns = synthetic.synthetic_interactions(rows, 15_000)
    frame = pd.DataFrame({**columns, "created_at": pd.to_datetime(columns["created_at"], unit="s", utc=True)})
    return Engine.fit(pd.DataFrame(rows), frame), pd.DataFrame(rows), str(columns["shopper_id"][0])


def test_similarity_block_is_the_full_products_columns(fitted) -> None:
    engine, _, _ = fitted
    model = engine.content_
    n_items = model.matrix_.shape[0]
    rng = np.random.default_rng(1)
    for n_feedback in (1, 3, 20):
        items = rng.choice(n_items, size=n_feedback, replace=False)
        full = (model.matrix_[items] @ model.matrix_.T).toarray()
        # all items, a vertical-sized share, a pool, one item: both ways of computing are taken
        for rows in (
            np.arange(n_items),
            np.sort(rng.choice(n_items, 600, replace=False)),
            rng.choice(n_items, 30, replace=False),
            np.array([7]),
        ):
            block = model.similarity_block(items, rows)
            assert block.flags.c_contiguous
            assert np.array_equal(block, full[:, rows])  # bit for bit
    assert model.similarity_block(np.array([], dtype=np.int64), np.arange(5)).shape == (0, 5)
    assert model.similarity_block(np.array([3]), np.array([], dtype=np.int64)).shape == (1, 0)


def test_session_similarity_matches_the_dense_computation(fitted) -> None:
    engine, _, _ = fitted
    content, knn = engine.content_, engine.itemknn_.similarity_
    n_items = content.matrix_.shape[0]
    rng = np.random.default_rng(2)
    # a liked item next to its kNN neighbour, so an item is scored by another feedback item
    neighbour = int(knn[0].indices[0]) if knn[0].nnz else 1
    cases = [np.array([0, neighbour])] + [rng.choice(n_items, n, replace=False) for n in (1, 2, 10, 20)]
    for positions in cases:
        weights = rng.choice([2.0, 4.0, 5.0, 8.0, 14.0], size=positions.size)
        expected, expected_because = dense_session_similarity(content, knn, positions, weights)
        for rows in (None, np.flatnonzero(rng.random(n_items) < 0.3), rng.choice(n_items, 40, replace=False)):
            scores, because = session_similarity(content, knn, positions, weights, rows)
            inside = np.zeros(n_items, dtype=bool)
            inside[np.arange(n_items) if rows is None else rows] = True
            assert np.array_equal(scores[inside], expected[inside])  # the same additions, same order
            assert np.array_equal(because[inside], expected_because[inside])
            assert not scores[~inside].any() and (because[~inside] == -1).all()
    scores, because = session_similarity(content, knn, np.array([], dtype=np.int64), np.array([]))
    assert not scores.any() and (because == -1).all()


def test_recommendations_with_feedback_are_those_of_the_dense_computation(fitted, monkeypatch) -> None:
    engine, items, shopper = fitted
    ids = items.groupby("vertical")["id"].apply(list).to_dict()
    kinds = ("click", "like", "click", "cart", "dislike", "like", "purchase", "click", "dislike", "like")
    requests = [
        ("recommend", None, Filters(vertical="fashion", in_stock_only=True)),
        ("search", "spicy", Filters(vertical="dish", in_stock_only=True)),
        ("recommend", None, Filters()),  # every item is a candidate
    ]
    lists = []
    for (mode, query, filters), n_events in zip(requests * 2, (1, 2, 10) * 2, strict=True):
        vertical = ids[filters.vertical or "product"]
        rows = [(float(n), vertical[(7 * n + 3) % len(vertical)], kinds[n]) for n in range(n_events)]
        feedback = feedback_from_rows(rows, now=float(n_events))
        for who in (None, shopper):
            args = {"shopper_id": who, "mode": mode, "query": query, "filters": filters, "k": 8}
            lists.append((args, feedback))
    fast = [engine.recommend(**args, feedback=feedback)[0] for args, feedback in lists]
    monkeypatch.setattr(facade, "session_similarity", dense_session_similarity)
    dense = [engine.recommend(**args, feedback=feedback)[0] for args, feedback in lists]
    assert fast == dense  # ids, scores, algorithms and reasons
    assert any(s.algorithm == "session" for found in fast for s in found)
