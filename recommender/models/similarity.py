"""Helpers shared by the item-item models."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def keep_top_per_column(similarity: np.ndarray, neighbors: int) -> sp.csr_matrix:
    """Sparsify a dense item-item matrix, keeping the ``neighbors`` largest entries per column.

    Column j holds the similarities of every item to item j, so a user's score for j
    uses at most ``neighbors`` of their items. ``neighbors <= 0`` keeps everything.
    """
    n_items = similarity.shape[0]
    if neighbors <= 0 or neighbors >= n_items:
        return sp.csr_matrix(similarity)
    rows = np.argpartition(-similarity, neighbors - 1, axis=0)[:neighbors]
    cols = np.broadcast_to(np.arange(n_items), rows.shape)
    values = similarity[rows, cols]
    kept = sp.csr_matrix((values.ravel(), (rows.ravel(), cols.ravel())), shape=similarity.shape)
    kept.eliminate_zeros()
    return kept
