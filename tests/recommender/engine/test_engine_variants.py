"""Variants of one product (items sharing a group_id) never crowd a list: one card per product."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from recommender.engine import Engine, Filters
from recommender.engine.online import SessionFeedback
from recommender.engine.rerank import RerankParams

GROUPS = {"N1": "g-nuts", "N2": "g-nuts", "N3": "g-nuts", "C1": "g-chips", "C2": "g-chips"}


@pytest.fixture
def variant_shop(make_items, make_interactions):
    """Mixed nuts in three pack sizes, chips in two, and four single products."""
    items = make_items(
        [
            {"id": "N1", "title_zh": "混合坚果（袋装）", "title_en": "Mixed nuts, pouch", "category": "nuts"},
            {"id": "N2", "title_zh": "混合坚果（家庭装）", "title_en": "Mixed nuts, family pack", "category": "nuts"},
            {"id": "N3", "title_zh": "混合坚果（礼盒装）", "title_en": "Mixed nuts, gift box", "category": "nuts"},
            {"id": "C1", "title_zh": "薯片（袋装）", "title_en": "Potato chips, pouch", "category": "chips"},
            {"id": "C2", "title_zh": "薯片（家庭装）", "title_en": "Potato chips, family pack", "category": "chips"},
            {"id": "T1", "title_zh": "绿茶", "title_en": "Green tea", "category": "tea"},
            {"id": "T2", "title_zh": "乌龙茶", "title_en": "Oolong tea", "category": "tea"},
            {"id": "B1", "title_zh": "黄油曲奇", "title_en": "Butter cookies", "category": "biscuits"},
            {"id": "B2", "title_zh": "苏打饼干", "title_en": "Soda crackers", "category": "biscuits"},
        ]
    )
    rows = []
    for n in range(8):  # the nuts and chips variants are bought with green tea by many shoppers
        shopper = f"s{n}"
        rows += [(shopper, "T1", "purchase"), (shopper, "N1", "purchase"), (shopper, "N2", "purchase")]
        rows += [(shopper, "N3", "purchase"), (shopper, "C1", "purchase")]
        if n % 2 == 0:
            rows += [(shopper, "C2", "purchase"), (shopper, "B1", "purchase")]
        if n % 3 == 0:
            rows += [(shopper, "T2", "purchase"), (shopper, "B2", "view")]
    rows += [("tea_buyer", "T1", "purchase")]
    return items, make_interactions(rows)


def grouped(items: pd.DataFrame) -> pd.DataFrame:
    return items.assign(group_id=[GROUPS.get(item) for item in items["id"]])


def first_per_product(ids: list[str]) -> list[str]:
    """The ungrouped ranking with every later variant of a product dropped."""
    seen: set[str] = set()
    out = []
    for item in ids:
        key = GROUPS.get(item, item)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def ids(suggestions) -> list[str]:
    return [s.item_id for s in suggestions]


def assert_one_per_product(suggestions) -> None:
    keys = [GROUPS.get(item, item) for item in ids(suggestions)]
    assert len(keys) == len(set(keys)), ids(suggestions)


@pytest.mark.parametrize(
    "request_args",
    [
        {"shopper_id": "tea_buyer"},
        {"shopper_id": "nobody"},
        {"mode": "search", "query": "坚果 薯片"},
        {"shopper_id": "tea_buyer", "feedback": SessionFeedback(events=(("N1", 2.0),), kinds=(("N1", "like"),))},
        {"shopper_id": "tea_buyer", "feedback": SessionFeedback(events=(("C2", -2.0),))},
    ],
    ids=["known", "cold", "search", "liked-a-variant", "disliked-a-variant"],
)
def test_a_list_keeps_the_best_ranked_variant_of_each_product(variant_shop, request_args) -> None:
    items, interactions = variant_shop
    plain = Engine.fit(items, interactions)
    with_groups = Engine.fit(grouped(items), interactions)
    assert not plain.catalog_.has_variants and with_groups.catalog_.has_variants
    everything, _ = plain.recommend(k=len(items), **request_args)
    assert len(first_per_product(ids(everything))) < len(everything)  # variants would crowd the list
    for k in (1, 3, 5):
        collapsed, _ = with_groups.recommend(k=k, **request_args)
        assert ids(collapsed) == first_per_product(ids(everything))[:k]
        assert_one_per_product(collapsed)


def test_popular_shows_one_variant_per_product(variant_shop) -> None:
    items, interactions = variant_shop
    plain = Engine.fit(items, interactions).popular(k=len(items))
    collapsed = Engine.fit(grouped(items), interactions).popular(k=4)
    assert len(collapsed) == 4
    assert ids(collapsed) == first_per_product(ids(plain))[:4]


def test_similar_leaves_out_the_anchors_own_variants(variant_shop) -> None:
    items, interactions = variant_shop
    plain, _ = Engine.fit(items, interactions).recommend(mode="similar", anchor_item_id="N1", k=8)
    assert {"N2", "N3"} <= set(ids(plain))  # without groups the twins look most similar
    engine = Engine.fit(grouped(items), interactions)
    similar, _ = engine.recommend(mode="similar", anchor_item_id="N1", k=8)
    assert similar and not {"N1", "N2", "N3"} & set(ids(similar))
    assert_one_per_product(similar)


def test_a_filtered_out_variant_leaves_room_for_another(variant_shop) -> None:
    items, interactions = variant_shop
    engine = Engine.fit(grouped(items), interactions)
    top, _ = engine.recommend("tea_buyer", k=5)
    kept = next(item for item in ids(top) if GROUPS.get(item) == "g-nuts")
    without, _ = engine.recommend("tea_buyer", k=5, filters=Filters(exclude_item_ids=(kept,)))
    others = [item for item in ids(without) if GROUPS.get(item) == "g-nuts"]
    assert len(others) == 1 and others[0] != kept
    assert_one_per_product(without)


def test_diversity_re_ranking_works_on_distinct_products(variant_shop) -> None:
    items, interactions = variant_shop
    engine = Engine.fit(grouped(items), interactions)
    for diversity in (0.3, 0.9):
        listed, _ = engine.recommend("tea_buyer", k=5, rerank=RerankParams(diversity=diversity, long_tail=0.5))
        assert len(listed) == 5
        assert_one_per_product(listed)


def test_a_product_with_many_variants_cannot_fill_the_pool(make_items, make_interactions) -> None:
    """Forty sizes of one best-seller outrank everything: the pool widens until k products fit."""
    sizes = [{"id": f"W{n:02d}", "title_en": f"Water {n}", "category": "water", "group_id": "water"} for n in range(40)]
    others = [{"id": f"O{n}", "title_en": f"Other {n}", "category": "tea", "group_id": None} for n in range(4)]
    items = make_items(sizes + others)
    rows = [(f"s{n}", f"W{m:02d}", "purchase") for n in range(10) for m in range(40)]
    rows += [(f"s{n}", f"O{m}", "purchase") for n in range(3) for m in range(4)]
    engine = Engine.fit(items, make_interactions(rows))
    for kwargs in ({"shopper_id": "nobody"}, {"mode": "search", "query": "water"}):
        listed, _ = engine.recommend(k=5, **kwargs)
        assert [item[0] for item in ids(listed)].count("W") == 1
        assert len(listed) == 5
    popular = ids(engine.popular(k=5))
    assert len(popular) == 5 and [item[0] for item in popular].count("W") == 1


def test_group_codes_give_ungrouped_items_their_own_code(make_items) -> None:
    from recommender.engine.catalog import Catalog

    catalog = Catalog.from_frame(
        make_items([{"id": "a", "group_id": "g"}, {"id": "b"}, {"id": "c", "group_id": "g"}, {"id": "d", "group_id": ""}])
    )
    codes = catalog.group_codes
    assert codes[0] == codes[2] and len({codes[0], codes[1], codes[3]}) == 3
    assert catalog.has_variants
    assert not Catalog.from_frame(make_items([{"id": "a", "group_id": "g"}, {"id": "b"}])).has_variants
    assert np.array_equal(Catalog.from_frame(make_items([{"id": "x"}])).group, np.array([""], dtype=object))
