"""Most-popular baseline, global or per user segment."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .base import RecommenderModel
from .constants import COL_USER


class PopularityModel(RecommenderModel):
    """Scores every item by its number of distinct users (global or within the user's segment).

    Parameters
    ----------
    by : str or None
        Optional column of the interactions frame naming each user's segment. A user
        gets the popularity within their (most frequent) segment; users with no
        segment and cold users get the global popularity.

    Attributes
    ----------
    segment_scores_ : ndarray of shape (n_segments, n_items)
    user_segment_ : ndarray of shape (n_users,), -1 for users without a segment
    """

    def __init__(self, by: str | None = None) -> None:
        self.by = by

    def _fit(self, user_items: sp.csr_matrix, interactions: pd.DataFrame) -> None:
        self.user_segment_ = np.full(user_items.shape[0], -1, dtype=np.int64)
        self.segment_scores_ = np.zeros((0, user_items.shape[1]))
        self.segments_ = np.array([])
        if self.by is None:
            return
        if self.by not in interactions.columns:
            raise ValueError(f"Segment column {self.by!r} missing from interactions")
        per_user = (
            interactions.dropna(subset=[self.by]).groupby(COL_USER)[self.by].agg(lambda s: s.mode().iloc[0])
        )
        self.segments_, codes = np.unique(per_user.to_numpy(), return_inverse=True)
        rows = np.array([self.user_index_[u] for u in per_user.index], dtype=np.int64)
        self.user_segment_[rows] = codes
        membership = sp.csr_matrix(
            (np.ones(rows.size), (codes, rows)), shape=(len(self.segments_), user_items.shape[0])
        )
        self.segment_scores_ = (membership @ (user_items > 0).astype(np.float64)).toarray()

    def _score(self, rows: np.ndarray, user_items: sp.csr_matrix) -> np.ndarray:
        scores = np.tile(self.item_popularity_, (rows.size, 1))
        segments = self.user_segment_[rows]
        has = segments >= 0
        scores[has] = self.segment_scores_[segments[has]]
        return scores
