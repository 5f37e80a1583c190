"""EASE: closed-form shallow autoencoder (Steck, WWW 2019), with optional popularity re-weighting."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.linalg
import scipy.sparse as sp

from .base import RecommenderModel


class EASEModel(RecommenderModel):
    """Item-item weights B = argmin |X - XB|^2 + l2 |B|^2 with diag(B) = 0.

    Closed form: P = (X'X + l2 I)^-1, B = -P / diag(P), diag(B) = 0 ([1], eq. 8).
    Optional re-weighting: the input columns are scaled by popularity^-``item_power``
    before the Gram matrix (an IUF-like weighting that lets rare items matter), and
    final scores are divided by popularity^``pop_penalty`` (a long-tail boost).

    Parameters
    ----------
    l2 : float
        Ridge penalty lambda.
    dropout : float
        Emphasised-denoising penalty p: adds p/(1-p) * diag(X'X) to the diagonal ([2]).
    item_power : float
        Exponent of the inverse-popularity column weights of the input (0: plain EASE).
    pop_penalty : float
        Exponent of the popularity divisor of the scores (0: none).
    binary : bool
        Use 0/1 interactions instead of the weights.

    Attributes
    ----------
    weights_ : ndarray of shape (n_items, n_items), zero diagonal

    References
    ----------
    [1] H. Steck, "Embarrassingly Shallow Autoencoders for Sparse Data", WWW 2019.
    [2] H. Steck, "Autoencoders that don't overfit towards the Identity", NeurIPS 2020.
    """

    def __init__(
        self,
        l2: float = 400.0,
        dropout: float = 0.0,
        item_power: float = 0.0,
        pop_penalty: float = 0.0,
        binary: bool = True,
    ) -> None:
        self.l2 = l2
        self.dropout = dropout
        self.item_power = item_power
        self.pop_penalty = pop_penalty
        self.binary = binary

    def _fit(self, user_items: sp.csr_matrix, interactions: pd.DataFrame) -> None:
        if self.l2 <= 0:
            raise ValueError(f"l2 must be > 0, got {self.l2}")
        matrix = (user_items > 0).astype(np.float64) if self.binary else user_items.astype(np.float64)
        popularity = np.maximum(self.item_popularity_, 1.0)
        column_weights = popularity ** (-float(self.item_power))
        weighted = matrix @ sp.diags(column_weights)
        gram = (weighted.T @ weighted).toarray()
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")
        # EDLAE-style frequency-dependent penalty p/(1-p) diag(G) ([2]) on top of l2.
        gram[np.diag_indices_from(gram)] += self.l2 + self.dropout / (1.0 - self.dropout) * np.diag(gram)
        inverse = scipy.linalg.inv(gram, overwrite_a=True, check_finite=False)
        weights = inverse / (-np.diag(inverse))
        np.fill_diagonal(weights, 0.0)
        # B was learned on weighted columns: map back so that scores use the raw input.
        self.weights_ = column_weights[:, None] * weights
        self.score_scale_ = popularity ** (-float(self.pop_penalty))
        self.input_ = matrix.tocsr()

    def _score(self, rows: np.ndarray, user_items: sp.csr_matrix) -> np.ndarray:
        return np.asarray(self.input_[rows] @ self.weights_) * self.score_scale_

    def _similar_scores(self, item_rows: np.ndarray) -> np.ndarray:
        return self.weights_[item_rows]
