"""The protocol split and the ranking metrics on hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from recommender.evaluation import (
    evaluate,
    map_score,
    ndcg_at_k,
    precision_at_k,
    recall_at_k,
    stratified_split,
)
from recommender.models import PopularityModel

# user A: top-3 [1, 2, 3], relevant {1, 3, 9} -> hits at ranks 1 and 3
# user B: top-3 [4, 5, 6], relevant {6}       -> hit at rank 3
RECOMMENDED = [[1, 2, 3], [4, 5, 6]]
RELEVANT = [{1, 3, 9}, {6}]


def test_precision_and_recall_by_hand() -> None:
    assert precision_at_k(RECOMMENDED, RELEVANT, k=3) == pytest.approx((2 / 3 + 1 / 3) / 2)
    assert recall_at_k(RECOMMENDED, RELEVANT, k=3) == pytest.approx((2 / 3 + 1 / 1) / 2)


def test_precision_divides_by_k_even_for_short_lists() -> None:
    assert precision_at_k([[1]], [{1}], k=10) == pytest.approx(0.1)


def test_ndcg_binary_natural_log_by_hand() -> None:
    a = (1 / math.log(2) + 1 / math.log(4)) / (1 / math.log(2) + 1 / math.log(3) + 1 / math.log(4))
    b = (1 / math.log(4)) / (1 / math.log(2))  # ideal over min(k, |relevant|) = 1 item
    assert ndcg_at_k(RECOMMENDED, RELEVANT, k=3) == pytest.approx((a + b) / 2)


def test_map_divides_by_number_of_relevant_items() -> None:
    a = (1 / 1 + 2 / 3) / 3  # precision at each hit, over |relevant| = 3 (not min(k, 3))
    b = (1 / 3) / 1
    assert map_score(RECOMMENDED, RELEVANT, k=3) == pytest.approx((a + b) / 2)


def test_perfect_and_empty_lists() -> None:
    assert ndcg_at_k([[1, 2]], [{1, 2}], k=2) == pytest.approx(1.0)
    assert map_score([[1, 2]], [{1, 2}], k=2) == pytest.approx(1.0)
    assert ndcg_at_k([[]], [{1}], k=2) == 0.0


def test_metric_inputs_are_checked() -> None:
    with pytest.raises(ValueError, match="recommendation lists"):
        precision_at_k([[1]], [{1}, {2}], k=1)
    with pytest.raises(ValueError, match="at least one relevant"):
        map_score([[1]], [set()], k=1)


def test_stratified_split_by_hand() -> None:
    frame = pd.DataFrame({"user_id": [0, 1, 2, 3, 4, 5, 6], "item_id": ["a", "a", "a", "a", "b", "b", "c"]})
    random = np.random.RandomState(42).rand(7)
    train, test = stratified_split(frame, ratio=0.75, seed=42)
    # item a: 4 rows -> round(3.0) = 3 in train, the one with the largest random number in test;
    # item b: 2 rows -> round(1.5) = 2 (half to even) both in train; item c: round(0.75) = 1.
    expected_test = {int(np.argmax(random[:4]))}
    assert set(test["user_id"]) == expected_test
    assert len(train) == 6 and list(train.index) == sorted(train.index)


def test_stratified_split_rounds_half_to_even() -> None:
    frame = pd.DataFrame({"user_id": range(10), "item_id": [1] * 2 + [2] * 6 + [3] * 2})
    train, test = stratified_split(frame, ratio=0.25, seed=0)
    # item 1: round(0.5) = 0; item 2: round(1.5) = 2; item 3: round(0.5) = 0
    assert train["item_id"].tolist() == [2, 2] and len(test) == 8


def test_stratified_split_is_seeded_and_checks_ratio() -> None:
    frame = pd.DataFrame({"user_id": range(40), "item_id": np.arange(40) % 3})
    first, second = stratified_split(frame, seed=7), stratified_split(frame, seed=7)
    pd.testing.assert_frame_equal(first[0], second[0])
    with pytest.raises(ValueError, match="ratio"):
        stratified_split(frame, ratio=1.5)


def test_evaluate_on_a_tiny_case() -> None:
    train = pd.DataFrame({"user_id": [1, 1, 2, 2, 3], "item_id": [10, 20, 10, 30, 10]})
    test = pd.DataFrame({"user_id": [3], "item_id": [20]})
    # popularity: 10 (3 users, seen by user 3), then 20 and 30 (1 user each, 20 wins the tie)
    result = evaluate(PopularityModel().fit(train), test, k=2)
    assert result["precision@2"] == pytest.approx(0.5)
    assert result["map"] == pytest.approx(1.0) and result["ndcg@2"] == pytest.approx(1.0)
