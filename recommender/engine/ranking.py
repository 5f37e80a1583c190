"""Shared ranking helpers: deterministic top-k and score normalisation."""

from __future__ import annotations

import numpy as np

# top_k sorts everything when there are at most this many candidates per wanted item.
TOP_K_PRESELECT = 4


def tiebreak_keys(n_items: int, seed: int) -> np.ndarray:
    """A seeded random order of the items, used only to break exact score ties.

    The same seed always gives the same order, so rankings are reproducible.
    """
    return np.random.default_rng(seed).permutation(n_items)


def top_k(scores: np.ndarray, candidates: np.ndarray, k: int, tiebreak: np.ndarray) -> np.ndarray:
    """Positions of the k best candidates by descending score, ties broken by `tiebreak`.

    `candidates` is a boolean mask or an array of positions.
    """
    positions = (
        np.flatnonzero(candidates) if candidates.dtype == bool else np.asarray(candidates, dtype=np.int64)
    )
    if k <= 0 or positions.size == 0:
        return np.array([], dtype=np.int64)
    values = scores[positions]
    if positions.size > TOP_K_PRESELECT * k:
        # Only items scoring at least the k-th best value can be in the top k (ties included),
        # so sorting those alone gives the same answer as sorting every candidate.
        kth = np.partition(values, positions.size - k)[positions.size - k]
        if not np.isnan(kth):
            keep = values >= kth
            positions, values = positions[keep], values[keep]
    order = np.lexsort((tiebreak[positions], -values))
    return positions[order[:k]]


def normalise(scores: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Scale scores to [0, 1] by the largest positive value among the candidates.

    Negative scores (e.g. near a disliked item) become 0; a signal that is zero for every
    candidate stays zero, so it neither helps nor hurts in a blend.
    """
    out = np.zeros_like(scores, dtype=float)
    candidates = np.asarray(candidates)
    # Only the candidates are read and written (a repeated position is written twice, the same).
    positions = np.flatnonzero(candidates) if candidates.dtype == bool else candidates.astype(np.int64)
    if positions.size == 0:
        return out
    clipped = np.clip(scores[positions], 0.0, None)
    peak = clipped.max()
    if peak > 0:
        out[positions] = clipped / peak
    return out


def best_per_column(
    rows: np.ndarray, cols: np.ndarray, values: np.ndarray, n_cols: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per column of a sparse (row, col, value) list: the largest positive value and its row.

    Ties go to the smallest row, as ``argmax`` over a dense column would; columns with no
    positive value get 0.0 and row -1. Same result as ``dense.max(axis=0)`` clipped at 0 and
    ``where(max > 0, dense.argmax(axis=0), -1)``, without building the dense matrix.
    """
    best = np.zeros(n_cols)
    source = np.full(n_cols, -1, dtype=np.int64)
    positive = values > 0
    rows, cols, values = rows[positive], cols[positive], values[positive]
    if values.size:
        order = np.lexsort((rows, -values, cols))
        first = np.ones(order.size, dtype=bool)
        first[1:] = cols[order][1:] != cols[order][:-1]
        chosen = order[first]
        best[cols[chosen]] = values[chosen]
        source[cols[chosen]] = rows[chosen]
    return best, source
