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
    scores, because, partner = rules.recommend(np.array([BUTTER]), np.array([8.0]))
    assert int(np.argmax(scores)) == BREAD and because[BREAD] == BUTTER and partner[BREAD] == -1
    assert scores[TEA] == 0 and because[TEA] == -1


def test_no_purchases() -> None:
    rules = AssociationRules().fit(pd.DataFrame({"basket": [], "item": []}), 3)
    assert rules.n_baskets_ == 0 and not rules.bought_with(0).any()


# -- FP-growth rules with two-item antecedents ------------------------------------------

SHIRT, TROUSERS, BELT, HAT, SOCKS = range(5)
OUTFITS = [[SHIRT, TROUSERS, BELT]] * 3 + [[SHIRT, HAT]] * 3 + [[TROUSERS, SOCKS]] * 3


def test_a_pair_antecedent_fires_only_when_both_items_are_held() -> None:
    rules = AssociationRules(min_count=2, min_confidence=0.1).fit(purchases(OUTFITS), 5)
    pairs = rules.pair_rules_
    belt = pairs[(pairs["a"] == SHIRT) & (pairs["b"] == TROUSERS) & (pairs["consequent"] == BELT)]
    assert len(belt) == 1
    # {shirt, trousers} → belt: 3 / 3 = 1.0, lift 1 / (3/9) = 3, support 3/9
    assert belt[["confidence", "lift", "support"]].iloc[0].tolist() == pytest.approx([1.0, 3.0, 1 / 3])
    # {shirt, belt} → trousers is no stronger than belt → trousers (1.0): not kept
    assert not ((pairs["consequent"] == TROUSERS) & (pairs["a"] == SHIRT) & (pairs["b"] == BELT)).any()
    both, because, partner = rules.recommend(np.array([SHIRT, TROUSERS]), np.ones(2))
    alone, _, alone_partner = rules.recommend(np.array([SHIRT]), np.ones(1))
    # the pair rule gives the score, so both of its items are named
    assert both[BELT] == pytest.approx(3.0) and (because[BELT], partner[BELT]) == (SHIRT, TROUSERS)
    assert alone_partner[BELT] == -1
    assert alone[BELT] == pytest.approx(0.5 * 1.5)  # shirt → belt: conf 3/6, lift 0.5 / (3/9)


def brute_force_pair_rules(baskets, min_count, min_confidence, min_lift):
    from itertools import combinations

    sets = [set(b) for b in baskets]
    n = len(sets)
    count = lambda *items: sum(1 for s in sets if set(items) <= s)  # noqa: E731
    items = sorted({i for s in sets for i in s})

    def kept_single(x, c):  # confidence of the single-item rule x → c, 0 when it is not kept
        if count(x, c) < min_count:
            return 0.0
        confidence = count(x, c) / count(x)
        return confidence if confidence >= min_confidence and confidence / (count(c) / n) > min_lift else 0.0

    found = {}
    for a, b in combinations(items, 2):
        n_ab = count(a, b)
        for c in items:
            if c in (a, b) or count(a, b, c) < min_count:
                continue
            confidence = count(a, b, c) / n_ab
            lift = confidence / (count(c) / n)
            single = max(kept_single(x, c) for x in (a, b))
            if confidence >= min_confidence and lift > min_lift and confidence > single:
                found[(a, b, c)] = (confidence, lift)
    return found


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pair_rules_match_a_brute_force_count(seed) -> None:
    rng = np.random.default_rng(seed)
    baskets = [
        sorted(set(rng.choice(8, size=rng.integers(1, 5), p=np.linspace(2, 1, 8) / 12))) for _ in range(60)
    ]
    rules = AssociationRules(min_count=3, min_confidence=0.2).fit(purchases(baskets), 8)
    got = {
        (int(r.a), int(r.b), int(r.consequent)): (r.confidence, r.lift)
        for r in rules.pair_rules_.itertuples()
    }
    want = brute_force_pair_rules(baskets, 3, 0.2, 1.0)
    assert want, "the random baskets should hold some pair rules"
    assert got.keys() == want.keys()
    for key, (confidence, lift) in want.items():
        assert got[key] == pytest.approx((confidence, lift))
