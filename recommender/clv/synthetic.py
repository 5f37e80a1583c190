"""Simulate customers from known BG/NBD and Gamma-Gamma parameters (tests and benchmarks).

Per customer: λ ~ Gamma(r, α), p ~ Beta(a, b), ν ~ Gamma(q, γ); repeat purchases arrive
as a Poisson(λ) process and the customer drops out after each one with probability p, so
the number of repeat purchases made before dropping out is Geometric(p) on {1, 2, ...}.
Given K ~ Poisson(λT) arrivals in (0, T], the arrival times are K sorted uniforms, and
the observed ones are the first min(K, N). Every transaction value is Gamma(p, ν).
Vectorised: one draw per customer and per transaction, one sort.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .constants import AMOUNT, CUSTOMER_ID, DATE, FREQUENCY, MONETARY_VALUE, RECENCY, UNIT_DAYS, T

#: Defaults close to the CDNOW estimates (Fader, Hardie & Lee 2005; Fader & Hardie 2013).
DEFAULT_BGNBD = {"r": 0.25, "alpha": 4.0, "a": 0.8, "b": 2.5}
DEFAULT_GAMMA_GAMMA = {"p": 6.0, "q": 4.0, "v": 15.0}
DEFAULT_START = "2024-01-01"


@dataclass(frozen=True)
class SimulatedCustomers:
    """Continuous-time simulation: per-customer ages and per-transaction times and values."""

    first_day: np.ndarray        # int, day of the first purchase (0 = start)
    age: np.ndarray              # T in model units, from the first purchase to the end
    customer: np.ndarray         # per repeat transaction: customer index, sorted
    time: np.ndarray             # per repeat transaction: time since the first purchase
    amount: np.ndarray           # per repeat transaction: value
    first_amount: np.ndarray     # per customer: value of the first purchase

    def summary(self) -> pd.DataFrame:
        """Exact (continuous-time) frequency / recency / T / monetary_value per customer."""
        n = self.age.size
        frequency = np.bincount(self.customer, minlength=n)
        recency = np.zeros(n)
        recency[self.customer] = self.time  # sorted by time within customer: last one wins
        spend = np.bincount(self.customer, weights=self.amount, minlength=n)
        monetary = np.divide(spend, frequency, out=np.zeros(n), where=frequency > 0)
        return pd.DataFrame({FREQUENCY: frequency, RECENCY: recency, T: self.age, MONETARY_VALUE: monetary},
                            index=pd.RangeIndex(n, name=CUSTOMER_ID))

    def transactions(self, start: str = DEFAULT_START, unit_days: float = UNIT_DAYS) -> pd.DataFrame:
        """The raw log (customer_id, date, amount): first purchases then repeats, day resolution."""
        n = self.age.size
        repeat_day = self.first_day[self.customer] + np.floor(self.time * unit_days).astype(np.int64)
        days = np.concatenate([self.first_day, repeat_day])
        origin = np.datetime64(pd.Timestamp(start).date(), "D")
        return pd.DataFrame({
            CUSTOMER_ID: np.concatenate([np.arange(n), self.customer]),
            DATE: origin + days.astype("timedelta64[D]"),
            AMOUNT: np.round(np.concatenate([self.first_amount, self.amount]), 2),
        })


def simulate_customers(
    n_customers: int, *, bgnbd: dict[str, float] | None = None,
    gamma_gamma: dict[str, float] | None = None, cohort_days: int = 84, observation_days: int = 364,
    unit_days: float = UNIT_DAYS, seed: int = 0,
) -> SimulatedCustomers:
    """Customers whose first purchase falls in the first ``cohort_days``, observed until
    day ``observation_days`` (the end of that day: T counts it), with known parameters."""
    if n_customers < 1 or not 0 < cohort_days <= observation_days:
        raise ValueError("need n_customers >= 1 and 0 < cohort_days <= observation_days")
    bg = {**DEFAULT_BGNBD, **(bgnbd or {})}
    gg = {**DEFAULT_GAMMA_GAMMA, **(gamma_gamma or {})}
    rng = np.random.default_rng(seed)
    n = n_customers
    rate = rng.gamma(bg["r"], 1 / bg["alpha"], n)
    dropout = rng.beta(bg["a"], bg["b"], n)
    nu = rng.gamma(gg["q"], 1 / gg["v"], n)
    first_day = rng.integers(0, cohort_days, n)
    age = (observation_days - first_day) / unit_days
    lifetime_purchases = rng.geometric(dropout)
    arrivals = rng.poisson(rate * age)
    observed = np.minimum(arrivals, lifetime_purchases)
    owner = np.repeat(np.arange(n), arrivals)
    times = rng.random(owner.size) * age[owner]
    order = np.lexsort((times, owner))
    owner, times = owner[order], times[order]
    starts = np.cumsum(arrivals) - arrivals
    rank = np.arange(owner.size) - starts[owner]
    keep = rank < observed[owner]
    owner, times = owner[keep], times[keep]
    amount = rng.gamma(gg["p"], 1 / nu[owner])
    first_amount = rng.gamma(gg["p"], 1 / nu)
    return SimulatedCustomers(first_day, age, owner, times, amount, first_amount)
