"""Customer segments: RFM features clustered with K-means, clusters named readably.

Recency (days since the last purchase), frequency (purchase occasions) and monetary
value (mean spend per occasion) are log-scaled and standardised, then clustered with
scikit-learn's K-means (seeded, so the result is deterministic). Each cluster is named
from its median customer: R on the absolute scale 1 - recency_days / observation span
(how recent within the window), F and M as percentiles of the whole population:
``new``, ``loyal_high_spender``, ``at_risk``, ``hibernating``, ``promising`` or
``regular`` — the same segment vocabulary as the engine's rule-based RFM segments.

Examples
--------
>>> summary = summarise_transactions(log)
>>> segmenter = RFMSegmenter(n_clusters=6, seed=42).fit(summary)
>>> segmenter.predict(summary)          # Series of segment codes per customer
>>> segmenter.profile_                  # one row per cluster: medians, size, name, label
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from .constants import (
    HIGH_SCORE,
    LOW_SCORE,
    MONETARY_VALUE,
    SEGMENT_CLUSTERS,
    SEGMENT_LABELS,
    SEGMENT_N_INIT,
    SEGMENT_SEED,
    SEGMENT_THREADS,
    TOTAL_SPEND,
    UNIT_DAYS,
    T,
)
from .validation import require_columns, rfm_arrays

RFM_COLUMNS = ("recency_days", "occasions", "monetary")


def rfm_features(summary: pd.DataFrame, unit_days: float = UNIT_DAYS) -> pd.DataFrame:
    """Classic RFM from a summary of :func:`~recommender.clv.data.summarise_transactions`.

    recency_days = (T - recency) · unit_days; occasions = frequency + 1; monetary =
    total_spend / occasions (or monetary_value when total_spend is absent).
    """
    what = "rfm_features"
    x, t_x, big_t = rfm_arrays(summary, what)
    if TOTAL_SPEND in summary.columns:
        monetary = summary[TOTAL_SPEND].to_numpy(dtype=float) / (x + 1)
    else:
        require_columns(summary, (MONETARY_VALUE,), what)
        monetary = summary[MONETARY_VALUE].to_numpy(dtype=float)
    return pd.DataFrame({"recency_days": (big_t - t_x) * unit_days, "occasions": x + 1,
                         "monetary": monetary}, index=summary.index)


def segment_name(r: float, f: float, m: float, occasions: float) -> str:
    """Name of a cluster from its median customer's R, F, M scores (0..1, higher is better).

    First match wins: new — one purchase, recent; loyal_high_spender — recent, frequent
    and high spending; at_risk — gone quiet after buying often or much; hibernating —
    gone quiet, little history; promising — recent; regular — everyone else.
    """
    if occasions <= 1 and r >= HIGH_SCORE:
        return "new"
    if r >= LOW_SCORE and f >= HIGH_SCORE and m >= HIGH_SCORE:
        return "loyal_high_spender"
    if r <= LOW_SCORE and (f >= HIGH_SCORE or m >= HIGH_SCORE):
        return "at_risk"
    if r <= LOW_SCORE:
        return "hibernating"
    if r >= HIGH_SCORE:
        return "promising"
    return "regular"


def _percentile(population: np.ndarray, value: float) -> float:
    """Share of the population below ``value``, ties counted half (mid-rank percentile)."""
    below = np.count_nonzero(population < value)
    ties = np.count_nonzero(population == value)
    return (below + ties / 2) / population.size


@dataclass
class RFMSegmenter:
    """RFM + K-means segmenter: ``fit(summary)`` returns self; ``predict`` names customers.

    Attributes (after ``fit``)
    --------------------------
    profile_ : DataFrame, one row per cluster (ordered by value: median occasions ×
        monetary, then recency): size, medians, R/F/M percentiles, ``segment``, ``label``
    labels_ : Series of segment codes of the fitted customers
    """

    n_clusters: int = SEGMENT_CLUSTERS
    seed: int = SEGMENT_SEED
    unit_days: float = UNIT_DAYS
    scaler_: StandardScaler | None = field(default=None, init=False)
    kmeans_: KMeans | None = field(default=None, init=False)
    profile_: pd.DataFrame | None = field(default=None, init=False)
    labels_: pd.Series | None = field(default=None, init=False)
    _order: np.ndarray = field(default_factory=lambda: np.empty(0, int), init=False, repr=False)

    @staticmethod
    def _matrix(rfm: pd.DataFrame) -> np.ndarray:
        return np.log1p(rfm[list(RFM_COLUMNS)].to_numpy(dtype=float).clip(min=0))

    def fit(self, summary: pd.DataFrame) -> RFMSegmenter:
        """Cluster the customers of a summary (columns frequency, recency, T, total_spend
        or monetary_value) and name the clusters."""
        rfm = rfm_features(summary, self.unit_days)
        if len(rfm) < self.n_clusters:
            raise ValueError(f"RFMSegmenter.fit: {len(rfm)} customers, fewer than n_clusters={self.n_clusters}")
        matrix = self._matrix(rfm)
        self.scaler_ = StandardScaler().fit(matrix)
        self.kmeans_ = KMeans(n_clusters=self.n_clusters, n_init=SEGMENT_N_INIT, random_state=self.seed)
        with threadpool_limits(limits=SEGMENT_THREADS, user_api="openmp"):
            raw = self.kmeans_.fit_predict(self.scaler_.transform(matrix))
        medians = rfm.groupby(raw).median().reindex(range(self.n_clusters))
        medians["size"] = np.bincount(raw, minlength=self.n_clusters)
        span_days = max(float(summary[T].max()) * self.unit_days, 1.0)
        rows = []
        for cluster, row in medians.iterrows():
            r = 1 - min(row["recency_days"] / span_days, 1.0)
            f = _percentile(rfm["occasions"].to_numpy(), row["occasions"])
            m = _percentile(rfm["monetary"].to_numpy(), row["monetary"])
            name = segment_name(r, f, m, row["occasions"])
            rows.append({"cluster": cluster, "r_score": r, "f_score": f, "m_score": m, "segment": name})
        profile = medians.join(pd.DataFrame(rows).set_index("cluster"))
        profile["label"] = profile["segment"].map(SEGMENT_LABELS)
        value = profile["occasions"] * profile["monetary"]
        self._order = np.lexsort((profile["recency_days"].to_numpy(), -value.to_numpy()))
        self.profile_ = profile.iloc[self._order].reset_index(drop=True).rename_axis("cluster")
        self.labels_ = pd.Series(self.profile_["segment"].to_numpy()[self._rank(raw)], index=summary.index,
                                 name="segment")
        return self

    def _rank(self, raw: np.ndarray) -> np.ndarray:
        """Stable cluster id (position in ``profile_``) of K-means' raw labels."""
        rank = np.empty(self.n_clusters, dtype=int)
        rank[self._order] = np.arange(self.n_clusters)
        return rank[raw]

    def predict_cluster(self, summary: pd.DataFrame) -> np.ndarray:
        """Cluster id (row of ``profile_``) of each customer."""
        if self.kmeans_ is None or self.scaler_ is None:
            raise RuntimeError("RFMSegmenter: call fit() first")
        matrix = self._matrix(rfm_features(summary, self.unit_days))
        with threadpool_limits(limits=SEGMENT_THREADS, user_api="openmp"):
            raw = self.kmeans_.predict(self.scaler_.transform(matrix))
        return self._rank(raw)

    def predict(self, summary: pd.DataFrame) -> pd.Series:
        """Segment code of each customer (see ``SEGMENT_LABELS`` for the readable label)."""
        clusters = self.predict_cluster(summary)
        return pd.Series(self.profile_["segment"].to_numpy()[clusters], index=summary.index, name="segment")
