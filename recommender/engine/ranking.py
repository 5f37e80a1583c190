"""Shared ranking helpers: deterministic top-k and score normalisation."""

from __future__ import annotations

import numpy as np


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
    order = np.lexsort((tiebreak[positions], -scores[positions]))
    return positions[order[:k]]


def normalise(scores: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Scale scores to [0, 1] by the largest positive value among the candidates.

    Negative scores (e.g. near a disliked item) become 0; a signal that is zero for every
    candidate stays zero, so it neither helps nor hurts in a blend.
    """
    out = np.zeros_like(scores, dtype=float)
    mask = np.zeros(scores.shape[0], dtype=bool)
    mask[candidates] = True
    if not mask.any():
        return out
    clipped = np.clip(scores, 0.0, None)
    peak = clipped[mask].max()
    if peak > 0:
        out[mask] = clipped[mask] / peak
    return out
