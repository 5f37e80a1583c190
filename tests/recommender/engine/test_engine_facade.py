"""Engine facade: modes, cold start, determinism, edge cases."""

from __future__ import annotations

import pandas as pd
import pytest

from recommender.engine import Engine, Filters, InvalidRequestError, Suggestion, UnknownItemError


@pytest.fixture
def shop(make_items, make_interactions):
    items = make_items(
        [
            {"id": "A", "title_zh": "苏打饼干", "title_en": "Soda crackers", "category": "biscuits"},
            {"id": "B", "title_zh": "黄油曲奇", "title_en": "Butter cookies", "category": "biscuits"},
            {"id": "C", "title_zh": "绿茶", "title_en": "Green tea", "category": "tea"},
            {"id": "D", "title_zh": "乌龙茶", "title_en": "Oolong tea", "category": "tea"},
            {"id": "NEW", "title_zh": "全麦饼干", "title_en": "Wholewheat crackers", "category": "biscuits"},
        ]
    )
    rows = []
    for shopper in ("u1", "u2", "u3"):
        rows += [(shopper, "A", "purchase"), (shopper, "B", "purchase")]
    rows += [
        ("u4", "C", "purchase"),
        ("u4", "D", "purchase"),
        ("u5", "C", "purchase"),
        ("u5", "D", "purchase"),
    ]
    rows += [("u6", "C", "view"), ("buyer_a", "A", "purchase")]
    return items, make_interactions(rows)


def test_known_shopper_gets_cf_neighbour_with_reason(shop) -> None:
    engine = Engine.fit(*shop)
    suggestions, relaxed = engine.recommend("buyer_a", k=3)
    assert suggestions[0].item_id == "B" and not relaxed
    assert suggestions[0].reason_code in {"cf", "rule"}
    assert "苏打饼干" in suggestions[0].reasons["zh"] and "Soda crackers" in suggestions[0].reasons["en"]
    assert "A" not in [s.item_id for s in suggestions]  # already bought


def test_cold_shopper_uses_content_and_popularity(shop) -> None:
    engine = Engine.fit(*shop)
    suggestions, _ = engine.recommend("nobody", filters=Filters(category="tea"), k=5)
    assert [s.item_id for s in suggestions][:2] in (["C", "D"], ["D", "C"])
    assert {s.reason_code for s in suggestions} <= {"popular", "attribute", "content"}
    assert all(s.algorithm != "itemknn" for s in suggestions)


def test_cold_item_is_reachable_through_similar_and_search(shop) -> None:
    engine = Engine.fit(*shop)
    similar, _ = engine.recommend(mode="similar", anchor_item_id="NEW", k=2)
    assert similar[0].item_id == "A" and similar[0].reason_code == "content"
    assert similar[0].reasons["en"] == "Similar to Wholewheat crackers"
    found, _ = engine.recommend(mode="search", query="全麦", k=1)
    assert found[0].item_id == "NEW"


def test_similar_mode_mixes_co_purchase(shop) -> None:
    engine = Engine.fit(*shop)
    similar, _ = engine.recommend(mode="similar", anchor_item_id="C", k=4)
    assert similar[0].item_id == "D"
    assert "C" not in [s.item_id for s in similar]


def test_k_larger_than_catalog(shop) -> None:
    engine = Engine.fit(*shop)
    for mode in ("recommend", "search"):
        suggestions, _ = engine.recommend("u1", mode=mode, k=50, query="tea")
        ids = [s.item_id for s in suggestions]
        assert len(ids) == len(set(ids)) <= 5
    assert len(engine.popular(k=100)) == 5
    assert engine.recommend("u1", k=0) == ([], False)


def test_deterministic_with_seed(shop, make_items) -> None:
    first = Engine.fit(*shop, seed=7).recommend("u6", k=5)
    second = Engine.fit(*shop, seed=7).recommend("u6", k=5)
    assert first == second
    # pure ties are broken by the seed: different seeds give different orders
    flat = make_items([{"id": f"i{n}"} for n in range(8)])
    orders = {tuple(s.item_id for s in Engine.fit(flat, None, seed=seed).popular(k=8)) for seed in range(5)}
    assert len(orders) > 1
    assert Engine.fit(flat, None, seed=3).popular(k=8) == Engine.fit(flat, None, seed=3).popular(k=8)


