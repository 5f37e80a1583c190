"""The content TF-IDF and FP-growth association-rule estimators: shared invariants, then their own behaviour."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from models_testkit import N_ITEMS, LearnsCommunities, ModelInvariants, checkerboard  # noqa: E402

from recommender.models.content import ContentTFIDFModel  # noqa: E402
from recommender.models.rules import AssociationRulesModel  # noqa: E402

# even items are red dresses, odd items spicy beef dishes, in both languages
TEXT = {
    item: (
        f"红色连衣裙 red dress 约会 款{item}" if item % 2 == 0 else f"麻辣牛肉 spicy beef dish 川菜 份{item}"
    )
    for item in range(N_ITEMS)
}


class CheckerboardContent(ContentTFIDFModel):
    """The content model with the checkerboard's item text bound, for the shared suite."""

    def fit(self, interactions, items=None, item_text=None):
        return super().fit(interactions, items, item_text=TEXT if item_text is None else item_text)


class TestContentInvariants(ModelInvariants, LearnsCommunities):
    def make_model(self):
        return CheckerboardContent()


class TestRulesInvariants(ModelInvariants, LearnsCommunities):
    def make_model(self):
        return AssociationRulesModel(min_support=0.1, min_confidence=0.3)


def test_content_needs_text() -> None:
    with pytest.raises(ValueError, match="item_text"):
        ContentTFIDFModel().fit(checkerboard())


def test_content_scores_cold_items_by_their_words() -> None:
    interactions = pd.DataFrame({"user_id": ["u", "u"], "item_id": ["d1", "d2"]})
    text = {
        "d1": "红色连衣裙",
        "d2": "黑色连衣裙 black dress",
        "new_dress": "白色连衣裙 white dress",
        "tea": "绿茶 green tea",
    }
    model = ContentTFIDFModel().fit(interactions, item_text=text)
    ids, scores = model.recommend("u", k=2)
    assert (
        ids.tolist() == ["new_dress", "tea"] and scores[0] > 0 and scores[1] == 0
    )  # never bought, found by text
    similar, _ = model.similar_items("d2", k=1)
    assert similar.tolist() == ["new_dress"]  # 连衣裙 + dress shared (jieba keeps 连衣裙 whole)


def test_rules_fire_only_from_held_antecedents() -> None:
    # shirt+trousers → belt (3 of 3), shirt alone → belt 3 of 6
    baskets = [["shirt", "trousers", "belt"]] * 3 + [["shirt", "hat"]] * 3 + [["trousers", "socks"]] * 3
    rows = [(f"u{i}", item) for i, basket in enumerate(baskets) for item in basket]
    interactions = pd.DataFrame(rows, columns=["user_id", "item_id"])
    model = AssociationRulesModel(min_support=0.2, min_confidence=0.5, max_len=3).fit(interactions)
    pair = model.rules_[model.rules_["antecedent"].map(len) == 2]
    assert len(pair) > 0
    scores = model.score_users(["u0", "u3"])  # u0 holds shirt+trousers+belt, u3 shirt+hat
    belt = model.item_index_["belt"]
    assert scores[1, belt] == pytest.approx(0.5 * 1.5)  # shirt → belt: conf 1/2, lift 0.5 / (3/9)
    new = pd.concat(
        [
            interactions,
            pd.DataFrame([("fresh", "shirt"), ("fresh", "trousers")], columns=["user_id", "item_id"]),
        ]
    )
    fresh = AssociationRulesModel(min_support=0.2, min_confidence=0.5, max_len=3).fit(new)
    ids, top = fresh.recommend("fresh", k=1)
    assert ids.tolist() == ["belt"] and top[0] > 0.75  # the pair rule is stronger than shirt → belt


def test_rules_per_day_baskets() -> None:
    day = pd.Timestamp("2026-01-01", tz="UTC")
    rows = []
    for user in range(6):
        rows += [(f"u{user}", "tea", day), (f"u{user}", "cup", day)]  # bought together
        rows += [(f"u{user}", "socks", day + pd.Timedelta(days=30))]  # a month later
    interactions = pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp"])
    by_day = AssociationRulesModel(min_support=0.2, basket="day").fit(interactions)
    pairs = {
        (next(iter(a)), c)
        for a, c in zip(by_day.rules_["antecedent"], by_day.rules_["consequent"], strict=True)
    }
    names = {str(i): v for i, v in enumerate(by_day.item_ids_.tolist())}
    named = {(names[a], names[c]) for a, c in pairs}
    assert ("tea", "cup") in named and not any("socks" in pair for pair in named)
    with pytest.raises(ValueError, match="basket"):
        AssociationRulesModel(basket="week").fit(interactions)
    assert np.isfinite(by_day.score_users(["u0"])).all()
