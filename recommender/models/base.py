"""Common estimator interface for the ranking models used in offline evaluation."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Any, Union

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .constants import COL_ITEM, COL_USER, COL_WEIGHT, SCORE_CHUNK_ROWS

#: Allowed candidates: a boolean mask aligned with ``item_ids_`` (1-D, or 2-D with one
#: row per requested user), or a callable that maps ``item_ids_`` to such a 1-D mask.
Filters = Union[np.ndarray, Callable[[np.ndarray], np.ndarray], None]


class NotFittedError(RuntimeError):
    """Raised when ``recommend`` or ``similar_items`` is called before ``fit``."""

    def __init__(self, name: str) -> None:
        super().__init__(f"{name} is not fitted yet: call fit(interactions) first")


def pad_value(dtype: np.dtype) -> Any:
    """The id that fills unused slots of a batch result: -1 for integer ids, else None/NaN."""
    if dtype.kind in "iu":
        return -1
    if dtype.kind == "f":
        return np.nan
    return None


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` largest finite scores, best first; ties go to the lower position.

    Exact and deterministic: every score tied with the k-th one is a candidate, and the
    candidates are ordered by (-score, position).
    """
    finite = np.flatnonzero(np.isfinite(scores))
    if finite.size == 0 or k <= 0:
        return np.empty(0, dtype=np.int64)
    values = scores[finite]
    if finite.size > k:
        kth = np.partition(values, finite.size - k)[finite.size - k]
        keep = values >= kth
        finite, values = finite[keep], values[keep]
    order = np.lexsort((finite, -values))[:k]
    return finite[order]


