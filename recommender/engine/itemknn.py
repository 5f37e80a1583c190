"""Item-item collaborative filtering: shrunk cosine on implicit feedback."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .constants import ITEMKNN_NEIGHBOURS, ITEMKNN_SHRINKAGE
from .ranking import best_per_column


def damp(weights: np.ndarray) -> np.ndarray:
    """Signed log damping: many views must not outweigh one purchase by far."""
    return np.sign(weights) * np.log1p(np.abs(weights))


class ItemKNN:
    """Item-based kNN on a shopper × item matrix of summed interaction weights.

    Similarity is cosine over the positive (damped) weights, shrunk towards zero for
    pairs seen by few shoppers: ``sim(i, j) = c_ij / (|i| |j| + shrinkage)``. Dislikes
    and negative ratings are left out of the similarity but count against neighbours of
    the disliked item when scoring a shopper.

    Parameters
    ----------
    neighbours : int
        Neighbours kept per item (the rest are pruned).
    shrinkage : float
        Added to the cosine denominator.

    Attributes
    ----------
    similarity_ : csr_matrix of shape (n_items, n_items)
        Row j holds the kept neighbours of item j; the diagonal is zero.
    """

    def __init__(self, neighbours: int = ITEMKNN_NEIGHBOURS, shrinkage: float = ITEMKNN_SHRINKAGE) -> None:
        self.neighbours = neighbours
        self.shrinkage = shrinkage

    def fit(self, user_items: sp.spmatrix) -> ItemKNN:
        """Learn item-item similarities from a (shoppers × items) weight matrix."""
        if self.neighbours < 1 or self.shrinkage < 0:
            raise ValueError("ItemKNN: neighbours must be >= 1 and shrinkage >= 0")
        positive = sp.csr_matrix(user_items, dtype=float, copy=True)
        positive.data = np.log1p(np.clip(positive.data, 0.0, None))
        positive.eliminate_zeros()
        n_items = positive.shape[1]
        co = (positive.T @ positive).tocoo()
        norms = np.sqrt(np.asarray(positive.multiply(positive).sum(axis=0)).ravel())
        keep = co.row != co.col
        rows, cols = co.row[keep], co.col[keep]
        values = co.data[keep] / (norms[rows] * norms[cols] + self.shrinkage)
        similarity = sp.csr_matrix((values, (rows, cols)), shape=(n_items, n_items))
        similarity.eliminate_zeros()
        self.similarity_ = self._prune(similarity)
        return self

    def _prune(self, similarity: sp.csr_matrix) -> sp.csr_matrix:
        """Keep the `neighbours` largest entries of each row."""
        indptr, indices, data = similarity.indptr, similarity.indices, similarity.data
        if np.diff(indptr).max(initial=0) <= self.neighbours:
            return similarity
        keep = np.zeros(data.shape[0], dtype=bool)
        for row in range(similarity.shape[0]):
            start, end = indptr[row], indptr[row + 1]
            if end - start <= self.neighbours:
                keep[start:end] = True
            else:
                best = np.argpartition(-data[start:end], self.neighbours - 1)[: self.neighbours]
                keep[start + best] = True
        rows = np.repeat(np.arange(similarity.shape[0]), np.diff(indptr))
        pruned = sp.csr_matrix((data[keep], (rows[keep], indices[keep])), shape=similarity.shape)
        return pruned

    def recommend(self, items: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Score every item for a shopper with history (item positions, summed weights).

        Returns ``(scores, because)`` where ``because[i]`` is the history item whose
        contribution to item i was the largest positive one (-1 when none), used for
        "Because you bought / liked / looked at X" (the facade words it by what the shopper did).
        """
        n_items = self.similarity_.shape[0]
        if len(items) == 0:
            return np.zeros(n_items), np.full(n_items, -1, dtype=np.int64)
        items = np.asarray(items, dtype=np.int64)
        # Sparse rows of the history's neighbours (at most `neighbours` each): summing them in
        # row order gives the dense sum exactly, without a (history × catalog) array.
        rows = self.similarity_[items].tocoo()
        contributions = rows.data * damp(np.asarray(weights, dtype=float))[rows.row]
        scores = np.bincount(rows.col, weights=contributions, minlength=n_items).astype(float)
        _, best = best_per_column(rows.row, rows.col, contributions, n_items)
        because = np.where(best >= 0, items[best], -1).astype(np.int64)
        return scores, because

    def similar_items(self, item: int) -> np.ndarray:
        """Similarity of every item to one item (zeros for a cold item)."""
        return self.similarity_[item].toarray().ravel()
