"""Matrix factorisation for implicit feedback (ALS and BPR) through the ``implicit`` library."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .base import RecommenderModel
from .constants import DEFAULT_SEED


def _factors(model: object) -> tuple[np.ndarray, np.ndarray]:
    """User and item factors as numpy arrays (a GPU model would be converted first)."""
    return np.asarray(model.user_factors, dtype=np.float64), np.asarray(model.item_factors, dtype=np.float64)  # type: ignore[attr-defined]


class _ImplicitMF(RecommenderModel):
    """Shared scoring of the factor models: score(u, i) = <user_factor_u, item_factor_i>.

    Attributes
    ----------
    user_factors_ : ndarray of shape (n_users, factors[+1])
    item_factors_ : ndarray of shape (n_items, factors[+1])
    """

    def _build(self):  # pragma: no cover - implemented by subclasses
        raise NotImplementedError

    def _fit(self, user_items: sp.csr_matrix, interactions: pd.DataFrame) -> None:
        from threadpoolctl import threadpool_limits

        # implicit parallelises itself; a multi-threaded BLAS underneath only slows it down.
        with threadpool_limits(1, "blas"):
            model = self._build()
            model.fit(self._input(user_items), show_progress=False)
        self.user_factors_, self.item_factors_ = _factors(model)
        if not (np.all(np.isfinite(self.user_factors_)) and np.all(np.isfinite(self.item_factors_))):
            raise FloatingPointError(
                f"{type(self).__name__} produced non-finite factors: lower the learning rate or alpha"
            )

    def _input(self, user_items: sp.csr_matrix) -> sp.csr_matrix:
        return (user_items > 0).astype(np.float32).tocsr()

    def _score(self, rows: np.ndarray, user_items: sp.csr_matrix) -> np.ndarray:
        return self.user_factors_[rows] @ self.item_factors_.T

    def _similar_scores(self, item_rows: np.ndarray) -> np.ndarray:
        factors = self.item_factors_
        norms = np.linalg.norm(factors, axis=1)
        norms[norms == 0] = 1.0
        return (factors[item_rows] @ factors.T) / norms[item_rows, None] / norms[None, :]


class ALSModel(_ImplicitMF):
    """Weighted ALS for implicit feedback (Hu, Koren and Volinsky 2008), via ``implicit.als``.

    Parameters
    ----------
    factors, regularization, iterations : as in ``implicit``
    alpha : float
        Confidence scale: confidence = 1 + alpha * weight.
    random_state : int
    num_threads : int
        0 uses every core.
    """

    def __init__(
        self,
        factors: int = 64,
        regularization: float = 0.05,
        alpha: float = 2.0,
        iterations: int = 15,
        random_state: int = DEFAULT_SEED,
        num_threads: int = 0,
    ) -> None:
        self.factors = factors
        self.regularization = regularization
        self.alpha = alpha
        self.iterations = iterations
        self.random_state = random_state
        self.num_threads = num_threads

    def _build(self):
        from implicit.cpu.als import AlternatingLeastSquares

        return AlternatingLeastSquares(
            factors=self.factors,
            regularization=self.regularization,
            alpha=self.alpha,
            iterations=self.iterations,
            random_state=self.random_state,
            num_threads=self.num_threads,
        )


class BPRModel(_ImplicitMF):
    """Bayesian personalised ranking by SGD (Rendle et al. 2009), via ``implicit.bpr``.

    Parameters
    ----------
    factors, learning_rate, regularization, iterations : as in ``implicit``
    random_state : int
    num_threads : int
        1 by default: with more threads the SGD updates race and results vary between runs.
    """

    def __init__(
        self,
        factors: int = 64,
        learning_rate: float = 0.05,
        regularization: float = 0.01,
        iterations: int = 100,
        random_state: int = DEFAULT_SEED,
        num_threads: int = 1,
    ) -> None:
        self.factors = factors
        self.learning_rate = learning_rate
        self.regularization = regularization
        self.iterations = iterations
        self.random_state = random_state
        self.num_threads = num_threads

    def _build(self):
        from implicit.cpu.bpr import BayesianPersonalizedRanking

        return BayesianPersonalizedRanking(
            factors=self.factors,
            learning_rate=self.learning_rate,
            regularization=self.regularization,
            iterations=self.iterations,
            random_state=self.random_state,
            num_threads=self.num_threads,
        )