class RecommenderModel(ABC):
    """Base class of every ranking model (scikit-learn conventions).

    Contract: hyper-parameters are keyword arguments of ``__init__`` stored under the
    same name, with no logic; ``fit(interactions)`` takes a DataFrame with columns
    ``user_id``, ``item_id`` and optional ``weight`` (default 1; repeated pairs add up)
    and ``timestamp``, and returns ``self``; learned state lives in attributes ending in
    ``_``. Subclasses implement ``_fit(user_items)`` on the user x item CSR matrix and
    ``_score(rows, user_items)`` which returns dense scores (higher is better).

    Users unseen in ``fit`` (cold users) get the most popular items. Catalog items with
    no interaction (cold items, passed through ``fit(..., items=...)``) are part of
    ``item_ids_`` and score like any item the model knows nothing about.

    Attributes
    ----------
    user_ids_, item_ids_ : ndarray
        External ids, in the order of the matrix rows and columns.
    user_items_ : csr_matrix of shape (n_users, n_items)
        The (weighted) interaction matrix seen in ``fit``.
    item_popularity_ : ndarray of shape (n_items,)
        Number of distinct users per item (the cold-user fallback).
    """

    def get_params(self) -> dict[str, Any]:
        """The hyper-parameters, as passed to ``__init__``."""
        import inspect

        names = [p for p in inspect.signature(type(self).__init__).parameters if p != "self"]
        return {name: getattr(self, name) for name in names}

    def set_params(self, **params: Any) -> RecommenderModel:
        """Set hyper-parameters by name (unknown names raise ``ValueError``)."""
        valid = self.get_params()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(
                    f"{type(self).__name__} has no hyper-parameter {name!r}; valid: {sorted(valid)}"
                )
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    # ------------------------------------------------------------------ fitting
    def fit(self, interactions: pd.DataFrame, items: Sequence[Any] | None = None) -> RecommenderModel:
        """Learn from the interactions; ``items`` optionally lists the whole catalog (cold items)."""
        user_items, user_ids, item_ids = interaction_matrix(interactions, items)
        self.user_ids_ = user_ids
        self.item_ids_ = item_ids
        self.user_index_ = {u: i for i, u in enumerate(user_ids.tolist())}
        self.item_index_ = {v: i for i, v in enumerate(item_ids.tolist())}
        self.user_items_ = user_items
        self.item_popularity_ = np.asarray((user_items > 0).sum(axis=0)).ravel().astype(np.float64)
        self._fit(user_items, interactions)
        return self

    @abstractmethod
    def _fit(self, user_items: sp.csr_matrix, interactions: pd.DataFrame) -> None:
        """Learn the model state from the interaction matrix."""

    @abstractmethod
    def _score(self, rows: np.ndarray, user_items: sp.csr_matrix) -> np.ndarray:
        """Dense scores of shape (len(rows), n_items) for known user rows."""

    def _similar_scores(self, item_rows: np.ndarray) -> np.ndarray:
        """Dense item-item scores of shape (len(item_rows), n_items); cosine on co-occurrence by default."""
        matrix = self.user_items_.T.tocsr().astype(np.float64)
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        block = (matrix[item_rows] @ matrix.T).toarray()
        return block / norms[item_rows, None] / norms[None, :]

    def _check_fitted(self) -> None:
        if not hasattr(self, "item_ids_"):
            raise NotFittedError(type(self).__name__)

    # ------------------------------------------------------------------ serving
    def score_users(self, user_ids: Sequence[Any]) -> np.ndarray:
        """Raw scores (n_users, n_items); cold users get the popularity counts."""
        self._check_fitted()
        rows = np.array([self.user_index_.get(u, -1) for u in user_ids], dtype=np.int64)
        scores = np.empty((len(rows), len(self.item_ids_)), dtype=np.float64)
        known = np.flatnonzero(rows >= 0)
        for start in range(0, known.size, SCORE_CHUNK_ROWS):
            chunk = known[start : start + SCORE_CHUNK_ROWS]
            scores[chunk] = self._score(rows[chunk], self.user_items_)
        scores[rows < 0] = self.item_popularity_
        return scores

    def recommend(
        self,
        user_ids: Any,
        k: int = 10,
        exclude_seen: bool = True,
        filters: Filters = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` items for one user id (1-D results) or a sequence of ids (2-D results).

        Only allowed candidates are returned (``filters``), never an item the user
        interacted with when ``exclude_seen``. A single user gets at most ``k`` items
        (fewer if fewer candidates exist). In a batch, the width is ``min(k, n_items)``
        and slots without a candidate hold score ``-inf`` and id ``pad_value(dtype)``.
        """
        single = np.ndim(user_ids) == 0
        users = [user_ids] if single else list(user_ids)
        if int(k) < 0:
            raise ValueError(f"k must be >= 0, got {k}")
        scores = self.score_users(users)
        allowed = self._allowed(filters, len(users))
        if allowed is not None:
            scores[~allowed] = -np.inf
        if exclude_seen:
            for position, user in enumerate(users):
                row = self.user_index_.get(user, -1)
                if row >= 0:
                    seen = self.user_items_.indices[
                        self.user_items_.indptr[row] : self.user_items_.indptr[row + 1]
                    ]
                    scores[position, seen] = -np.inf
        return self._select(scores, int(k), single)

    def similar_items(self, item_ids: Any, k: int = 10) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` items most similar to each item (the item itself excluded).

        Unknown items get an empty result (single) or a padded row (batch).
        """
        self._check_fitted()
        single = np.ndim(item_ids) == 0
        items = [item_ids] if single else list(item_ids)
        rows = np.array([self.item_index_.get(v, -1) for v in items], dtype=np.int64)
        scores = np.full((len(rows), len(self.item_ids_)), -np.inf)
        known = np.flatnonzero(rows >= 0)
        if known.size:
            scores[known] = self._similar_scores(rows[known])
            scores[known, rows[known]] = -np.inf
        return self._select(scores, int(k), single)

    def _allowed(self, filters: Filters, n_users: int) -> np.ndarray | None:
        if filters is None:
            return None
        mask = filters(self.item_ids_) if callable(filters) else filters
        mask = np.asarray(mask, dtype=bool)
        if mask.shape not in {(len(self.item_ids_),), (n_users, len(self.item_ids_))}:
            raise ValueError(
                f"filters must be a boolean mask of shape ({len(self.item_ids_)},) or "
                f"({n_users}, {len(self.item_ids_)}), got {mask.shape}"
            )
        return np.broadcast_to(mask, (n_users, len(self.item_ids_)))

    def _select(self, scores: np.ndarray, k: int, single: bool) -> tuple[np.ndarray, np.ndarray]:
        width = min(k, scores.shape[1])
        if single:
            positions = top_k(scores[0], width)
            return self.item_ids_[positions], scores[0, positions]
        dtype = self.item_ids_.dtype
        ids = np.full(
            (scores.shape[0], width), pad_value(dtype), dtype=dtype if dtype.kind in "iuf" else object
        )
        out = np.full((scores.shape[0], width), -np.inf)
        for row in range(scores.shape[0]):
            positions = top_k(scores[row], width)
            ids[row, : positions.size] = self.item_ids_[positions]
            out[row, : positions.size] = scores[row, positions]
        return ids, out


def interaction_matrix(
    interactions: pd.DataFrame, items: Sequence[Any] | None = None
) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """Validate the frame and build the user x item CSR matrix with sorted id arrays."""
    if not isinstance(interactions, pd.DataFrame):
        raise TypeError(f"interactions must be a pandas DataFrame, got {type(interactions).__name__}")
    missing = [c for c in (COL_USER, COL_ITEM) if c not in interactions.columns]
    if missing:
        raise ValueError(
            f"Required column(s) {missing} missing from interactions (have {list(interactions.columns)})"
        )
    if len(interactions) == 0:
        raise ValueError("interactions is empty: nothing to fit")
    if interactions[[COL_USER, COL_ITEM]].isna().any().any():
        raise ValueError("interactions has missing user_id or item_id values")
    weights = (
        interactions[COL_WEIGHT].to_numpy(dtype=np.float64)
        if COL_WEIGHT in interactions.columns
        else np.ones(len(interactions))
    )
    if not np.all(np.isfinite(weights)):
        raise ValueError("interactions.weight must be finite numbers")
    user_ids, user_rows = np.unique(interactions[COL_USER].to_numpy(), return_inverse=True)
    item_values = interactions[COL_ITEM].to_numpy()
    if items is not None:
        catalog = np.unique(np.concatenate([np.asarray(list(items), dtype=item_values.dtype), item_values]))
    else:
        catalog = np.unique(item_values)
    item_cols = np.searchsorted(catalog, item_values)
    matrix = sp.csr_matrix((weights, (user_rows, item_cols)), shape=(len(user_ids), len(catalog)))
    matrix.sum_duplicates()
    matrix.eliminate_zeros()
    return matrix, user_ids, catalog
