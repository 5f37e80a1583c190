"""RFM + K-means segments: planted groups get the right readable names, deterministically."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recommender.clv import RFMSegmenter
from recommender.clv.constants import SEGMENT_LABELS

# name -> (frequency, days since last purchase, mean spend); T is 52 weeks for everyone.
PLANTED = {
    "loyal_high_spender": (12, 5, 120.0),
    "new": (0, 6, 40.0),
    "hibernating": (0, 330, 8.0),
    "at_risk": (10, 300, 110.0),
}


def _planted(per_group: int = 150, seed: int = 3) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    rows, truth = [], []
    for name, (frequency, silent_days, spend) in PLANTED.items():
        for _ in range(per_group):
            f = max(0, frequency + int(rng.integers(-2, 3))) if frequency else 0
            silent = silent_days * rng.uniform(0.8, 1.2)
            age = 52.0 if f else silent / 7            # a one-off buyer's age is its silence
            recency = age - silent / 7 if f else 0.0
            rows.append({"frequency": f, "recency": recency, "T": age,
                         "total_spend": (f + 1) * spend * rng.uniform(0.8, 1.2)})
            truth.append(name)
    return pd.DataFrame(rows), np.array(truth)


def test_planted_groups_get_their_names() -> None:
    summary, truth = _planted()
    labels = RFMSegmenter(n_clusters=4, seed=42).fit(summary).labels_.to_numpy()
    for name in PLANTED:
        values, counts = np.unique(labels[truth == name], return_counts=True)
        assert values[np.argmax(counts)] == name
        assert counts.max() / counts.sum() > 0.9


def test_deterministic_with_a_seed_and_predict_matches_fit() -> None:
    summary, _ = _planted(seed=5)
    first = RFMSegmenter(n_clusters=5, seed=1).fit(summary)
    second = RFMSegmenter(n_clusters=5, seed=1).fit(summary)
    pd.testing.assert_series_equal(first.labels_, second.labels_)
    pd.testing.assert_frame_equal(first.profile_, second.profile_)
    pd.testing.assert_series_equal(first.predict(summary), first.labels_)
    assert set(first.profile_["label"]) <= set(SEGMENT_LABELS.values())
    assert first.profile_["size"].sum() == len(summary)


def test_validation() -> None:
    with pytest.raises(ValueError, match="required column 'T' missing"):
        RFMSegmenter().fit(pd.DataFrame({"frequency": [1], "recency": [1.0], "total_spend": [3.0]}))
    summary, _ = _planted(per_group=1)
    with pytest.raises(ValueError, match="fewer than n_clusters"):
        RFMSegmenter(n_clusters=6).fit(summary)
    with pytest.raises(RuntimeError, match="fit"):
        RFMSegmenter().predict(summary)
