"""Multi-scale session EASE: the mixed kernel Gram, the planted structure it finds, the invariants."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from models_testkit import LearnsCommunities, ModelInvariants, checkerboard  # noqa: E402

from recommender.evaluation import evaluate  # noqa: E402
from recommender.models import EASEModel, PopularityModel, SessionEASEModel  # noqa: E402
from recommender.models.multiscale_ease import MultiScaleEASEModel, multiscale_kernel_gram  # noqa: E402
from recommender.models.session_ease import time_kernel_gram  # noqa: E402


class TestMultiScaleEASE(ModelInvariants, LearnsCommunities):
    # no timestamp column in the checkerboard: every interaction counts as simultaneous
    def make_model(self):
        return MultiScaleEASEModel(l2=5.0, time_scales=(60.0, 3600.0), time_weights=(0.4, 0.3), dropout=0.2)


class TestMultiScaleEASEWithTimestamps(ModelInvariants, LearnsCommunities):
    def make_model(self):
        return _TimedMultiScale(l2=5.0, time_scales=(60.0, 3600.0), time_weights=(0.4, 0.3), dropout=0.2)


class _TimedMultiScale(MultiScaleEASEModel):
    """Adds timestamps to any frame without them (so the shared invariants run the kernel path)."""

    def fit(self, interactions, items=None):
        if "timestamp" not in interactions.columns and len(interactions):
            stamps = np.arange(len(interactions), dtype=np.float64) * 97.0
            interactions = interactions.assign(timestamp=stamps)
        return super().fit(interactions, items)


def test_gram_is_the_weighted_sum_of_single_scale_grams() -> None:
    rng = np.random.default_rng(0)
    users, items, times = rng.integers(0, 25, 400), rng.integers(0, 18, 400), rng.uniform(0, 5e4, 400)
    mixed = multiscale_kernel_gram(users, items, times, 18, (60.0, 3600.0), (0.3, 0.5))
    expected = 0.3 * time_kernel_gram(users, items, times, 18, 60.0) + 0.5 * time_kernel_gram(
        users, items, times, 18, 3600.0
    )
    np.testing.assert_allclose(mixed, expected, atol=1e-10)
    assert np.linalg.eigvalsh(mixed).min() > -1e-9


def test_one_scale_is_session_ease_and_no_timestamps_is_plain_ease() -> None:
    rng = np.random.default_rng(1)
    data = pd.DataFrame(
        {
            "user_id": rng.integers(0, 30, 500),
            "item_id": rng.integers(0, 20, 500),
            "timestamp": rng.uniform(0, 1e5, 500),
        }
    )
    multi = MultiScaleEASEModel(l2=3.0, time_scales=(900.0,), time_weights=(0.7,), dropout=0.3).fit(data)
    single = SessionEASEModel(l2=3.0, time_scale=900.0, time_weight=0.7, dropout=0.3).fit(data)
    np.testing.assert_allclose(multi.weights_, single.weights_, atol=1e-10)
    untimed = data.drop(columns="timestamp")
    plain = MultiScaleEASEModel(l2=3.0, dropout=0.0).fit(untimed)
    np.testing.assert_allclose(plain.weights_, EASEModel(l2=3.0).fit(untimed).weights_, atol=1e-10)


def _planted(seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Items in groups of 5 rated together in one sitting; 6 popular items rated at random times.

    Each user has 3 sittings months apart, each on a random group, with 4 of its 5 items
    (the fifth is held out), plus 3 random popular items: popularity points at the popular
    items, the sittings at the missing group member.
    """
    rng = np.random.default_rng(seed)
    n_groups, popular = 12, np.arange(100, 106)
    train, held = [], []
    for user in range(150):
        for sitting, group in enumerate(rng.choice(n_groups, 3, replace=False)):
            start = sitting * 90 * 86400.0 + rng.uniform(0, 86400.0)
            members = rng.permutation(np.arange(group * 5, group * 5 + 5))
            for position, item in enumerate(members[:4]):
                train.append((user, int(item), start + 30.0 * position))
            held.append((user, int(members[4]), start + 120.0))
        for item in rng.choice(popular, 3, replace=False):
            train.append((user, int(item), rng.uniform(0, 270 * 86400.0)))
    columns = ["user_id", "item_id", "timestamp"]
    return pd.DataFrame(train, columns=columns), pd.DataFrame(held, columns=columns)


def test_beats_popularity_on_planted_sittings() -> None:
    train, held = _planted()
    model = MultiScaleEASEModel(l2=10.0, time_scales=(300.0, 86400.0), time_weights=(0.5, 0.3), dropout=0.2)
    ours = evaluate(model.fit(train), held, k=3)
    baseline = evaluate(PopularityModel().fit(train), held, k=3)
    assert ours["recall@3"] > 0.9 and baseline["recall@3"] < 0.2
    assert ours["ndcg@3"] > baseline["ndcg@3"] + 0.5


def test_same_sitting_items_rank_first() -> None:
    # items 1 and 2 are both co-rated with item 0 by 6 users, 1 within a minute, 2 months apart
    rows = []
    for user in range(6):
        rows += [(f"a{user}", 0, 0.0), (f"a{user}", 1, 60.0), (f"a{user}", 3, 9e6)]
        rows += [(f"b{user}", 0, 0.0), (f"b{user}", 2, 8e6), (f"b{user}", 3, 9e6)]
    rows.append(("probe", 0, 0.0))
    data = pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp"])
    ids, scores = MultiScaleEASEModel(l2=1.0).fit(data).recommend("probe", k=3)
    assert ids[0] == 1 and scores[0] > scores[list(ids).index(2)]


def test_bad_hyper_parameters_and_timestamps_are_clear_errors() -> None:
    data = checkerboard().assign(timestamp=0.0)
    with pytest.raises(ValueError, match="l2"):
        MultiScaleEASEModel(l2=0.0).fit(data)
    with pytest.raises(ValueError, match="dropout"):
        MultiScaleEASEModel(dropout=1.0).fit(data)
    with pytest.raises(ValueError, match="differ in length"):
        MultiScaleEASEModel(time_scales=(60.0,), time_weights=(0.2, 0.3)).fit(data)
    with pytest.raises(ValueError, match="sum to at most 1"):
        MultiScaleEASEModel(time_weights=(0.5, 0.4, 0.3)).fit(data)
    with pytest.raises(ValueError, match="time_scales must be > 0"):
        MultiScaleEASEModel(time_scales=(0.0, 1.0, 2.0)).fit(data)
    with pytest.raises(ValueError, match="timestamp"):
        MultiScaleEASEModel().fit(data.assign(timestamp="yesterday"))
