"""Customer segments: RFM features clustered with K-means, clusters named readably.

Recency (days since the last purchase), frequency (purchase occasions) and monetary
value (mean spend per occasion) of the repeat buyers are log-scaled and standardised, then
clustered with scikit-learn's K-means (seeded, so the result is deterministic); one-time
buyers are named by rule (see ``RFMSegmenter``). Monetary value enters
the distance with ``monetary_weight`` (0.5 by default): spend per order differs by an
order of magnitude between what people buy (a fund purchase against a snack), and at
full weight K-means spends its clusters splitting by that instead of by how recently
and how often people buy, which is what the names describe.

Each cluster is named from its median customer (:func:`segment_name`): R on the
absolute scale 1 - recency_days / observation span, F and total spend as percentiles of
the whole population, and whether the cluster is *lapsing*:

- with ``p_alive`` (BG/NBD's P(alive) per customer, passed to ``fit``): the cluster's
  median P(alive) is below ``at_risk_p_alive``, so the names agree with the CLV model
  that the offer policy uses;
- without it: the median repeat buyer has been silent for more than ``lapse_gaps`` of
  their own usual gaps between purchases (an active buyer with Poisson purchases stays
  that silent with probability e^-3 ≈ 5 % at the default 3).

Names: ``new``, ``loyal_high_spender``, ``at_risk``, ``hibernating``, ``promising`` or
``regular`` — the same segment vocabulary as the engine's rule-based RFM segments.
One-time buyers are never ``at_risk``: BG/NBD gives them P(alive) = 1 (a customer can only
drop out after a repeat purchase); one who bought long ago is ``hibernating`` (dormant:
silent, little history), which the model agrees with through a low expected purchase rate
(demo data: 1.9 expected purchases in the next year against 6.0 for recent one-time buyers).

Examples
--------
>>> summary = summarise_transactions(log)
>>> segmenter = RFMSegmenter(n_clusters=6, seed=42).fit(summary, p_alive=alive)
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
#: Weight of monetary value in the K-means distance (recency and frequency weigh 1).
MONETARY_WEIGHT = 0.5
#: A cluster whose median P(alive) is below this is lapsing (same threshold as the offer policy).
AT_RISK_P_ALIVE = 0.5
#: Without P(alive): lapsing when silent for more than this many of one's usual purchase gaps.
LAPSE_GAPS = 3.0
#: A one-time buyer is ``new`` while the purchase is this recent (R score; 0.75: last quarter of the span).
NEW_SCORE = 0.75
#: Active repeat buyers at or above this F percentile are ``regular``, below it ``promising``.
REGULAR_F_SCORE = 0.5
#: ``loyal_high_spender`` needs a total spend in the top fifth of all customers (and F >= HIGH_SCORE).
TOP_SPEND_SCORE = 0.8


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
    return pd.DataFrame(
        {"recency_days": (big_t - t_x) * unit_days, "occasions": x + 1, "monetary": monetary},
        index=summary.index,
    )


def silence_in_gaps(summary: pd.DataFrame) -> np.ndarray:
    """Time since the last purchase in units of the customer's own mean gap between purchases.

    (T - t_x) / (t_x / x) for repeat buyers; NaN for one-time buyers (no gap observed) and
    for repeat purchases all on the first day's period (t_x = 0 cannot happen once purchases
    are aggregated per day, but a zero gap is treated the same way).
    """
    x, t_x, big_t = rfm_arrays(summary, "silence_in_gaps")
    gap = np.divide(t_x, x, out=np.full_like(t_x, np.nan), where=x > 0)
    return np.divide(big_t - t_x, gap, out=np.full_like(t_x, np.nan), where=gap > 0)


def segment_name(r: float, f: float, s: float, occasions: float, lapsing: bool) -> str:
    """Name of a cluster from its median customer's scores (0..1, higher is better).

    r : recency on the absolute scale 1 - recency_days / span; f : percentile of purchase
    occasions; s : percentile of total spend (occasions × spend per occasion: "high
    spender" is about what a customer has spent with the shop, not the size of one basket).

    First match wins: new — one purchase, recent; hibernating — one purchase long ago;
    at_risk — lapsing after buying often or much; hibernating — lapsing, little history,
    or silent for most of the window; loyal_high_spender — frequent and in the top fifth
    by total spend; regular — at least as frequent as the median customer; promising —
    everyone else (active, few purchases so far).
    """
    if occasions <= 1:
        return "new" if r >= NEW_SCORE else "hibernating"
    if lapsing:
        return "at_risk" if f >= HIGH_SCORE or s >= HIGH_SCORE else "hibernating"
    if r <= LOW_SCORE:
        return "hibernating"
    if f >= HIGH_SCORE and s >= TOP_SPEND_SCORE:
        return "loyal_high_spender"
    if f >= REGULAR_F_SCORE:
        return "regular"
    return "promising"


def _percentile(population: np.ndarray, value: float) -> float:
    """Share of the population below ``value``, ties counted half (mid-rank percentile)."""
    below = np.count_nonzero(population < value)
    ties = np.count_nonzero(population == value)
    return (below + ties / 2) / population.size


def _aligned(values: object, summary: pd.DataFrame, name: str) -> np.ndarray:
    """Per-customer values as an array in the summary's row order (a Series is aligned by index)."""
    if isinstance(values, pd.Series):
        if not values.index.equals(summary.index):
            values = values.reindex(summary.index)
        array = values.to_numpy(dtype=float)
    else:
        array = np.asarray(values, dtype=float)
    if array.shape != (len(summary),):
        raise ValueError(
            f"RFMSegmenter.fit: {name} needs one value per customer ({len(summary)}), got {array.shape}"
        )
    if not np.isfinite(array).all() or (array < 0).any() or (array > 1).any():
        raise ValueError(f"RFMSegmenter.fit: {name} must be a probability in [0, 1] for every customer")
    return array


@dataclass
class RFMSegmenter:
    """RFM + K-means segmenter: ``fit(summary, p_alive=None)`` returns self; ``predict`` names customers.

    K-means clusters the repeat buyers. One-time buyers are named by rule, not clustered:
    their frequency is a point mass (often a third of a shop's customers at F = 1) that
    would pull whole clusters together regardless of recency, BG/NBD gives them P(alive) = 1
    whatever their silence, and their names need nothing but recency: ``new`` while the
    purchase is recent (R score ≥ NEW_SCORE), ``hibernating`` after that.

    Attributes (after ``fit``)
    --------------------------
    profile_ : DataFrame, one row per K-means cluster (ordered by value: median occasions
        × monetary, then recency) and then two rows for the one-time buyers (recent, then
        long ago): ``kmeans``, size, medians (RFM, ``total_spend``, ``silence_gaps``,
        ``p_alive`` when given), R/F/M and total-spend scores, ``lapsing``, ``segment``, ``label``
    labels_ : Series of segment codes of the fitted customers
    span_days_ : length of the observation window in days (the R scale)
    """

    n_clusters: int = SEGMENT_CLUSTERS
    seed: int = SEGMENT_SEED
    unit_days: float = UNIT_DAYS
    monetary_weight: float = MONETARY_WEIGHT
    at_risk_p_alive: float = AT_RISK_P_ALIVE
    lapse_gaps: float = LAPSE_GAPS
    scaler_: StandardScaler | None = field(default=None, init=False)
    kmeans_: KMeans | None = field(default=None, init=False)
    profile_: pd.DataFrame | None = field(default=None, init=False)
    labels_: pd.Series | None = field(default=None, init=False)
    span_days_: float = field(default=float("nan"), init=False)
    _order: np.ndarray = field(default_factory=lambda: np.empty(0, int), init=False, repr=False)

    def __post_init__(self) -> None:
        if not 0 < self.monetary_weight <= 1:
            raise ValueError(f"monetary_weight must be in (0, 1], got {self.monetary_weight}")
        if not 0 < self.at_risk_p_alive < 1 or self.lapse_gaps <= 0:
            raise ValueError("at_risk_p_alive must be in (0, 1) and lapse_gaps > 0")

    @staticmethod
    def _matrix(rfm: pd.DataFrame) -> np.ndarray:
        return np.log1p(rfm[list(RFM_COLUMNS)].to_numpy(dtype=float).clip(min=0))

    def _features(self, matrix: np.ndarray) -> np.ndarray:
        assert self.scaler_ is not None
        return self.scaler_.transform(matrix) * np.array([1.0, 1.0, self.monetary_weight])

    def _one_time_cluster(self, rfm: pd.DataFrame) -> np.ndarray:
        """Cluster id of one-time buyers: n_clusters while recent, n_clusters + 1 after."""
        r = 1 - np.minimum(rfm["recency_days"].to_numpy(dtype=float) / self.span_days_, 1.0)
        return np.where(r >= NEW_SCORE, self.n_clusters, self.n_clusters + 1)

    def fit(self, summary: pd.DataFrame, p_alive: object = None) -> RFMSegmenter:
        """Cluster the customers of a summary (columns frequency, recency, T, total_spend
        or monetary_value) and name the clusters.

        p_alive : optional P(alive) per customer (array in row order, or Series indexed like
            the summary), e.g. ``BetaGeoModel.expected_probability_alive(summary)``; when given,
            a cluster is lapsing when its median P(alive) is below ``at_risk_p_alive``.
        """
        rfm = rfm_features(summary, self.unit_days)
        repeat = rfm["occasions"].to_numpy() > 1
        if int(repeat.sum()) < self.n_clusters:
            raise ValueError(
                f"RFMSegmenter.fit: {int(repeat.sum())} repeat customers, fewer than n_clusters={self.n_clusters}"
            )
        alive = None if p_alive is None else _aligned(p_alive, summary, "p_alive")
        self.span_days_ = max(float(summary[T].max()) * self.unit_days, 1.0)
        matrix = self._matrix(rfm[repeat])
        self.scaler_ = StandardScaler().fit(matrix)
        self.kmeans_ = KMeans(n_clusters=self.n_clusters, n_init=SEGMENT_N_INIT, random_state=self.seed)
        raw = np.empty(len(rfm), dtype=int)
        with threadpool_limits(limits=SEGMENT_THREADS, user_api="openmp"):
            raw[repeat] = self.kmeans_.fit_predict(self._features(matrix))
        raw[~repeat] = self._one_time_cluster(rfm[~repeat])
        groups = self.n_clusters + 2
        total = rfm["occasions"] * rfm["monetary"]
        described = rfm.assign(total_spend=total, silence_gaps=silence_in_gaps(summary))
        if alive is not None:
            described["p_alive"] = alive
        medians = described.groupby(raw).median().reindex(range(groups))
        medians["size"] = np.bincount(raw, minlength=groups)
        medians["kmeans"] = np.arange(groups) < self.n_clusters
        occasions, monetary = rfm["occasions"].to_numpy(), rfm["monetary"].to_numpy()
        rows = []
        for cluster, row in medians.iterrows():
            if cluster >= self.n_clusters:  # one-time buyers: named by recency alone
                name = "new" if cluster == self.n_clusters else "hibernating"
                rows.append({"cluster": cluster, "lapsing": False, "segment": name})
                continue
            r = 1 - min(row["recency_days"] / self.span_days_, 1.0)
            f = _percentile(occasions, row["occasions"])
            m = _percentile(monetary, row["monetary"])
            spend = _percentile(total.to_numpy(), row["total_spend"])
            if alive is not None:
                lapsing = bool(row["p_alive"] < self.at_risk_p_alive)
            else:
                lapsing = bool(row["silence_gaps"] > self.lapse_gaps)
            name = segment_name(r, f, spend, row["occasions"], lapsing)
            rows.append(
                {
                    "cluster": cluster,
                    "r_score": r,
                    "f_score": f,
                    "m_score": m,
                    "spend_score": spend,
                    "lapsing": lapsing,
                    "segment": name,
                }
            )
        profile = medians.join(pd.DataFrame(rows).set_index("cluster"))
        profile["label"] = profile["segment"].map(SEGMENT_LABELS)
        clusters = profile.iloc[: self.n_clusters]
        value = clusters["occasions"] * clusters["monetary"]
        kmeans_order = np.lexsort((clusters["recency_days"].to_numpy(), -value.to_numpy()))
        self._order = np.concatenate([kmeans_order, [self.n_clusters, self.n_clusters + 1]])
        self.profile_ = profile.iloc[self._order].reset_index(drop=True).rename_axis("cluster")
        self.labels_ = pd.Series(
            self.profile_["segment"].to_numpy()[self._rank(raw)], index=summary.index, name="segment"
        )
        return self

    def _rank(self, raw: np.ndarray) -> np.ndarray:
        """Stable cluster id (position in ``profile_``) of the raw ids (K-means labels, one-time groups)."""
        rank = np.empty(self.n_clusters + 2, dtype=int)
        rank[self._order] = np.arange(self.n_clusters + 2)
        return rank[raw]

    def predict_cluster(self, summary: pd.DataFrame) -> np.ndarray:
        """Cluster id (row of ``profile_``) of each customer."""
        if self.kmeans_ is None or self.scaler_ is None:
            raise RuntimeError("RFMSegmenter: call fit() first")
        rfm = rfm_features(summary, self.unit_days)
        repeat = rfm["occasions"].to_numpy() > 1
        raw = np.empty(len(rfm), dtype=int)
        if repeat.any():
            with threadpool_limits(limits=SEGMENT_THREADS, user_api="openmp"):
                raw[repeat] = self.kmeans_.predict(self._features(self._matrix(rfm[repeat])))
        raw[~repeat] = self._one_time_cluster(rfm[~repeat])
        return self._rank(raw)

    def predict(self, summary: pd.DataFrame) -> pd.Series:
        """Segment code of each customer (see ``SEGMENT_LABELS`` for the readable label)."""
        clusters = self.predict_cluster(summary)
        return pd.Series(self.profile_["segment"].to_numpy()[clusters], index=summary.index, name="segment")
