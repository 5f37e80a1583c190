"""Beyond-accuracy metrics on a hand-counted example."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from recommender.evaluation import beyond_accuracy

# popularity (distinct users): a 3, b 2, c 1, d 1; 4 users, 7 interactions
TRAIN = pd.DataFrame(
    [("u1", "a"), ("u1", "b"), ("u2", "a"), ("u2", "b"), ("u3", "a"), ("u3", "c"), ("u4", "d"), ("u4", "d")],
    columns=["user_id", "item_id"],
)


def test_by_hand() -> None:
    got = beyond_accuracy([["a", "b"], ["a", "c"]], TRAIN)
    assert got["coverage"] == pytest.approx(3 / 4)
    # cos(a, b) = 2 / sqrt(3 * 2), cos(a, c) = 1 / sqrt(3)
    assert got["diversity"] == pytest.approx(((1 - 2 / math.sqrt(6)) + (1 - 1 / math.sqrt(3))) / 2)
    assert got["novelty"] == pytest.approx((2 * -math.log2(3 / 4) - math.log2(2 / 4) - math.log2(1 / 4)) / 4)
    # least popular half {c, d}: 2 of 7 interactions (d's repeat counts once), 1 of 4 slots
    assert got["popularity_bias_ratio"] == pytest.approx((1 / 4) / (2 / 7))


def test_popular_only_lists_have_low_novelty_and_no_tail_exposure() -> None:
    popular = beyond_accuracy([["a", "b"]] * 3, TRAIN)
    niche = beyond_accuracy([["c", "d"]] * 3, TRAIN)
    assert popular["popularity_bias_ratio"] == 0.0 and niche["popularity_bias_ratio"] == pytest.approx(7 / 2)
    assert niche["novelty"] > popular["novelty"] and niche["diversity"] == pytest.approx(1.0)
    assert popular["coverage"] == niche["coverage"] == 0.5


def test_unknown_items_and_short_lists_are_ignored() -> None:
    got = beyond_accuracy([["zzz"], ["a"]], TRAIN)
    assert got["coverage"] == pytest.approx(1 / 4) and got["diversity"] == 0.0