def test_search_relaxes_soft_filters_and_says_so(shop) -> None:
    engine = Engine.fit(*shop)
    suggestions, relaxed = engine.recommend(
        mode="search", query="tea", filters=Filters(category="tea", brand="Nope")
    )
    assert relaxed and {s.item_id for s in suggestions} == {"C", "D"}


def test_a_relaxed_list_never_claims_a_full_match(make_items, make_interactions) -> None:
    """With the brand dropped, an item no signal explains is "closest", not "matches what you asked for"."""
    items = make_items([
        {"id": f"T{n}", "title_en": f"Plain shirt {n}", "category": "tshirt", "brand": "plain", "vertical": "fashion"}
        for n in range(4)
    ])
    engine = Engine.fit(items, make_interactions([]))
    exact, relaxed = engine.recommend(mode="search", filters=Filters(vertical="fashion"), k=4)
    assert not relaxed and {s.reasons["en"] for s in exact} == {"Matches what you asked for"}
    closest, relaxed = engine.recommend(mode="search", filters=Filters(vertical="fashion", brand="glimmer"), k=4)
    assert relaxed and len(closest) == 4
    assert {s.reasons["en"] for s in closest} == {"Closest to what you asked for"}
    assert {s.reasons["zh"] for s in closest} == {"没有完全符合的，这个最接近你的要求"}


def test_nothing_matches_gives_empty_list_not_relaxed(shop) -> None:
    engine = Engine.fit(*shop)
    assert engine.recommend(filters=Filters(category="dress")) == ([], False)


def test_finance_reason_states_risk_level(funds) -> None:
    engine = Engine.fit(funds, None)
    suggestions, _ = engine.recommend(filters=Filters(vertical="finance", risk_max=2, goal="income"), k=5)
    assert [s.item_id for s in suggestions][0] == "bond"  # goal income matches its tag
    assert {s.item_id for s in suggestions} == {"bond", "mm"}
    assert suggestions[0].reasons["zh"].startswith("匹配你的风险等级 R2")
    assert suggestions[0].reasons["en"].startswith("Within your risk level R2")


def test_dish_search_never_returns_allergen(dishes, make_interactions) -> None:
    # the peanut dish is by far the most popular and matches the query best
    inter = make_interactions([(f"u{n}", "kungpao", "purchase") for n in range(20)])
    engine = Engine.fit(dishes, inter)
    suggestions, _ = engine.recommend(
        mode="search", query="宫保鸡丁 辣", filters=Filters(allergens=("peanut",), occasion="party"), k=10
    )
    ids = [s.item_id for s in suggestions]
    assert "kungpao" not in ids and "dandan" not in ids and ids


def test_search_explains_matching_taste(dishes) -> None:
    engine = Engine.fit(dishes, None)
    suggestions, _ = engine.recommend(mode="search", query="不辣的", k=2)
    assert {s.item_id for s in suggestions} == {"tomato_egg", "veg_soup"}
    assert suggestions[0].reasons == {"zh": "符合「清淡」口味", "en": "Matches 'mild'"}


def test_popular_by_vertical(dishes, funds, make_interactions) -> None:
    items = pd.concat([dishes, funds], ignore_index=True)
    rows = [(u, "mala", "purchase") for u in ("u1", "u4", "u5")] + [("u2", "mala", "view"), ("u3", "bond", "like")]
    engine = Engine.fit(items, make_interactions(rows))
    top = engine.popular(vertical="dish", k=3)
    assert top[0].item_id == "mala" and top[0].reasons == {"zh": "热销", "en": "Popular right now"}
    assert all(isinstance(s, Suggestion) for s in top)
    # the others have no shopper behind them: "popular" would be untrue (at least 3 shoppers)
    assert all(s.reasons == {"zh": "为你精选", "en": "Picked for you"} for s in top[1:])
    bond = engine.popular(vertical="finance", k=1)[0]
    assert bond.item_id == "bond" and bond.reasons["en"] == "Picked for you"  # one shopper is no crowd


def test_bad_requests_raise_clear_errors(shop) -> None:
    engine = Engine.fit(*shop)
    with pytest.raises(InvalidRequestError, match="unknown mode"):
        engine.recommend(mode="magic")
    with pytest.raises(InvalidRequestError, match="anchor_item_id"):
        engine.recommend(mode="similar")
    with pytest.raises(UnknownItemError):
        engine.recommend(mode="similar", anchor_item_id="nope")


