"""Association rules: support, confidence and lift on a hand-counted basket table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recommender.engine.rules import AssociationRules

BREAD, BUTTER, JAM, TEA = range(4)


def purchases(baskets: list[list[int]]) -> pd.DataFrame:
    rows = [{"basket": f"o{i}", "item": item} for i, basket in enumerate(baskets) for item in basket]
    return pd.DataFrame(rows)


# 5 baskets: bread in 4, butter in 3, bread+butter in 3, jam in 2 (with bread once), tea in 2
BASKETS = [[BREAD, BUTTER], [BREAD, BUTTER], [BREAD, BUTTER, JAM], [BREAD, TEA], [JAM, TEA]]


def test_support_confidence_lift_by_hand() -> None:
    rules = AssociationRules(min_count=2, min_confidence=0.1, min_lift=1.0).fit(purchases(BASKETS), 4)
    assert rules.n_baskets_ == 5
    # butter → bread: n=3, conf 3/3 = 1, lift 1 / (4/5) = 1.25
    assert rules.confidence_[BUTTER, BREAD] == pytest.approx(1.0)
    assert rules.lift_[BUTTER, BREAD] == pytest.approx(1.25)
    # bread → butter: conf 3/4, lift 0.75 / (3/5) = 1.25
    assert rules.confidence_[BREAD, BUTTER] == pytest.approx(0.75)
    assert rules.support(BREAD, BUTTER) == pytest.approx(3 / 5)
    # bread+jam and bread+tea together only once: below min_count
    assert rules.confidence_[BREAD, JAM] == 0 and rules.confidence_[BREAD, TEA] == 0


def test_rules_no_better_than_chance_are_dropped() -> None:
    # A and B each in every basket: lift exactly 1 → not a rule
    rules = AssociationRules(min_count=1).fit(purchases([[0, 1], [0, 1], [0, 1]]), 2)
    assert rules.confidence_.nnz == 0


def test_item_repeated_in_one_basket_counts_once() -> None:
    rules = AssociationRules(min_count=2).fit(purchases([[0, 0, 1], [0, 1], [2]]), 3)
    assert rules.item_counts_[0] == 2
    assert rules.confidence_[1, 0] == pytest.approx(1.0)


def test_recommend_names_the_antecedent() -> None:
    rules = AssociationRules().fit(purchases(BASKETS), 4)
    scores, because = rules.recommend(np.array([BUTTER]), np.array([8.0]))
    assert int(np.argmax(scores)) == BREAD and because[BREAD] == BUTTER
    assert scores[TEA] == 0 and because[TEA] == -1


def test_no_purchases() -> None:
    rules = AssociationRules().fit(pd.DataFrame({"basket": [], "item": []}), 3)
    assert rules.n_baskets_ == 0 and not rules.bought_with(0).any()
