"""RP3beta: three-step random walk item-item graph with a popularity penalty."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .base import RecommenderModel
from .similarity import keep_top_per_column


class RP3betaModel(RecommenderModel):
    """W[i, j] = sum_u P(i -> u)^alpha P(u -> j)^alpha / popularity(j)^beta ([1]).

    The transition probabilities come from the row-normalised binary user-item graph.
    Each item keeps its ``neighbors`` strongest outgoing edges; a user's score for j is
    the sum of W[i, j] over the items i they interacted with.

    Parameters
    ----------
    alpha : float
        Exponent of the transition probabilities.
    beta : float
        Popularity penalty exponent (0 gives P3alpha).
    neighbors : int
        Edges kept per item (0 keeps all).

    Attributes
    ----------
    weights_ : csr_matrix of shape (n_items, n_items), zero diagonal

    References
    ----------
    [1] B. Paudel et al., "Updatable, Accurate, Diverse, and Scalable Recommendations for
        Interactive Applications", ACM TiiS 2016.
    """

    def __init__(self, alpha: float = 1.0, beta: float = 0.5, neighbors: int = 100) -> None:
        self.alpha = alpha
        self.beta = beta
        self.neighbors = neighbors

    def _fit(self, user_items: sp.csr_matrix, interactions: pd.DataFrame) -> None:
        binary = (user_items > 0).astype(np.float64).tocsr()
        user_degree = np.maximum(np.asarray(binary.sum(axis=1)).ravel(), 1.0)
        item_degree = np.maximum(np.asarray(binary.sum(axis=0)).ravel(), 1.0)
        user_to_item = sp.diags(1.0 / user_degree) @ binary
        item_to_user = (binary @ sp.diags(1.0 / item_degree)).T.tocsr()
        if self.alpha != 1.0:
            user_to_item = user_to_item.power(self.alpha)
            item_to_user = item_to_user.power(self.alpha)
        walk = (item_to_user @ user_to_item).toarray()
        walk *= item_degree[None, :] ** (-float(self.beta))
        np.fill_diagonal(walk, 0.0)
        # keep the strongest outgoing edges of each item (rows), as in the reference code
        self.weights_ = keep_top_per_column(walk.T, self.neighbors).T.tocsr()
        self.input_ = binary

    def _score(self, rows: np.ndarray, user_items: sp.csr_matrix) -> np.ndarray:
        return np.asarray((self.input_[rows] @ self.weights_).todense())

    def _similar_scores(self, item_rows: np.ndarray) -> np.ndarray:
        return self.weights_[item_rows].toarray()
