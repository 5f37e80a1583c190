"""User-based k-nearest neighbours (cosine or Pearson) and PureSVD matrix factorisation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.utils.extmath import randomized_svd

from .base import RecommenderModel
from .constants import DEFAULT_SEED

#: Similarities accepted by ``UserKNNModel``.
USER_SIMILARITIES = ("cosine", "pearson")


class UserKNNModel(RecommenderModel):
    """Score = sum over the user's ``neighbors`` most similar users of similarity × their row.

    The classic user-based collaborative filter the seed material names, with either
    similarity between two users' interaction vectors:

    - ``cosine``: <x_u, x_v> / (|x_u| |x_v| + shrinkage);
    - ``pearson``: the correlation of the two vectors over the whole catalog (each
      centred on its mean over all items, so unrated items count as "no"), the same
      shrinkage added to the denominator. On binary data it is the phi coefficient:
      it discounts overlaps that the two users' activity alone would produce.

    Only positively similar neighbours vote. Computed from the sparse user-user Gram one
    block of users at a time, so memory is O(block × users), not O(users²).

    Parameters
    ----------
    neighbors : int
        Most similar users kept per user (0 keeps all).
    shrinkage : float
        Added to the similarity denominator: damps similarities backed by few items.
    similarity : {"cosine", "pearson"}
    binary : bool
        Use 0/1 interactions instead of the weights.

    Attributes
    ----------
    input_ : csr_matrix of shape (n_users, n_items), the matrix neighbours vote with
    """

    def __init__(
        self, neighbors: int = 50, shrinkage: float = 10.0, similarity: str = "cosine", binary: bool = True
    ) -> None:
        self.neighbors = neighbors
        self.shrinkage = shrinkage
        self.similarity = similarity
        self.binary = binary

    def _fit(self, user_items: sp.csr_matrix, interactions: pd.DataFrame) -> None:
        if self.similarity not in USER_SIMILARITIES:
            raise ValueError(f"similarity must be one of {USER_SIMILARITIES}, got {self.similarity!r}")
        if self.shrinkage < 0:
            raise ValueError(f"shrinkage must be >= 0, got {self.shrinkage}")
        matrix = (user_items > 0).astype(np.float64) if self.binary else user_items.astype(np.float64)
        self.input_ = matrix.tocsr()
        n_items = matrix.shape[1]
        sums = np.asarray(matrix.sum(axis=1)).ravel()
        squares = np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel()
        if self.similarity == "pearson":
            self.row_means_ = sums / max(n_items, 1)
            self.row_norms_ = np.sqrt(np.maximum(squares - sums * self.row_means_, 0.0))
        else:
            self.row_means_ = np.zeros_like(sums)
            self.row_norms_ = np.sqrt(squares)

    def _user_similarity(self, rows: np.ndarray) -> np.ndarray:
        """Shrunk similarities of ``rows`` to every fitted user, self and non-positive ones zeroed."""
        gram = (self.input_[rows] @ self.input_.T).toarray()
        if self.similarity == "pearson":
            # sum_i (x_ui - m_u)(x_vi - m_v) = <x_u, x_v> - n_items m_u m_v
            gram -= self.input_.shape[1] * np.outer(self.row_means_[rows], self.row_means_)
        sim = gram / (np.outer(self.row_norms_[rows], self.row_norms_) + self.shrinkage + 1e-12)
        sim[np.arange(len(rows)), rows] = 0.0
        np.maximum(sim, 0.0, out=sim)
        n_users = sim.shape[1]
        if 0 < self.neighbors < n_users:
            # ties at the cut-off go to the lower user row (stable sort), so results do not
            # depend on the partition algorithm
            cut = np.argsort(-sim, axis=1, kind="stable")[:, self.neighbors :]
            np.put_along_axis(sim, cut, 0.0, axis=1)
        return sim

    def _score(self, rows: np.ndarray, user_items: sp.csr_matrix) -> np.ndarray:
        return np.asarray((sp.csr_matrix(self._user_similarity(rows)) @ self.input_).todense())


class PureSVDModel(RecommenderModel):
    """PureSVD ([1]): a truncated SVD of the user-item matrix; scores are its rank-k rebuild.

    The "model-based collaborative filtering (matrix factorisation / SVD)" of the seed
    material in its strongest simple form for top-N ranking: missing entries count as
    zeros, so the factors model what users chose, not how they rated it. A user's scores
    are x_u V Vᵀ (the projection of their row on the top ``factors`` item directions),
    which also serves users folded in without refitting. Uses scikit-learn's randomized
    SVD, seeded.

    Parameters
    ----------
    factors : int
        Rank of the factorisation (capped at min(n_users, n_items) - 1).
    binary : bool
        Factorise 0/1 interactions instead of the weights.
    random_state : int
        Seed of the randomized SVD.

    Attributes
    ----------
    item_factors_ : ndarray of shape (n_items, factors), the right singular vectors
    singular_values_ : ndarray of shape (factors,)

    References
    ----------
    [1] P. Cremonesi, Y. Koren, R. Turrin, "Performance of recommender algorithms on
        top-N recommendation tasks", RecSys 2010.
    """

    def __init__(self, factors: int = 50, binary: bool = True, random_state: int = DEFAULT_SEED) -> None:
        self.factors = factors
        self.binary = binary
        self.random_state = random_state

    def _fit(self, user_items: sp.csr_matrix, interactions: pd.DataFrame) -> None:
        if int(self.factors) < 1:
            raise ValueError(f"factors must be >= 1, got {self.factors}")
        matrix = (user_items > 0).astype(np.float64) if self.binary else user_items.astype(np.float64)
        self.input_ = matrix.tocsr()
        rank = max(1, min(int(self.factors), min(matrix.shape) - 1))
        _, values, vt = randomized_svd(matrix, n_components=rank, random_state=self.random_state)
        self.singular_values_ = values
        self.item_factors_ = vt.T

    def _score(self, rows: np.ndarray, user_items: sp.csr_matrix) -> np.ndarray:
        user_factors = np.asarray(self.input_[rows] @ self.item_factors_)
        # one matrix-vector product per user: a user's scores do not depend on which other
        # users share the batch (a blocked matrix product would round them differently)
        if not len(rows):
            return np.empty((0, self.item_factors_.shape[0]))
        return np.stack([self.item_factors_ @ f for f in user_factors])

    def _similar_scores(self, item_rows: np.ndarray) -> np.ndarray:
        """Cosine between the items' singular-value-scaled factors."""
        scaled = self.item_factors_ * self.singular_values_[None, :]
        norms = np.linalg.norm(scaled, axis=1)
        norms[norms == 0] = 1.0
        return (scaled[item_rows] @ scaled.T) / norms[item_rows, None] / norms[None, :]
