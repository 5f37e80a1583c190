"""Score blending of several models with weights fitted on a validation split of the training data."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .base import RecommenderModel
from .constants import COL_USER, DEFAULT_K, DEFAULT_SEED

#: Candidate weights of each component in the blend search (the first component is fixed at 1).
DEFAULT_WEIGHT_GRID = (0.0, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0, 1.5)


def normalise(scores: np.ndarray, seen: sp.csr_matrix) -> np.ndarray:
    """Per-user z-scores over the unseen items, so that models on different scales can be added."""
    masked = scores.copy()
    rows, cols = seen.nonzero()
    masked[rows, cols] = np.nan
    mean = np.nanmean(masked, axis=1, keepdims=True)
    std = np.nanstd(masked, axis=1, keepdims=True)
    std[~np.isfinite(std) | (std == 0)] = 1.0
    return (scores - np.nan_to_num(mean)) / std


class HybridModel(RecommenderModel):
    """Weighted sum of per-user normalised component scores.

    ``fit`` splits the interactions (stratified per item, ``validation_ratio`` held
    out, ``random_state``), fits every component on the rest, and picks the weights
    from ``weight_grid`` that maximise nDCG@``k`` on the held-out part; then refits every
    component on all the interactions. The weights are never hand-set.

    Parameters
    ----------
    models : sequence of (name, RecommenderModel)
        Components with their hyper-parameters; the first one has weight 1.
    validation_ratio : float
        Share of each item's interactions held out to fit the weights.
    weight_grid : sequence of float
        Candidate weights of the other components (relative to the first).
    k : int
        Cut-off of the nDCG used to choose the weights.
    random_state : int
        Seed of the validation split.

    Attributes
    ----------
    weights_ : dict of str to float
    validation_ndcg_ : float
    models_ : list of fitted components
    """

    def __init__(
        self,
        models: Sequence[tuple[str, RecommenderModel]] = (),
        validation_ratio: float = 0.25,
        weight_grid: Sequence[float] = DEFAULT_WEIGHT_GRID,
        k: int = DEFAULT_K,
        random_state: int = DEFAULT_SEED,
    ) -> None:
        self.models = models
        self.validation_ratio = validation_ratio
        self.weight_grid = weight_grid
        self.k = k
        self.random_state = random_state

    def _fit(self, user_items: sp.csr_matrix, interactions: pd.DataFrame) -> None:
        from ..evaluation import ndcg_at_k, relevant_items, stratified_split

        if not self.models:
            raise ValueError("HybridModel needs at least one (name, model) component")
        names = [name for name, _ in self.models]
        if len(set(names)) != len(names):
            raise ValueError(f"component names must be unique, got {names}")
        components = [_clone(model) for _, model in self.models]
        weights = np.ones(len(components))
        self.validation_ndcg_ = float("nan")
        if len(components) > 1:
            inner, held_out = stratified_split(
                interactions, 1.0 - self.validation_ratio, seed=self.random_state
            )
            truth = relevant_items(held_out[held_out[COL_USER].isin(set(inner[COL_USER]))])
            users = list(truth)
            relevant = [truth[u] for u in users]
            blocks = []
            for model in components:
                model.fit(inner, items=self.item_ids_)
                rows = np.array([model.user_index_[u] for u in users])
                blocks.append(normalise(model.score_users(users), model.user_items_[rows]))
            seen = components[0].user_items_[np.array([components[0].user_index_[u] for u in users])]
            item_ids = components[0].item_ids_
            # a catalog of k items or fewer: every item is in the top k (argpartition needs kth < n)
            everything = np.broadcast_to(np.arange(item_ids.size), (len(users), item_ids.size))
            best = -1.0
            for tail in itertools.product(self.weight_grid, repeat=len(components) - 1):
                candidate = np.array((1.0, *tail))
                blend = sum(w * b for w, b in zip(candidate, blocks, strict=True) if w)
                blend[seen.nonzero()] = -np.inf
                if self.k < item_ids.size:
                    top = np.argpartition(-blend, self.k, axis=1)[:, : self.k]
                else:
                    top = everything
                order = np.take_along_axis(blend, top, axis=1).argsort(axis=1)[:, ::-1]
                lists = item_ids[np.take_along_axis(top, order, axis=1)]
                value = ndcg_at_k(lists.tolist(), relevant, self.k)
                if value > best:
                    best, weights = value, candidate
            self.validation_ndcg_ = best
        self.weights_ = dict(zip(names, weights.tolist(), strict=True))
        for model in components:
            model.fit(interactions, items=self.item_ids_)
        self.models_ = components

    def _score(self, rows: np.ndarray, user_items: sp.csr_matrix) -> np.ndarray:
        users = self.user_ids_[rows]
        total = np.zeros((rows.size, len(self.item_ids_)))
        for (name, _), model in zip(self.models, self.models_, strict=True):
            if self.weights_[name]:
                total += self.weights_[name] * normalise(model.score_users(users), user_items[rows])
        return total


def _clone(model: RecommenderModel) -> RecommenderModel:
    """A new unfitted model with the same hyper-parameters."""
    return type(model)(**model.get_params())


__all__ = ["HybridModel", "normalise"]
