"""PopularityModel(by=...): the most popular items within each user's segment."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recommender.models import PopularityModel

# user -> (segment per row, items); None: the user has no segment.
USERS: dict[str, tuple[str | None, list[str]]] = {
    "g1": ("gold", ["i1", "i2"]),
    "g2": ("gold", ["i1", "i2", "i3"]),
    "g3": ("gold", ["i1"]),
    "n1": ("new", ["i4", "i5"]),
    "n2": ("new", ["i4", "i5", "i4"]),  # a repeated interaction is one user
    "n3": ("new", ["i4"]),
    "x1": (None, ["i3", "i5"]),
}


def frame() -> pd.DataFrame:
    rows = [(u, i, s) for u, (s, items) in USERS.items() for i in items]
    # m1 has two rows in "new" and one in "gold": its (most frequent) segment is "new"
    rows += [("m1", "i2", "gold"), ("m1", "i6", "new"), ("m1", "i6", "new")]
    return pd.DataFrame(rows, columns=["user_id", "item_id", "segment"])


@pytest.fixture(scope="module")
def fitted() -> PopularityModel:
    return PopularityModel(by="segment").fit(frame())


def test_segment_scores_count_distinct_users_of_the_segment(fitted) -> None:
    assert fitted.item_ids_.tolist() == ["i1", "i2", "i3", "i4", "i5", "i6"]
    assert fitted.segments_.tolist() == ["gold", "new"]
    # m1 belongs to "new" (2 rows of 3): its gold-tagged i2 counts for "new"
    np.testing.assert_array_equal(fitted.segment_scores_[0], [3, 2, 1, 0, 0, 0])  # gold
    np.testing.assert_array_equal(fitted.segment_scores_[1], [0, 1, 0, 3, 2, 1])  # new
    np.testing.assert_array_equal(fitted.item_popularity_, [3, 3, 2, 3, 3, 1])  # everyone
    segment_of = dict(zip(fitted.user_ids_.tolist(), fitted.user_segment_.tolist(), strict=True))
    assert segment_of == {"g1": 0, "g2": 0, "g3": 0, "m1": 1, "n1": 1, "n2": 1, "n3": 1, "x1": -1}


def test_each_segment_gets_its_own_ranking(fitted) -> None:
    gold, _ = fitted.recommend("g3", k=3)  # saw i1; gold: i2 (2) > i3 (1) > the rest (0)
    assert gold.tolist() == ["i2", "i3", "i4"]  # ties at 0 go to the lower position
    new, scores = fitted.recommend("n3", k=3)  # saw i4; new: i5 (2) > i2 = i6 (1)
    assert new.tolist() == ["i5", "i2", "i6"] and scores.tolist() == [2.0, 1.0, 1.0]
    mixed, _ = fitted.recommend("m1", k=2)  # saw i2, i6; new: i4 (3) > i5 (2)
    assert mixed.tolist() == ["i4", "i5"]


def test_users_without_segment_and_cold_users_get_global_popularity(fitted) -> None:
    unsegmented, scores = fitted.recommend("x1", k=3)  # saw i3, i5; global: i1 = i2 = i4 (3)
    assert unsegmented.tolist() == ["i1", "i2", "i4"] and scores.tolist() == [3.0, 3.0, 3.0]
    cold, _ = fitted.recommend("nobody", k=2)
    assert cold.tolist() == ["i1", "i2"]


def test_global_mode_ignores_segments() -> None:
    plain = PopularityModel().fit(frame())
    assert plain.recommend("g3", k=3)[0].tolist() == ["i2", "i4", "i5"]  # global: 3, 3, 3 (i3: 2)


def test_missing_segment_column_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="Segment column 'tier' missing"):
        PopularityModel(by="tier").fit(frame())
