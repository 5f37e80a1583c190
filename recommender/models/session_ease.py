"""Session-aware EASE: the Gram matrix mixes plain co-occurrence with time-local co-occurrence."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import scipy.linalg
import scipy.sparse as sp

from .base import RecommenderModel
from .constants import COL_ITEM, COL_TIMESTAMP, COL_USER, COL_WEIGHT

#: Rows of a user's kernel block computed at once (bounds memory for very active users).
KERNEL_BLOCK_ROWS = 2048


def multiscale_kernel_gram(
    user_rows: np.ndarray,
    item_cols: np.ndarray,
    times: np.ndarray,
    n_items: int,
    time_scales: Sequence[float],
    time_weights: Sequence[float],
) -> np.ndarray:
    """Dense G[i, j] = sum over users of sum_k w_k exp(-|t_ui - t_uj| / tau_k) for the pairs they both have.

    A non-negative mixture of Laplacian kernels, so G is positive semi-definite. Repeated
    (user, item) pairs count once (the earliest timestamp).
    """
    scales = np.asarray(time_scales, dtype=np.float64)
    weights = np.asarray(time_weights, dtype=np.float64)
    if scales.shape != weights.shape:
        raise ValueError(f"time_scales and time_weights differ in length: {scales.size} vs {weights.size}")
    if np.any(scales <= 0):
        raise ValueError(f"time_scales must be > 0, got {scales.tolist()}")
    frame = pd.DataFrame({"u": user_rows, "i": item_cols, "t": times.astype(np.float64)})
    frame = frame.sort_values(["u", "t"], kind="mergesort").drop_duplicates(["u", "i"])
    users = frame["u"].to_numpy()
    items = frame["i"].to_numpy()
    stamps = frame["t"].to_numpy()
    starts = np.flatnonzero(np.r_[True, users[1:] != users[:-1]])
    ends = np.r_[starts[1:], users.size]
    gram = np.zeros((n_items, n_items))
    for start, end in zip(starts, ends, strict=True):
        idx, t = items[start:end], stamps[start:end]
        for lo in range(0, idx.size, KERNEL_BLOCK_ROWS):
            rows = slice(lo, lo + KERNEL_BLOCK_ROWS)
            gap = np.abs(t[rows, None] - t[None, :])
            block = np.zeros_like(gap)
            for scale, weight in zip(scales, weights, strict=True):
                if weight:
                    block += weight * np.exp(-gap / scale)
            gram[np.ix_(idx[rows], idx)] += block
    return gram


def time_kernel_gram(
    user_rows: np.ndarray, item_cols: np.ndarray, times: np.ndarray, n_items: int, time_scale: float
) -> np.ndarray:
    """Dense G[i, j] = sum over users of exp(-|t_ui - t_uj| / time_scale) for the pairs they both have.

    A Laplacian kernel, so G is positive semi-definite like X'X, and it equals X'X when
    every interaction of a user happened at the same moment. Repeated (user, item) pairs
    count once (the earliest timestamp).
    """
    if time_scale <= 0:
        raise ValueError(f"time_scale must be > 0, got {time_scale}")
    return multiscale_kernel_gram(user_rows, item_cols, times, n_items, (time_scale,), (1.0,))


class KernelEASE(RecommenderModel):
    """EASE on G = (1 - sum w_k) X'X + sum_k w_k G_k, G_k the time-kernel Gram at scale tau_k.

    The shared closed form of the session-aware EASE models; subclasses say which
    mixture (scales tau_k, shares w_k) their hyper-parameters stand for, and must have
    ``l2`` and ``dropout``. P = (G + Lambda)^-1, B = -P / diag(P), diag(B) = 0, with
    Lambda = l2 I + dropout/(1 - dropout) diag(G). Without a ``timestamp`` column the
    time-kernel Grams equal X'X and this is plain EASE.
    """

    l2: float
    dropout: float

    def _mixture(self) -> tuple[tuple[float, ...], tuple[float, ...]]:
        """(time scales, their shares), validated."""
        raise NotImplementedError

    def _fit(self, user_items: sp.csr_matrix, interactions: pd.DataFrame) -> None:
        if self.l2 <= 0:
            raise ValueError(f"l2 must be > 0, got {self.l2}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")
        scales, shares = self._mixture()
        binary = (user_items > 0).astype(np.float64).tocsr()
        gram = (binary.T @ binary).toarray()
        if sum(shares) > 0 and COL_TIMESTAMP in interactions.columns:
            used = interactions
            if COL_WEIGHT in used.columns:
                used = used[used[COL_WEIGHT].to_numpy() != 0]
            times = pd.to_numeric(used[COL_TIMESTAMP], errors="coerce").to_numpy(dtype=np.float64)
            if not np.all(np.isfinite(times)):
                raise ValueError("interactions.timestamp must be numbers (e.g. Unix seconds)")
            rows = pd.Index(self.user_ids_).get_indexer(used[COL_USER].to_numpy())
            cols = pd.Index(self.item_ids_).get_indexer(used[COL_ITEM].to_numpy())
            local = multiscale_kernel_gram(rows, cols, times, len(self.item_ids_), scales, shares)
            gram = (1.0 - sum(shares)) * gram + local
        diagonal = np.diag(gram).copy()
        gram[np.diag_indices_from(gram)] += self.l2 + self.dropout / (1.0 - self.dropout) * diagonal
        inverse = scipy.linalg.inv(gram, overwrite_a=True, check_finite=False)
        weights = inverse / (-np.diag(inverse))
        np.fill_diagonal(weights, 0.0)
        self.weights_ = weights
        self.input_ = binary

    def _score(self, rows: np.ndarray, user_items: sp.csr_matrix) -> np.ndarray:
        return np.asarray(self.input_[rows] @ self.weights_)

    def _similar_scores(self, item_rows: np.ndarray) -> np.ndarray:
        return self.weights_[item_rows]


class SessionEASEModel(KernelEASE):
    """EASE ([1]) fitted on G = (1 - time_weight) X'X + time_weight G_time.

    G_time counts two items of a user with weight exp(-|t_i - t_j| / time_scale): items
    rated in the same session count fully, items rated months apart hardly at all. The
    mixture stresses the associations shoppers act on together, which a random held-out
    slice of the same sessions rewards. Closed form as EASE: P = (G + Lambda)^-1,
    B = -P / diag(P), diag(B) = 0, with Lambda = l2 I + dropout/(1 - dropout) diag(G)
    (the emphasised-denoising penalty of [2]). Without a ``timestamp`` column every
    interaction of a user counts as simultaneous, G_time = X'X, and this is plain EASE.

    Parameters
    ----------
    l2 : float
        Ridge penalty lambda (scales with the number of interactions).
    time_scale : float
        Decay of the kernel, in the units of ``timestamp`` (seconds for Unix times).
    time_weight : float
        Share of the time-local Gram in the mixture, in [0, 1].
    dropout : float
        Emphasised-denoising dropout p in [0, 1).

    Attributes
    ----------
    weights_ : ndarray of shape (n_items, n_items), zero diagonal

    References
    ----------
    [1] H. Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019.
    [2] H. Steck, "Autoencoders that don't overfit towards the Identity", NeurIPS 2020.
    """

    def __init__(
        self, l2: float = 250.0, time_scale: float = 600.0, time_weight: float = 0.7, dropout: float = 0.0
    ) -> None:
        self.l2 = l2
        self.time_scale = time_scale
        self.time_weight = time_weight
        self.dropout = dropout

    def _mixture(self) -> tuple[tuple[float, ...], tuple[float, ...]]:
        if not 0.0 <= self.time_weight <= 1.0:
            raise ValueError(f"time_weight must be in [0, 1], got {self.time_weight}")
        if self.time_scale <= 0:
            raise ValueError(f"time_scale must be > 0, got {self.time_scale}")
        return (float(self.time_scale),), (float(self.time_weight),)
