"""RFM + K-means segments: planted groups get the right readable names, deterministically,
and names agree with the fitted P(alive) when it is given."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recommender.clv import BetaGeoModel, RFMSegmenter
from recommender.clv.constants import SEGMENT_LABELS
from recommender.clv.segments import segment_name, silence_in_gaps

# name -> (frequency, days since last purchase, mean spend); T is 52 weeks for everyone.
PLANTED = {
    "loyal_high_spender": (12, 5, 120.0),
    "new": (0, 6, 40.0),
    "hibernating": (0, 330, 8.0),
    "at_risk": (10, 300, 110.0),
}


def _planted(
    per_group: int = 150, seed: int = 3, groups: dict | None = None
) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    rows, truth = [], []
    for name, (frequency, silent_days, spend) in (groups or PLANTED).items():
        for _ in range(per_group):
            f = max(0, frequency + int(rng.integers(-2, 3))) if frequency else 0
            silent = silent_days * rng.uniform(0.8, 1.2)
            age = 52.0 if f else silent / 7  # a one-off buyer's age is its silence
            recency = age - silent / 7 if f else 0.0
            rows.append(
                {
                    "frequency": f,
                    "recency": recency,
                    "T": age,
                    "total_spend": (f + 1) * spend * rng.uniform(0.8, 1.2),
                }
            )
            truth.append(name)
    return pd.DataFrame(rows), np.array(truth)


def _majority_names(labels: np.ndarray, truth: np.ndarray) -> dict[str, tuple[str, float]]:
    out = {}
    for name in np.unique(truth):
        values, counts = np.unique(labels[truth == name], return_counts=True)
        out[name] = (values[np.argmax(counts)], counts.max() / counts.sum())
    return out


def test_planted_groups_get_their_names() -> None:
    # two clusters: K-means only sees the repeat buyers (loyal and at risk); one-time buyers go by rule
    summary, truth = _planted()
    labels = RFMSegmenter(n_clusters=2, seed=42).fit(summary).labels_.to_numpy()
    for name, (majority, share) in _majority_names(labels, truth).items():
        assert majority == name and share > 0.9, name


def test_planted_groups_get_their_names_with_fitted_p_alive() -> None:
    summary, truth = _planted()
    alive = BetaGeoModel().fit(summary).expected_probability_alive(summary)
    labels = RFMSegmenter(n_clusters=2, seed=42).fit(summary, p_alive=alive).labels_.to_numpy()
    for name, (majority, share) in _majority_names(labels, truth).items():
        assert majority == name and share > 0.9, name
    # the names agree with the model: nobody the model thinks probably gone is called loyal or new
    assert (alive[np.isin(labels, ["loyal_high_spender", "new"])] >= 0.5).all()
    assert np.median(alive[labels == "at_risk"]) < 0.5


def test_at_risk_is_only_claimed_when_p_alive_says_so() -> None:
    summary, truth = _planted()
    sure = RFMSegmenter(n_clusters=2, seed=42).fit(summary, p_alive=np.full(len(summary), 0.95)).labels_
    gone = (
        RFMSegmenter(n_clusters=2, seed=42).fit(summary, p_alive=pd.Series(0.05, index=summary.index)).labels_
    )
    quiet = truth == "at_risk"
    assert (sure[quiet] == "hibernating").mean() > 0.9  # silent, but the model says alive: dormant
    assert (gone[quiet] == "at_risk").mean() > 0.9
    # one-time buyers are named by recency alone: BG/NBD's P(alive) is 1 for all of them
    for labels in (sure, gone):
        assert (labels[truth == "new"] == "new").all() and (
            labels[truth == "hibernating"] == "hibernating"
        ).all()


def test_one_time_buyers_are_not_clustered_and_predict_matches_fit() -> None:
    summary, truth = _planted(seed=5)
    segmenter = RFMSegmenter(n_clusters=5, seed=1).fit(summary)
    profile = segmenter.profile_
    assert list(profile["kmeans"]) == [True] * 5 + [False, False]
    assert list(profile["segment"].iloc[-2:]) == ["new", "hibernating"]
    assert profile["size"].iloc[-2:].sum() == (summary["frequency"] == 0).sum()
    assert (profile.loc[profile["kmeans"], "occasions"] > 1).all()
    pd.testing.assert_series_equal(segmenter.predict(summary), segmenter.labels_)
    clusters = segmenter.predict_cluster(summary)
    assert set(clusters[summary["frequency"].to_numpy() == 0]) <= {5, 6}


def test_deterministic_with_a_seed() -> None:
    summary, _ = _planted(seed=5)
    first = RFMSegmenter(n_clusters=5, seed=1).fit(summary)
    second = RFMSegmenter(n_clusters=5, seed=1).fit(summary)
    pd.testing.assert_series_equal(first.labels_, second.labels_)
    pd.testing.assert_frame_equal(first.profile_, second.profile_)
    assert set(first.profile_["label"]) <= set(SEGMENT_LABELS.values())
    assert first.profile_["size"].sum() == len(summary)


@pytest.mark.parametrize(
    "r, f, s, occasions, lapsing, name",
    [
        (0.9, 0.1, 0.1, 1, False, "new"),
        (0.5, 0.1, 0.9, 1, True, "hibernating"),  # one purchase long ago: never at risk
        (0.9, 0.9, 0.9, 10, True, "at_risk"),  # the model says probably gone, however recent
        (0.3, 0.3, 0.3, 2, True, "hibernating"),
        (0.3, 0.9, 0.9, 9, False, "hibernating"),  # silent most of the window, model still hopeful
        (0.9, 0.9, 0.85, 12, False, "loyal_high_spender"),
        (0.9, 0.9, 0.7, 12, False, "regular"),  # frequent, not in the top fifth by spend
        (0.9, 0.55, 0.5, 5, False, "regular"),
        (0.9, 0.3, 0.9, 2, False, "promising"),
    ],
)
def test_segment_name_rules(r, f, s, occasions, lapsing, name) -> None:
    assert segment_name(r, f, s, occasions, lapsing) == name


def test_silence_in_gaps() -> None:
    summary = pd.DataFrame({"frequency": [0, 4, 2], "recency": [0.0, 20.0, 10.0], "T": [5.0, 25.0, 40.0]})
    gaps = silence_in_gaps(summary)
    assert np.isnan(gaps[0]) and gaps[1] == pytest.approx(1.0) and gaps[2] == pytest.approx(6.0)


def test_validation() -> None:
    with pytest.raises(ValueError, match="required column 'T' missing"):
        RFMSegmenter().fit(pd.DataFrame({"frequency": [1], "recency": [1.0], "total_spend": [3.0]}))
    summary, _ = _planted(per_group=1)
    with pytest.raises(ValueError, match="fewer than n_clusters"):
        RFMSegmenter(n_clusters=6).fit(summary)
    with pytest.raises(RuntimeError, match="fit"):
        RFMSegmenter().predict(summary)
    summary, _ = _planted(per_group=20)
    with pytest.raises(ValueError, match="one value per customer"):
        RFMSegmenter(n_clusters=3).fit(summary, p_alive=np.ones(3))
    with pytest.raises(ValueError, match="probability"):
        RFMSegmenter(n_clusters=3).fit(summary, p_alive=np.full(len(summary), 1.5))
    with pytest.raises(ValueError, match="monetary_weight"):
        RFMSegmenter(monetary_weight=0.0)
