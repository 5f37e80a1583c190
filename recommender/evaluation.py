"""Offline evaluation: the stratified split and ranking metrics of the MovieLens protocol.

The protocol is the one of recommenders-team/recommenders 1.2.1 (see
``../shared/datasets/movielens-100k/SOURCE.md``): a random 75/25 split stratified per
item with ``np.random.seed(42)``, top-k lists with seen items removed, binary relevance
(every held-out interaction is relevant), and metrics averaged over the test users.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .models.constants import COL_ITEM, COL_USER, DEFAULT_K, DEFAULT_SEED

#: Share of each item's interactions kept for training in the protocol split.
TRAIN_RATIO = 0.75


class Recommends(Protocol):
    """Anything with the models' ``recommend`` signature."""

    def recommend(
        self, user_ids: Any, k: int = ..., exclude_seen: bool = ...
    ) -> tuple[np.ndarray, np.ndarray]: ...


def stratified_split(
    interactions: pd.DataFrame, ratio: float = TRAIN_RATIO, seed: int = DEFAULT_SEED, by: str = COL_ITEM
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Random split stratified per ``by`` (the item by default), as recommenders 1.2.1 does it.

    One uniform random number per row in frame order from ``np.random.RandomState(seed)``
    (the same stream as ``np.random.seed(seed)``); rows sorted by (group, random); a row
    goes to train when its 1-based rank in its group is at most ``round(ratio * size)``
    (numpy rounding, half to even). Both parts keep the original row order and index.
    """
    if not 0.0 < ratio < 1.0:
        raise ValueError(f"ratio must be in (0, 1), got {ratio}")
    if by not in interactions.columns:
        raise ValueError(f"Required column {by!r} missing from interactions")
    random = np.random.RandomState(seed).rand(len(interactions))
    frame = pd.DataFrame(
        {"group": interactions[by].to_numpy(), "random": random, "row": np.arange(len(interactions))}
    )
    frame = frame.sort_values(["group", "random"], kind="mergesort")
    rank = frame.groupby("group", sort=False).cumcount().to_numpy() + 1
    size = frame.groupby("group", sort=False)["row"].transform("size").to_numpy()
    in_train = np.zeros(len(interactions), dtype=bool)
    in_train[frame["row"].to_numpy()] = rank <= np.round(ratio * size)
    return interactions[in_train], interactions[~in_train]


def _hits(recommended: Sequence[Sequence[Any]], relevant: Sequence[set[Any]], k: int) -> list[np.ndarray]:
    if len(recommended) != len(relevant):
        raise ValueError(f"{len(recommended)} recommendation lists for {len(relevant)} users")
    if k <= 0:
        raise ValueError(f"k must be positive, got {k}")
    if any(len(truth) == 0 for truth in relevant):
        raise ValueError("every evaluated user needs at least one relevant item")
    return [
        np.array([item in truth for item in list(items)[:k]], dtype=bool)
        for items, truth in zip(recommended, relevant, strict=True)
    ]


def precision_at_k(
    recommended: Sequence[Sequence[Any]], relevant: Sequence[set[Any]], k: int = DEFAULT_K
) -> float:
    """Mean over users of hits in the top ``k`` divided by ``k``."""
    return float(np.mean([hit.sum() / k for hit in _hits(recommended, relevant, k)]))


def recall_at_k(
    recommended: Sequence[Sequence[Any]], relevant: Sequence[set[Any]], k: int = DEFAULT_K
) -> float:
    """Mean over users of hits in the top ``k`` divided by the number of relevant items."""
    hits = _hits(recommended, relevant, k)
    return float(np.mean([hit.sum() / len(truth) for hit, truth in zip(hits, relevant, strict=True)]))


def ndcg_at_k(
    recommended: Sequence[Sequence[Any]], relevant: Sequence[set[Any]], k: int = DEFAULT_K
) -> float:
    """Mean nDCG@k with binary gains and a 1/ln(1 + rank) discount; ideal over min(k, |relevant|)."""
    discount = 1.0 / np.log1p(np.arange(1, k + 1))
    values = []
    for hit, truth in zip(_hits(recommended, relevant, k), relevant, strict=True):
        ideal = discount[: min(k, len(truth))].sum()
        values.append(discount[: hit.size][hit].sum() / ideal)
    return float(np.mean(values))


def map_score(
    recommended: Sequence[Sequence[Any]], relevant: Sequence[set[Any]], k: int = DEFAULT_K
) -> float:
    """The recommenders library's ``map()``: sum of precision at each hit, over |relevant|, averaged."""
    values = []
    for hit, truth in zip(_hits(recommended, relevant, k), relevant, strict=True):
        ranks = np.flatnonzero(hit) + 1
        values.append((np.arange(1, ranks.size + 1) / ranks).sum() / len(truth))
    return float(np.mean(values))


def relevant_items(test: pd.DataFrame) -> dict[Any, set[Any]]:
    """Each test user's held-out items (binary relevance)."""
    return {user: set(items) for user, items in test.groupby(COL_USER, sort=True)[COL_ITEM]}


def evaluate(model: Recommends, test: pd.DataFrame, k: int = DEFAULT_K) -> dict[str, float]:
    """The four protocol metrics of a fitted model on the test frame (seen items removed)."""
    truth = relevant_items(test)
    users = list(truth)
    ids, _ = model.recommend(users, k=k, exclude_seen=True)
    lists = [list(row) for row in ids]
    relevant = [truth[u] for u in users]
    return {
        "map": map_score(lists, relevant, k),
        f"ndcg@{k}": ndcg_at_k(lists, relevant, k),
        f"precision@{k}": precision_at_k(lists, relevant, k),
        f"recall@{k}": recall_at_k(lists, relevant, k),
    }


def timed_fit(model: Any, train: pd.DataFrame) -> float:
    """Fit the model and return the wall-clock seconds it took."""
    start = time.perf_counter()
    model.fit(train)
    return time.perf_counter() - start


def beyond_accuracy(lists: Sequence[Sequence[Any]], train: pd.DataFrame) -> dict[str, float]:
    """Catalog coverage, intra-list diversity, novelty and popularity-bias ratio of top-k lists.

    ``train`` (user_id, item_id) defines the catalog (its items), item popularity (distinct
    users per item) and the item vectors (binary user columns):

    - ``coverage``: share of the catalog that appears in at least one list;
    - ``diversity`` (intra-list): mean over lists of the mean pairwise cosine *distance*
      between the items' user vectors (1 = never co-consumed, 0 = identical audiences);
    - ``novelty``: mean self-information ``-log2(popularity / n_users)`` of the recommended
      items (higher = less obvious picks);
    - ``popularity_bias_ratio``: share of recommendation slots given to the least popular
      half of the catalog divided by that half's share of the training interactions (1 =
      exposure in proportion to interactions, below 1 = the model favours the popular half).
    """
    users = pd.Index(pd.unique(train[COL_USER]))
    catalog = pd.Index(pd.unique(train[COL_ITEM]))
    rows = catalog.get_indexer(train[COL_ITEM])
    cols = users.get_indexer(train[COL_USER])
    matrix = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(catalog), len(users)))
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    popularity = np.asarray(matrix.sum(axis=1)).ravel()
    norms = np.sqrt(popularity)
    unit = sp.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ matrix
    positions = [catalog.get_indexer(list(row)) for row in lists]
    positions = [p[p >= 0] for p in positions]
    shown = np.concatenate(positions) if positions else np.array([], dtype=np.int64)
    coverage = len(np.unique(shown)) / len(catalog) if len(catalog) else 0.0
    distances = []
    for p in positions:
        if len(p) < 2:
            continue
        sims = (unit[p] @ unit[p].T).toarray()
        upper = np.triu_indices(len(p), k=1)
        distances.append(float(np.mean(1.0 - sims[upper])))
    novelty = float(np.mean(-np.log2(popularity[shown] / len(users)))) if shown.size else 0.0
    order = np.lexsort((np.arange(len(catalog)), popularity))  # least popular first, ties by position
    tail = np.zeros(len(catalog), dtype=bool)
    tail[order[: len(catalog) // 2]] = True
    tail_interactions = popularity[tail].sum() / popularity.sum() if popularity.sum() else 0.0
    tail_exposure = float(tail[shown].mean()) if shown.size else 0.0
    return {
        "coverage": float(coverage),
        "diversity": float(np.mean(distances)) if distances else 0.0,
        "novelty": novelty,
        "popularity_bias_ratio": float(tail_exposure / tail_interactions) if tail_interactions else 0.0,
    }
