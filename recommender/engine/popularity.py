"""Popularity: time-decayed weighted interaction counts per item, overall and per customer segment."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .constants import (
    POPULAR_REASON_MIN_SHOPPERS,
    POPULAR_REASON_TOP_SHARE,
    POPULARITY_HALF_LIFE_DAYS,
    SEGMENT_MIN_INTERACTIONS,
    SEGMENT_MIN_SHOPPERS,
)


def distinct_shoppers(
    interactions: pd.DataFrame, rows: np.ndarray, n_rows: int, n_items: int, keep: np.ndarray
) -> np.ndarray:
    """Distinct shoppers per (row, item) among the interactions where ``keep``; shape (n_rows, n_items).

    ``rows`` gives each interaction's row (e.g. 0 for all, or its segment); the counts are the
    evidence behind a "popular" reason, which a weighted score alone does not show.
    """
    codes, uniques = pd.factorize(interactions["shopper_id"])
    flat = rows[keep].astype(np.int64) * n_items + interactions["item"].to_numpy(dtype=np.int64)[keep]
    pairs = np.unique(flat * max(len(uniques), 1) + codes[keep].astype(np.int64)) // max(len(uniques), 1)
    return np.bincount(pairs, minlength=n_rows * n_items).reshape(n_rows, n_items).astype(np.int32)


def top_share_floor(scores: np.ndarray, groups: np.ndarray, share: float = POPULAR_REASON_TOP_SHARE) -> np.ndarray:
    """Per item, the score its group's (e.g. vertical's) top ``share`` of positive scores starts at."""
    floor = np.full(len(scores), np.inf)
    for group in np.unique(groups):
        members = groups == group
        positive = scores[members & (scores > 0)]
        if positive.size:
            floor[members] = np.quantile(positive, 1.0 - share)
    return floor


def decayed_weights(interactions: pd.DataFrame, half_life_days: float | None) -> np.ndarray:
    """Positive weight of each prepared interaction row, halved every ``half_life_days`` of age
    before the newest row (negative weights count 0; None: no decay)."""
    weights = np.clip(interactions["weight"].to_numpy(dtype=float), 0.0, None)
    if half_life_days and len(interactions):
        created = pd.to_datetime(interactions["created_at"], utc=True, errors="coerce")
        if created.notna().any():
            age_days = ((created.max() - created).dt.total_seconds() / 86400.0).fillna(0.0).to_numpy()
            weights = weights * np.power(0.5, age_days / float(half_life_days))
    return weights


class Popularity:
    """Score items by the summed positive weight of their interactions.

    Parameters
    ----------
    half_life_days : float or None
        An interaction this many days older than the newest one counts half;
        None disables decay.

    Attributes
    ----------
    scores_ : ndarray of shape (n_items,)
        Popularity of each catalog position; rank within a vertical by masking.
    shoppers_ : ndarray of shape (n_items,)
        Distinct shoppers with a positive interaction with each item.
    """

    def __init__(self, half_life_days: float | None = POPULARITY_HALF_LIFE_DAYS) -> None:
        self.half_life_days = half_life_days

    def fit(self, interactions: pd.DataFrame, n_items: int) -> Popularity:
        """Learn scores from prepared interactions (columns item, weight, created_at)."""
        weights = decayed_weights(interactions, self.half_life_days)
        items = interactions["item"].to_numpy(dtype=np.int64)
        self.scores_ = np.bincount(items, weights=weights, minlength=n_items).astype(float)
        self.shoppers_ = distinct_shoppers(interactions, np.zeros(len(items), dtype=np.int64), 1, n_items, weights > 0)[0]
        return self

    def reason_mask(self, verticals: np.ndarray) -> np.ndarray:
        """Items that may say "Popular right now": enough distinct shoppers and in the top share
        of their vertical (``POPULAR_REASON_MIN_SHOPPERS``, ``POPULAR_REASON_TOP_SHARE``)."""
        floor = top_share_floor(self.scores_, np.asarray(verticals))
        return (self.shoppers_ >= POPULAR_REASON_MIN_SHOPPERS) & (self.scores_ > 0) & (self.scores_ >= floor)


class SegmentPopularity:
    """Popularity within each customer segment: the ``Popularity`` weighting (same decay, same
    reference time: the newest interaction of all) summed over the segment's shoppers only.

    A segment is kept only with at least ``min_interactions`` positive interactions from at
    least ``min_shoppers`` distinct shoppers; memory is one float vector per kept segment.

    Attributes
    ----------
    names_ : tuple of str
        Kept segments, in order of ``scores_`` rows.
    scores_ : ndarray of shape (len(names_), n_items)
    """

    def __init__(
        self,
        half_life_days: float | None = POPULARITY_HALF_LIFE_DAYS,
        min_interactions: int = SEGMENT_MIN_INTERACTIONS,
        min_shoppers: int = SEGMENT_MIN_SHOPPERS,
    ) -> None:
        self.half_life_days = half_life_days
        self.min_interactions = min_interactions
        self.min_shoppers = min_shoppers

    def fit(
        self, interactions: pd.DataFrame, n_items: int, segments: Mapping[str, str] | None
    ) -> SegmentPopularity:
        """Learn per-segment scores from prepared interactions and shopper id → segment name."""
        self.segments_: dict[str, str] = {str(k): str(v) for k, v in (segments or {}).items()}
        self.names_: tuple[str, ...] = ()
        self.scores_ = np.zeros((0, n_items))
        self.rows_: dict[str, int] = {}
        self.shoppers_ = np.zeros((0, n_items), dtype=np.int32)
        if not self.segments_ or not len(interactions):
            return self
        weights = decayed_weights(interactions, self.half_life_days)
        shopper_rows, shoppers = pd.factorize(interactions["shopper_id"])
        named = pd.Series(shoppers, dtype=object).map(self.segments_)  # one lookup per shopper
        names = sorted({str(name) for name in named.dropna()})
        of_shopper = pd.Categorical(named, categories=names).codes.astype(np.int64)  # -1: no segment
        of_row = of_shopper[shopper_rows]
        positive = (weights > 0) & (of_row >= 0)
        count = np.bincount(of_row[positive], minlength=len(names))
        active = np.bincount(shopper_rows[positive], minlength=len(shoppers)) > 0
        people = np.bincount(of_shopper[active & (of_shopper >= 0)], minlength=len(names))
        kept = (count >= self.min_interactions) & (people >= self.min_shoppers)
        self.names_ = tuple(name for name, keep in zip(names, kept, strict=True) if keep)
        if not self.names_:
            return self
        self.rows_ = {name: row for row, name in enumerate(self.names_)}
        renumber = np.where(kept, np.cumsum(kept) - 1, -1)
        row = np.where(positive, renumber[np.maximum(of_row, 0)], -1)
        use = row >= 0
        flat = row[use] * n_items + interactions["item"].to_numpy(dtype=np.int64)[use]
        self.scores_ = np.bincount(flat, weights=weights[use], minlength=len(self.names_) * n_items).reshape(
            len(self.names_), n_items
        )
        self.shoppers_ = distinct_shoppers(interactions, np.maximum(row, 0), len(self.names_), n_items, use)
        return self

    def shoppers_of(self, segment: str) -> np.ndarray:
        """Distinct shoppers of one kept segment with a positive interaction with each item."""
        return self.shoppers_[self.rows_[segment]]

    def segment_of(self, shopper_id: str | None) -> str | None:
        """The shopper's segment when it has per-segment scores, else None."""
        if shopper_id is None:
            return None
        name = self.segments_.get(str(shopper_id))
        return name if name in self.rows_ else None

    def scores_of(self, segment: str) -> np.ndarray:
        """Per-item scores of one kept segment (a row of ``scores_``, not a copy)."""
        return self.scores_[self.rows_[segment]]
