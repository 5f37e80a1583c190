"""Gamma-Gamma model of spend per transaction, fitted by maximum likelihood, and CLV.

Each transaction value of a customer is Gamma(p, ν); across customers ν ~ Gamma(q, γ)
(``v`` below, as lifetimes names it). Only customers with at least one repeat purchase
carry information: the model uses their ``frequency`` x and ``monetary_value`` z̄ (mean
value of the repeat transactions). Spend is assumed independent of the purchase process,
so CLV combines these expectations with the BG/NBD's expected purchases.

Examples
--------
>>> spend = GammaGammaModel().fit(summary)      # columns frequency, monetary_value
>>> spend.params_                                # {'p': ..., 'q': ..., 'v': ...}
>>> spend.expected_customer_spend(summary)
>>> spend.expected_customer_lifetime_value(bgnbd, summary, discount_rate=0.01)

References
----------
[1] Fader, P. S. and Hardie, B. G. S. (2013), "The Gamma-Gamma Model of Monetary Value".
[2] Fader, Hardie and Lee (2005), "RFM and CLV: Using Iso-Value Curves for Customer Base
    Analysis", Journal of Marketing Research 42(4), 415-430.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import pandas as pd
from scipy.special import digamma, gammaln

from .constants import CLV_DISCOUNT_RATE, CLV_PERIOD_LENGTH, CLV_PERIODS, FREQUENCY, MAX_ITER, MONETARY_VALUE
from .optimize import maximise
from .validation import numeric_column, require_columns

PARAM_NAMES = ("p", "q", "v")


class PurchaseModel(Protocol):
    """What CLV needs from a purchase-frequency model (e.g. ``BetaGeoModel``)."""

    def expected_purchases(self, data: pd.DataFrame, future_t: float | np.ndarray) -> np.ndarray:
        """Expected purchases of each customer in the next ``future_t`` periods."""
        ...


def _spend_arrays(data: pd.DataFrame, what: str) -> tuple[np.ndarray, np.ndarray]:
    """Validated ``(frequency, monetary_value)`` arrays."""
    require_columns(data, (FREQUENCY, MONETARY_VALUE), what)
    x = numeric_column(data, FREQUENCY, what)
    m = numeric_column(data, MONETARY_VALUE, what)
    if (x < 0).any():
        raise ValueError(f"{what}: column '{FREQUENCY}' must be >= 0")
    if (m < 0).any():
        raise ValueError(f"{what}: column '{MONETARY_VALUE}' must be >= 0")
    return x, m


def log_likelihood_terms(params: np.ndarray, x: np.ndarray, m: np.ndarray
                         ) -> tuple[np.ndarray, np.ndarray]:
    """Per-customer log density of z̄ given x (Eq 3 of [1]) and its gradient w.r.t. (p, q, v).

    f(z̄ | p, q, γ; x) = Γ(px+q) / (Γ(px) Γ(q)) · γ^q · z̄^(px-1) · x^(px) / (γ + x z̄)^(px+q)
    """
    p, q, v = params
    px = p * x
    log_xm_v = np.log(x * m + v)
    ll = (gammaln(px + q) - gammaln(px) - gammaln(q) + q * np.log(v)
          + (px - 1) * np.log(m) + px * np.log(x) - (px + q) * log_xm_v)
    psi_pxq = digamma(px + q)
    d_p = x * (psi_pxq - digamma(px) + np.log(m) + np.log(x) - log_xm_v)
    d_q = psi_pxq - digamma(q) + np.log(v) - log_xm_v
    d_v = q / v - (px + q) / (x * m + v)
    return ll, np.stack([d_p, d_q, d_v])


@dataclass
class GammaGammaModel:
    """Gamma-Gamma spend estimator: ``fit(summary)`` returns self.

    Attributes (after ``fit``)
    --------------------------
    params_ : dict with p, q, v (v is the paper's γ)
    log_likelihood_ : float, total log-likelihood over the customers used
    n_customers_ : int, customers with frequency > 0 and monetary_value > 0 (the only ones used)
    """

    max_iter: int = MAX_ITER
    params_: dict[str, float] = field(default_factory=dict, init=False)
    log_likelihood_: float = field(default=float("nan"), init=False)
    n_customers_: int = field(default=0, init=False)

    @classmethod
    def from_params(cls, p: float, q: float, v: float) -> GammaGammaModel:
        """A model with known parameters."""
        model = cls()
        model.params_ = {"p": float(p), "q": float(q), "v": float(v)}
        return model

    def fit(self, data: pd.DataFrame) -> GammaGammaModel:
        """Maximum-likelihood fit on columns ``frequency`` and ``monetary_value``.

        Rows with frequency 0 are ignored (their z̄ is undefined), as in [1], and so are
        rows whose repeat purchases were all free (z̄ = 0 has no Gamma density).
        """
        x, m = _spend_arrays(data, "GammaGammaModel.fit")
        keep = (x > 0) & (m > 0)
        x, m = x[keep], m[keep]
        n = x.size
        if n == 0:
            raise ValueError("GammaGammaModel.fit: no customer with a paid repeat purchase (frequency > 0, monetary_value > 0)")

        def mean_ll(params: np.ndarray) -> tuple[float, np.ndarray]:
            ll, grad = log_likelihood_terms(params, x, m)
            return float(ll.sum() / n), grad.sum(axis=1) / n

        params, best = maximise(mean_ll, len(PARAM_NAMES), max_iter=self.max_iter)
        self.params_ = dict(zip(PARAM_NAMES, map(float, params), strict=True))
        self.log_likelihood_ = best * n
        self.n_customers_ = n
        return self

    def _params(self) -> tuple[float, float, float]:
        if not self.params_:
            raise RuntimeError("GammaGammaModel: call fit() (or from_params) first")
        return tuple(self.params_[name] for name in PARAM_NAMES)  # type: ignore[return-value]

    def expected_population_spend(self) -> float:
        """Mean transaction value of a new customer: p γ / (q - 1) (needs q > 1)."""
        p, q, v = self._params()
        return p * v / (q - 1) if q > 1 else float("inf")

    def expected_customer_spend(self, data: pd.DataFrame) -> np.ndarray:
        """E[M | p, q, γ, x, z̄]: expected mean transaction value of each customer (Eq 5 of [1]).

        (p (γ + x z̄)) / (p x + q - 1): a weighted mean of the population mean and the
        customer's own z̄; customers with frequency 0 get the population mean.
        """
        p, q, v = self._params()
        x, m = _spend_arrays(data, "expected_customer_spend")
        m = np.where(x > 0, m, 0.0)
        return p * (v + x * m) / (p * x + q - 1)

    def expected_customer_lifetime_value(
        self, transaction_model: PurchaseModel, data: pd.DataFrame, *, periods: int = CLV_PERIODS,
        period_length: float = CLV_PERIOD_LENGTH, discount_rate: float = CLV_DISCOUNT_RATE,
        margin: float = 1.0,
    ) -> np.ndarray:
        """Discounted expected value of each customer's next ``periods`` steps (Eq 2 of [2]).

        CLV = margin · E[M] · Σ_{i=1..periods} (E[Y(i·L)] - E[Y((i-1)·L)]) / (1 + d)^i,
        with L = ``period_length`` model units (a month of weeks by default) and d the
        ``discount_rate`` per step. ``data`` needs frequency, recency, T and monetary_value.
        """
        if periods < 1 or period_length <= 0 or discount_rate <= -1:
            raise ValueError("periods must be >= 1, period_length > 0 and discount_rate > -1")
        spend = self.expected_customer_spend(data)
        value = np.zeros(len(data))
        previous = np.zeros(len(data))
        for step in range(1, periods + 1):
            cumulative = transaction_model.expected_purchases(data, step * period_length)
            value += (cumulative - previous) / (1 + discount_rate) ** step
            previous = cumulative
        return margin * spend * value
