"""Session-aware EASE: the time kernel Gram and what timestamps change in the ranking."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recommender.models import EASEModel, SessionEASEModel
from recommender.models.session_ease import time_kernel_gram


def test_time_kernel_gram_by_hand() -> None:
    # one user: item 0 at t=0, item 1 at t=10, item 2 at t=30; scale 10
    gram = time_kernel_gram(np.array([0, 0, 0]), np.array([0, 1, 2]), np.array([0.0, 10.0, 30.0]), 3, 10.0)
    expected = np.exp(-np.abs(np.subtract.outer([0.0, 1.0, 3.0], [0.0, 1.0, 3.0])))
    np.testing.assert_allclose(gram, expected)


def test_time_kernel_gram_counts_repeats_once_and_is_psd() -> None:
    rng = np.random.default_rng(0)
    users = rng.integers(0, 20, 300)
    items = rng.integers(0, 15, 300)
    times = rng.uniform(0, 1000, 300)
    gram = time_kernel_gram(users, items, times, 15, 50.0)
    pairs = pd.DataFrame({"u": users, "i": items}).drop_duplicates()
    np.testing.assert_allclose(np.diag(gram), pairs.groupby("i").size().reindex(range(15), fill_value=0))
    assert np.linalg.eigvalsh(gram).min() > -1e-9


def test_time_scale_must_be_positive() -> None:
    with pytest.raises(ValueError, match="time_scale"):
        time_kernel_gram(np.array([0]), np.array([0]), np.array([0.0]), 1, 0.0)


def _sessions() -> pd.DataFrame:
    """Items 0-3; users co-rate 0 with 1 in one session and 0 with 2 months apart.

    Both pairs are co-rated by 6 users, so co-occurrence alone cannot tell 1 from 2.
    """
    rows = []
    for user in range(6):
        rows += [(f"a{user}", 0, 0.0), (f"a{user}", 1, 60.0), (f"a{user}", 3, 9e6)]
        rows += [(f"b{user}", 0, 0.0), (f"b{user}", 2, 8e6), (f"b{user}", 3, 9e6)]
    rows.append(("probe", 0, 0.0))
    return pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp"])


def test_items_of_the_same_session_rank_first() -> None:
    data = _sessions()
    ids, scores = (
        SessionEASEModel(l2=1.0, time_scale=600.0, time_weight=0.8).fit(data).recommend("probe", k=3)
    )
    assert ids[0] == 1 and scores[0] > scores[list(ids).index(2)]


def test_without_timestamps_it_is_plain_ease() -> None:
    data = _sessions().drop(columns="timestamp")
    session = SessionEASEModel(l2=3.0, time_weight=0.8).fit(data)
    plain = EASEModel(l2=3.0).fit(data)
    np.testing.assert_allclose(session.weights_, plain.weights_, atol=1e-12)


def test_bad_hyper_parameters_and_timestamps_are_clear_errors() -> None:
    data = _sessions()
    with pytest.raises(ValueError, match="time_weight"):
        SessionEASEModel(time_weight=1.5).fit(data)
    with pytest.raises(ValueError, match="l2"):
        SessionEASEModel(l2=0.0).fit(data)
    with pytest.raises(ValueError, match="timestamp"):
        SessionEASEModel().fit(data.assign(timestamp="yesterday"))
