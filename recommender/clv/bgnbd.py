"""BG/NBD model of repeat purchases ("buy till you die"), fitted by maximum likelihood.

A customer buys at Poisson rate λ while alive and, after every repeat purchase, drops out
with probability p; across customers λ ~ Gamma(r, α) and p ~ Beta(a, b). The summary of
one customer is ``frequency`` x (repeat purchases), ``recency`` t_x (time of the last one
since the first purchase) and ``T`` (time since the first purchase), in model time units.

Examples
--------
>>> model = BetaGeoModel().fit(summary)            # columns frequency, recency, T
>>> model.params_                                   # {'r': ..., 'alpha': ..., 'a': ..., 'b': ...}
>>> model.expected_purchases(summary, future_t=39)  # per customer, next 39 periods
>>> model.expected_probability_alive(summary)

References
----------
[1] Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005), "Counting Your Customers the
    Easy Way: An Alternative to the Pareto/NBD Model", Marketing Science 24(2), 275-284.
[2] Fader, Hardie and Lee (2008), "Computing P(alive) Using the BG/NBD Model" (note).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import betaln, digamma, gammaln, hyp2f1

from .constants import MAX_ITER
from .optimize import maximise
from .validation import rfm_arrays

PARAM_NAMES = ("r", "alpha", "a", "b")


@dataclass(frozen=True)
class _Summary:
    """Validated arrays of a customer summary."""

    x: np.ndarray
    t_x: np.ndarray
    T: np.ndarray

    @classmethod
    def of(cls, data: pd.DataFrame, what: str = "data") -> _Summary:
        x, t_x, big_t = rfm_arrays(data, what)
        return cls(x, t_x, big_t)

    def compressed(self) -> tuple[_Summary, np.ndarray]:
        """Distinct (x, t_x, T) rows and their counts: the likelihood only needs these.

        Day-resolution data repeats rows a lot (T and t_x are whole days), so a weighted
        sum over distinct rows is many times faster on large customer bases.
        """
        counts = pd.DataFrame({"x": self.x, "t_x": self.t_x, "T": self.T}).value_counts(sort=False)
        rows = counts.index.to_frame(index=False)
        return (_Summary(rows["x"].to_numpy(float), rows["t_x"].to_numpy(float), rows["T"].to_numpy(float)),
                counts.to_numpy(dtype=float))


def log_likelihood_terms(params: np.ndarray, s: _Summary, with_gradient: bool = True
                         ) -> tuple[np.ndarray, np.ndarray | None]:
    """Per-customer log-likelihood (Eq 6 of [1]) and its gradient w.r.t. (r, α, a, b).

    L = B(a, b+x)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+T)^(r+x))
        + δ(x>0) · B(a+1, b+x-1)/B(a, b) · Γ(r+x) α^r / (Γ(r) (α+t_x)^(r+x))
    computed as A1 + log(exp(A2) + δ exp(A3)) for numerical stability.
    """
    r, alpha, a, b = params
    x, t_x, big_t = s.x, s.t_x, s.T
    repeat = x > 0
    x1 = np.where(repeat, x, 1.0)  # keeps B(a+1, b+x-1) defined where the term is unused
    log_alpha_t = np.log(alpha + big_t)
    log_alpha_tx = np.log(alpha + t_x)
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = betaln(a, b + x) - betaln(a, b) - (r + x) * log_alpha_t
    a3 = np.where(repeat, betaln(a + 1, b + x1 - 1) - betaln(a, b) - (r + x) * log_alpha_tx, -np.inf)
    peak = np.maximum(a2, a3)
    e2, e3 = np.exp(a2 - peak), np.exp(a3 - peak)
    total = e2 + e3
    ll = a1 + peak + np.log(total)
    if not with_gradient:
        return ll, None
    s2, s3 = e2 / total, e3 / total  # posterior weights of "alive" and "dropped out"
    psi_ab, psi_abx = digamma(a + b), digamma(a + b + x)
    d_r = digamma(r + x) - digamma(r) + np.log(alpha) - s2 * log_alpha_t - s3 * log_alpha_tx
    d_alpha = r / alpha - (r + x) * (s2 / (alpha + big_t) + s3 / (alpha + t_x))
    d_a = s2 * (psi_ab - psi_abx) + s3 * (digamma(a + 1) - digamma(a) + psi_ab - psi_abx)
    d_b = (s2 * (digamma(b + x) - psi_abx - digamma(b) + psi_ab)
           + s3 * (digamma(b + x1 - 1) - psi_abx - digamma(b) + psi_ab))
    return ll, np.stack([d_r, d_alpha, d_a, d_b])


@dataclass
class BetaGeoModel:
    """BG/NBD estimator in the scikit-learn style: ``fit(summary)`` returns self.

    Parameters
    ----------
    max_iter : int
        Iteration cap of the L-BFGS-B search.

    Attributes (after ``fit``)
    --------------------------
    params_ : dict with r, alpha, a, b
    log_likelihood_ : float, total log-likelihood at the optimum (Eq 6 of [1])
    n_customers_ : int
    """

    max_iter: int = MAX_ITER
    params_: dict[str, float] = field(default_factory=dict, init=False)
    log_likelihood_: float = field(default=float("nan"), init=False)
    n_customers_: int = field(default=0, init=False)

    @classmethod
    def from_params(cls, r: float, alpha: float, a: float, b: float) -> BetaGeoModel:
        """A model with known parameters (for prediction or simulation without fitting)."""
        model = cls()
        model.params_ = {"r": float(r), "alpha": float(alpha), "a": float(a), "b": float(b)}
        return model

    def fit(self, data: pd.DataFrame) -> BetaGeoModel:
        """Maximum-likelihood fit on a summary with columns ``frequency``, ``recency``, ``T``."""
        summary = _Summary.of(data, "BetaGeoModel.fit")
        if summary.x.size == 0:
            raise ValueError("BetaGeoModel.fit: no customers")
        n = summary.x.size
        distinct, weights = summary.compressed()

        def mean_ll(params: np.ndarray) -> tuple[float, np.ndarray]:
            ll, grad = log_likelihood_terms(params, distinct)
            return float(weights @ ll / n), grad @ weights / n

        params, best = maximise(mean_ll, len(PARAM_NAMES), max_iter=self.max_iter)
        self.params_ = dict(zip(PARAM_NAMES, map(float, params), strict=True))
        self.log_likelihood_ = best * n
        self.n_customers_ = n
        return self

    def _params(self) -> tuple[float, float, float, float]:
        if not self.params_:
            raise RuntimeError("BetaGeoModel: call fit() (or from_params) first")
        return tuple(self.params_[name] for name in PARAM_NAMES)  # type: ignore[return-value]

    def log_likelihood(self, data: pd.DataFrame) -> float:
        """Total log-likelihood of a summary under the current parameters."""
        ll, _ = log_likelihood_terms(np.array(self._params()), _Summary.of(data), with_gradient=False)
        return float(ll.sum())

    def expected_purchases_new_customer(self, t: float | np.ndarray) -> np.ndarray:
        """E[X(t)]: purchases of a randomly chosen new customer in (0, t] (Eq 9 of [1])."""
        r, alpha, a, b = self._params()
        t = np.asarray(t, dtype=float)
        hyp = hyp2f1(r, b, a + b - 1, t / (alpha + t))
        return (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp)

    def expected_purchases(self, data: pd.DataFrame, future_t: float | np.ndarray) -> np.ndarray:
        """E[Y(t) | x, t_x, T]: purchases of each customer in the next ``future_t`` periods (Eq 10)."""
        r, alpha, a, b = self._params()
        s = _Summary.of(data, "expected_purchases")
        t = np.asarray(future_t, dtype=float)
        x, t_x, big_t = s.x, s.t_x, s.T
        z = t / (alpha + big_t + t)
        hyp = hyp2f1(r + x, b + x, a + b + x - 1, z)
        log_ratio = (r + x) * np.log((alpha + big_t) / (alpha + big_t + t))
        numerator = (a + b + x - 1) / (a - 1) * (1 - np.exp(log_ratio) * hyp)
        return numerator / (1 + self._dropout_odds(x, t_x, big_t))

    def expected_probability_alive(self, data: pd.DataFrame) -> np.ndarray:
        """P(alive | x, t_x, T) for each customer (Eq 2 of [2])."""
        s = _Summary.of(data, "expected_probability_alive")
        return 1 / (1 + self._dropout_odds(s.x, s.t_x, s.T))

    def _dropout_odds(self, x: np.ndarray, t_x: np.ndarray, big_t: np.ndarray) -> np.ndarray:
        """δ(x>0) · a/(b+x-1) · ((α+T)/(α+t_x))^(r+x): odds of having dropped out."""
        r, alpha, a, b = self._params()
        repeat = x > 0
        x1 = np.where(repeat, x, 1.0)
        log_odds = np.log(a / (b + x1 - 1)) + (r + x) * np.log((alpha + big_t) / (alpha + t_x))
        return np.where(repeat, np.exp(np.minimum(log_odds, 700.0)), 0.0)