def test_bad_data_raises_clear_errors(make_items, make_interactions) -> None:
    with pytest.raises(ValueError, match="price"):
        Engine.fit(make_items([{"id": "x", "price": -1}]), None)
    with pytest.raises(ValueError, match="duplicate"):
        Engine.fit(make_items([{"id": "x"}, {"id": "x"}]), None)
    with pytest.raises(ValueError, match="item_id"):
        Engine.fit(make_items([{"id": "x"}]), pd.DataFrame({"shopper_id": ["u"], "type": ["view"]}))


def test_interactions_with_unknown_items_and_types_are_ignored(shop, make_interactions) -> None:
    items, _ = shop
    inter = make_interactions([("u1", "GONE", "purchase"), ("u1", "A", "teleport"), ("u1", "C", "rating", 5)])
    engine = Engine.fit(items, inter)
    assert engine.popular(k=1)[0].item_id == "C"


def test_minimal_and_empty_interaction_tables(shop) -> None:
    items, _ = shop
    minimal = pd.DataFrame({"shopper_id": ["u1", "u2"], "item_id": ["C", "C"], "type": ["purchase", "like"]})
    assert Engine.fit(items, minimal).popular(k=1)[0].item_id == "C"
    empty = pd.DataFrame(columns=["shopper_id", "item_id", "type", "value", "created_at"])
    suggestions, _ = Engine.fit(items, empty).recommend("u1", k=3)
    assert len(suggestions) == 3


def test_order_id_groups_baskets_for_rules(make_items) -> None:
    items = make_items([{"id": x, "title_en": x} for x in ("A", "B", "C", "D")])
    rows = [("o1", "A"), ("o1", "B"), ("o2", "A"), ("o2", "B"), ("o3", "C"), ("o4", "D")]
    inter = pd.DataFrame(
        {
            "shopper_id": "same",
            "order_id": [o for o, _ in rows],
            "item_id": [i for _, i in rows],
            "type": "purchase",
            "created_at": "2024-05-01T10:00:00Z",
        }
    )
    engine = Engine.fit(items, inter)
    assert engine.rules_.confidence_[engine.catalog_.index["A"], engine.catalog_.index["B"]] == 1.0


def test_an_item_matching_none_of_the_words_never_claims_to_match(make_items, make_interactions) -> None:
    """Words the shop knows but no candidate has: the unexplained items say so, not "matches"."""
    items = make_items([
        {"id": "red", "title_en": "Red top", "category": "tshirt", "colour": "red", "vertical": "fashion"},
        {"id": "bag", "title_en": "Canvas bag", "category": "bag", "colour": "beige", "vertical": "fashion"},
        {"id": "shoe", "title_en": "White sneaker", "category": "sneakers", "colour": "white", "vertical": "fashion"},
        {"id": "soup", "title_en": "Cashmere noodle soup", "category": "noodles", "vertical": "dish"},
    ])
    engine = Engine.fit(items, make_interactions([]))
    nothing, relaxed = engine.recommend(mode="search", query="cashmere", filters=Filters(vertical="fashion"), k=3)
    assert not relaxed and {s.item_id for s in nothing} == {"red", "bag", "shoe"}
    assert {s.reasons["en"] for s in nothing} == {"Nothing matched exactly; you might like this"}
    assert {s.reasons["zh"] for s in nothing} == {"没有找到完全符合的，可以看看这个"}
    # one word matches one item: that item names it, the others still claim no match
    partly, _ = engine.recommend(mode="search", query="red cashmere", filters=Filters(vertical="fashion"), k=3)
    by_id = {s.item_id: s.reasons["en"] for s in partly}
    assert partly[0].item_id == "red" and by_id["red"] != "Nothing matched exactly; you might like this"
    assert by_id["bag"] == by_id["shoe"] == "Nothing matched exactly; you might like this"
    # words the shop does not know say nothing checkable; a filter of the shopper's is what they asked for
    unknown, _ = engine.recommend(mode="search", query="zzzz", filters=Filters(vertical="fashion"), k=3)
    assert {s.reasons["en"] for s in unknown} == {"Matches what you asked for"}
    filtered, _ = engine.recommend(mode="search", query="cashmere", filters=Filters(category="bag"), k=3)
    assert [(s.item_id, s.reasons["en"]) for s in filtered] == [("bag", "In 'bag'")]  # the filter it meets
    budget, _ = engine.recommend(mode="search", query="cashmere", filters=Filters(vertical="fashion", price_max=1e6), k=3)
    assert {s.reasons["en"] for s in budget} == {"Matches what you asked for"}  # within the budget asked for
