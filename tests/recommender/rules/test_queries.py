""" "Often bought together" and outfit completion on hand-made baskets."""

from __future__ import annotations

import pandas as pd
import pytest

from recommender.rules import FPGrowthRules, complete_outfit


def test_bought_together_ranks_by_confidence_with_explanation(textbook_baskets):
    model = FPGrowthRules(min_support=0.4, min_confidence=0.5, min_lift=0.0).fit(textbook_baskets)
    suggestions = model.bought_together("beer", k=5)
    # beer -> diapers: 3/3; beer -> milk: 2/3; beer -> bread: 2/3 (lift 0.83 vs milk 0.83 as well)
    assert suggestions[0].item_id == "diapers"
    assert suggestions[0].because == ("beer",)
    assert suggestions[0].confidence == pytest.approx(1.0)
    assert {s.item_id for s in suggestions} == {"diapers", "milk", "bread"}
    assert all(s.item_id != "beer" for s in suggestions)


def test_basket_query_uses_the_best_rule_and_excludes(textbook_baskets):
    model = FPGrowthRules(min_support=0.4, min_confidence=0.5, min_lift=0.0).fit(textbook_baskets)
    suggestions = model.bought_together(["milk", "diapers"], k=5)
    by_item = {s.item_id: s for s in suggestions}
    # {milk, diapers} -> beer has confidence 2/3 but diapers -> beer alone has 3/4: the best one wins.
    assert by_item["beer"].because == ("diapers",)
    assert by_item["beer"].confidence == pytest.approx(3 / 4)
    assert "milk" not in by_item and "diapers" not in by_item
    assert "beer" not in {s.item_id for s in model.bought_together(["milk", "diapers"], exclude=["beer"])}


def test_lift_floor_and_rank_by_lift(textbook_baskets):
    model = FPGrowthRules(min_support=0.4, min_confidence=0.5, min_lift=1.0, rank_by="lift").fit(
        textbook_baskets
    )
    suggestions = model.bought_together("beer", k=5)
    assert [s.item_id for s in suggestions] == ["diapers"]  # bread, milk have lift < 1 with beer
    assert suggestions[0].lift == pytest.approx(1.25)


def test_similar_items_interface_and_unknown_items(textbook_baskets):
    model = FPGrowthRules(min_support=0.4, min_confidence=0.5, min_lift=0.0).fit(textbook_baskets)
    ids, scores = model.similar_items(["beer", "caviar"], k=1)
    assert ids == [["diapers"], []]
    assert list(scores[0]) == pytest.approx([1.0]) and len(scores[1]) == 0
    assert model.bought_together("beer", k=0) == []


def test_unfitted_and_bad_rank_by_are_clear_errors(textbook_baskets):
    with pytest.raises(RuntimeError, match="not fitted"):
        FPGrowthRules().bought_together("beer")
    with pytest.raises(ValueError, match="rank_by"):
        FPGrowthRules(rank_by="magic").fit(textbook_baskets)


def test_fit_on_order_table():
    orders = pd.DataFrame(
        {"order_id": [1, 1, 2, 2, 3], "item_id": ["tea", "biscuits", "tea", "biscuits", "tea"]}
    )
    model = FPGrowthRules(min_support=0.5, min_confidence=0.5).fit(orders)
    assert model.n_baskets_ == 3
    [suggestion] = model.bought_together("biscuits")
    assert suggestion.item_id == "tea" and suggestion.confidence == pytest.approx(1.0)
    assert suggestion.support == pytest.approx(2 / 3)


SLOTS = {
    "dress1": "one_piece",
    "shirt1": "top",
    "jeans1": "bottom",
    "jeans2": "bottom",
    "sneakers1": "shoes",
    "heels1": "shoes",
    "bag1": "accessory",
}


@pytest.fixture
def outfit_model() -> FPGrowthRules:
    baskets = [
        ["shirt1", "jeans1", "sneakers1"],
        ["shirt1", "jeans1", "sneakers1", "bag1"],
        ["shirt1", "jeans1"],
        ["shirt1", "jeans2", "heels1"],
        ["dress1", "heels1", "bag1"],
        ["dress1", "heels1"],
        ["dress1", "heels1", "bag1"],
        ["dress1", "sneakers1"],
    ]
    return FPGrowthRules(min_support=0.1, min_confidence=0.2, min_lift=0.0).fit(baskets)


def test_outfit_completion_one_item_per_open_slot(outfit_model):
    look = complete_outfit(outfit_model, "shirt1", SLOTS)
    assert look["bottom"].item_id == "jeans1"  # 3/4 against jeans2's 1/4
    assert look["shoes"].item_id == "sneakers1"  # 2/4 against heels1's 1/4
    assert look["accessory"].item_id == "bag1"
    assert "top" not in look and "one_piece" not in look


def test_outfit_of_a_dress_has_no_top_or_bottom(outfit_model):
    look = complete_outfit(outfit_model, "dress1", SLOTS)
    assert set(look) == {"shoes", "accessory"}
    assert look["shoes"].item_id == "heels1" and look["shoes"].confidence == pytest.approx(3 / 4)
    assert look["accessory"].item_id == "bag1"


def test_outfit_anchor_without_slot_is_a_clear_error(outfit_model):
    with pytest.raises(ValueError, match="no outfit slot"):
        complete_outfit(outfit_model, "mystery", SLOTS)
