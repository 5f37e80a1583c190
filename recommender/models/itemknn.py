"""Item-based k-nearest neighbours with shrunk cosine similarity."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .base import RecommenderModel
from .similarity import keep_top_per_column


class ItemKNNModel(RecommenderModel):
    """Score = sum over the user's items of the shrunk cosine similarity to the candidate.

    sim(i, j) = <x_i, x_j> / (|x_i| |x_j| + shrinkage), keeping the ``neighbors``
    largest similarities per item.

    Parameters
    ----------
    neighbors : int
        Neighbours kept per item (0 keeps all).
    shrinkage : float
        Added to the cosine denominator: damps similarities backed by few users.
    binary : bool
        Use 0/1 interactions instead of the weights.

    Attributes
    ----------
    similarity_ : csr_matrix of shape (n_items, n_items), zero diagonal
    """

    def __init__(self, neighbors: int = 100, shrinkage: float = 10.0, binary: bool = True) -> None:
        self.neighbors = neighbors
        self.shrinkage = shrinkage
        self.binary = binary

    def _fit(self, user_items: sp.csr_matrix, interactions: pd.DataFrame) -> None:
        if self.shrinkage < 0:
            raise ValueError(f"shrinkage must be >= 0, got {self.shrinkage}")
        matrix = (user_items > 0).astype(np.float64) if self.binary else user_items.astype(np.float64)
        self.input_ = matrix.tocsr()
        gram = (matrix.T @ matrix).toarray()
        norms = np.sqrt(np.diag(gram).copy())
        similarity = gram / (np.outer(norms, norms) + self.shrinkage + 1e-12)
        np.fill_diagonal(similarity, 0.0)
        self.similarity_ = keep_top_per_column(similarity, self.neighbors)

    def _score(self, rows: np.ndarray, user_items: sp.csr_matrix) -> np.ndarray:
        return np.asarray((self.input_[rows] @ self.similarity_).todense())

    def _similar_scores(self, item_rows: np.ndarray) -> np.ndarray:
        return self.similarity_.T[item_rows].toarray()
