"""FP-growth itemsets and rules against hand counts and a brute-force count."""

from __future__ import annotations

import itertools
import random

import pandas as pd
import pytest

from recommender.rules import frequent_itemsets, mine_rules, read_basket_file, rules_from_itemsets
from recommender.rules.baskets import baskets_from_frame


def rule(rules: pd.DataFrame, antecedent: set[str], consequent: str) -> pd.Series:
    match = rules[(rules["antecedent"] == frozenset(antecedent)) & (rules["consequent"] == consequent)]
    assert len(match) == 1, f"rule {sorted(antecedent)} -> {consequent} not found once"
    return match.iloc[0]


def test_support_confidence_lift_by_hand(textbook_baskets):
    rules = mine_rules(textbook_baskets, min_support=0.4, min_confidence=0.6)
    # {beer, diapers} is in baskets 2, 3, 4 of 5; beer is in 3 baskets, diapers in 4.
    beer_diapers = rule(rules, {"beer"}, "diapers")
    assert beer_diapers["support"] == pytest.approx(3 / 5)
    assert beer_diapers["confidence"] == pytest.approx(3 / 3)
    assert beer_diapers["lift"] == pytest.approx((3 / 3) / (4 / 5))
    assert beer_diapers["count"] == 3
    diapers_beer = rule(rules, {"diapers"}, "beer")
    assert diapers_beer["confidence"] == pytest.approx(3 / 4)
    assert diapers_beer["lift"] == pytest.approx((3 / 4) / (3 / 5))
    # {milk, diapers} in baskets 3, 4, 5; with beer in 3 and 4.
    two_items = rule(rules, {"milk", "diapers"}, "beer")
    assert two_items["support"] == pytest.approx(2 / 5)
    assert two_items["confidence"] == pytest.approx(2 / 3)
    assert two_items["antecedent_support"] == pytest.approx(3 / 5)
    assert two_items["consequent_support"] == pytest.approx(3 / 5)
    assert two_items["lift"] == pytest.approx((2 / 3) / (3 / 5))


def test_thresholds_drop_weak_rules(textbook_baskets):
    rules = mine_rules(textbook_baskets, min_support=0.4, min_confidence=0.7)
    pairs = {(tuple(sorted(a)), c) for a, c in zip(rules["antecedent"], rules["consequent"], strict=True)}
    assert (("beer",), "diapers") in pairs
    assert (("diapers", "milk"), "beer") not in pairs  # confidence 2/3 < 0.7
    assert all(len(frozenset([c])) == 1 for c in rules["consequent"])  # single consequents
    # bread -> milk has confidence 3/4 but lift 0.9375: dropped only when lift must reach 1.
    assert (("bread",), "milk") in pairs
    lifted = mine_rules(textbook_baskets, min_support=0.4, min_confidence=0.7, min_lift=1.0)
    assert not ((lifted["antecedent"] == frozenset({"bread"})) & (lifted["consequent"] == "milk")).any()


def test_itemsets_by_hand(textbook_baskets):
    itemsets = frequent_itemsets(textbook_baskets, min_support=0.6)
    counts = {tuple(sorted(s)): c for s, c in zip(itemsets["itemset"], itemsets["count"], strict=True)}
    assert counts == {
        ("bread",): 4,
        ("milk",): 4,
        ("diapers",): 4,
        ("beer",): 3,
        ("bread", "milk"): 3,
        ("bread", "diapers"): 3,
        ("diapers", "milk"): 3,
        ("beer", "diapers"): 3,
    }


def brute_force_rules(baskets: list[list[str]], min_count: int, min_confidence: float) -> dict:
    """Every single-consequent rule by counting all subsets (independent of FP-growth)."""
    sets = [frozenset(b) for b in baskets]
    items = sorted(set().union(*sets))
    count = {}
    for size in range(1, len(items) + 1):
        for combo in itertools.combinations(items, size):
            n = sum(1 for s in sets if s.issuperset(combo))
            if n >= min_count:
                count[frozenset(combo)] = n
    found = {}
    for itemset, n in count.items():
        for consequent in itemset:
            antecedent = itemset - {consequent}
            if antecedent and n / count[antecedent] >= min_confidence:
                found[(antecedent, consequent)] = (n, n / count[antecedent])
    return found


def test_matches_brute_force_on_random_baskets():
    rng = random.Random(7)
    items = [f"i{n}" for n in range(8)]
    baskets = [rng.sample(items, rng.randint(1, 5)) for _ in range(60)]
    rules = mine_rules(baskets, min_support=5 / 60, min_confidence=0.5)
    expected = brute_force_rules(baskets, min_count=5, min_confidence=0.5)
    got = {
        (a, c): (n, conf)
        for a, c, n, conf in zip(
            rules["antecedent"], rules["consequent"], rules["count"], rules["confidence"], strict=True
        )
    }
    assert got.keys() == expected.keys()
    for key, (n, conf) in expected.items():
        assert got[key][0] == n
        assert got[key][1] == pytest.approx(conf)


def test_repeats_and_blanks_count_once():
    baskets_frame = pd.DataFrame(
        {"order_id": ["o1", "o1", "o1", "o2", "o2"], "item_id": ["a", "a", "b", "a", "b"]}
    )
    baskets = baskets_from_frame(baskets_frame)
    assert baskets == [["a", "b"], ["a", "b"]]
    rules = mine_rules(baskets, min_support=0.5, min_confidence=0.5)
    assert rule(rules, {"a"}, "b")["confidence"] == pytest.approx(1.0)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"min_support": 0}, "min_support"),
        ({"min_support": 1.5}, "min_support"),
        ({"min_confidence": -0.1}, "min_confidence"),
        ({"max_len": 0}, "max_len"),
    ],
)
def test_bad_thresholds_are_clear_errors(textbook_baskets, kwargs, message):
    with pytest.raises(ValueError, match=message):
        mine_rules(textbook_baskets, **kwargs)


def test_no_baskets_no_rules():
    assert mine_rules([], min_support=0.1).empty
    assert frequent_itemsets([], min_support=0.1).empty


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="basket file not found"):
        read_basket_file(tmp_path / "nope.csv")


def test_groceries_counts_match_arules(groceries_path):
    """retail-baskets/SOURCE.md: 13,492 itemsets at 0.001; 2918 rules at conf 0.6, 5668 at 0.5."""
    baskets = read_basket_file(groceries_path)
    assert len(baskets) == 9835
    itemsets = frequent_itemsets(baskets, min_support=0.001)
    assert len(itemsets) == 13492
    assert len(rules_from_itemsets(itemsets, len(baskets), min_confidence=0.6)) == 2918
    assert len(rules_from_itemsets(itemsets, len(baskets), min_confidence=0.5)) == 5668
