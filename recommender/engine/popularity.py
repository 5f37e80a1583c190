"""Popularity: time-decayed weighted interaction counts per item."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .constants import POPULARITY_HALF_LIFE_DAYS


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
    """

    def __init__(self, half_life_days: float | None = POPULARITY_HALF_LIFE_DAYS) -> None:
        self.half_life_days = half_life_days

    def fit(self, interactions: pd.DataFrame, n_items: int) -> Popularity:
        """Learn scores from prepared interactions (columns item, weight, created_at)."""
        weights = np.clip(interactions["weight"].to_numpy(dtype=float), 0.0, None)
        if self.half_life_days and len(interactions):
            created = pd.to_datetime(interactions["created_at"], utc=True, errors="coerce")
            if created.notna().any():
                age_days = ((created.max() - created).dt.total_seconds() / 86400.0).fillna(0.0).to_numpy()
                weights = weights * np.power(0.5, age_days / float(self.half_life_days))
        items = interactions["item"].to_numpy(dtype=np.int64)
        self.scores_ = np.bincount(items, weights=weights, minlength=n_items).astype(float)
        return self
