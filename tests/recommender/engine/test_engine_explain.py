"""Bilingual reason strings."""

from __future__ import annotations

import pytest

from recommender.engine import explain
from recommender.engine.vocabulary import label

MAPO = {"zh": "麻婆豆腐", "en": "Mapo tofu"}


@pytest.mark.parametrize(
    ("reasons", "zh", "en"),
    [
        (explain.because("like", MAPO), "因为你喜欢「麻婆豆腐」", "Because you liked Mapo tofu"),
        (explain.bought_with(MAPO), "经常和「麻婆豆腐」一起购买", "Often bought with Mapo tofu"),
        (explain.matches_attribute("taste", "spicy"), "符合「辣」口味", "Matches 'spicy'"),
        (explain.matches_attribute("occasion", "date"), "适合「约会」场合", "Good for 'date'"),
        (explain.matches_attribute("tag", "low_sugar"), "符合「低糖」", "Matches 'low sugar'"),
        (explain.matches_attribute("tag", "handmade"), "符合「handmade」", "Matches 'handmade'"),
        (explain.popular(), "热销", "Popular right now"),
        (explain.within_risk_level(2), "匹配你的风险等级 R2", "Within your risk level R2"),
        (explain.goes_with(MAPO), "搭配你选的「麻婆豆腐」", "Goes with your Mapo tofu"),
        (explain.similar_to(MAPO), "和「麻婆豆腐」相似", "Similar to Mapo tofu"),
    ],
)
def test_templates_in_both_languages(reasons, zh, en) -> None:
    assert reasons == {"zh": zh, "en": en}


def test_vocabulary_labels() -> None:
    assert label("spicy", "zh", "taste") == "辣"
    assert label("t_shirt", "en") == "t-shirt"
    assert label("not_in_vocab", "zh") == "not in vocab"


def test_item_title_falls_back_to_other_language(make_items) -> None:
    from recommender.engine.catalog import Catalog

    catalog = Catalog.from_frame(make_items([{"id": "x", "title_en": "Only English"}, {"id": "y"}]))
    assert explain.titles(catalog, 0) == {"zh": "Only English", "en": "Only English"}
    assert explain.titles(catalog, 1) == {"zh": "y", "en": "y"}


def test_search_reason_names_the_asked_attribute_not_the_category(make_items, make_interactions) -> None:
    from recommender.engine import Engine, Filters

    items = make_items([
        {"id": "d1", "vertical": "fashion", "category": "dress", "title_zh": "缎面连衣裙", "title_en": "Satin dress",
         "occasions": ["date"], "price": 400},
        {"id": "d2", "vertical": "fashion", "category": "dress", "title_zh": "棉布连衣裙", "title_en": "Cotton dress",
         "occasions": ["casual"], "price": 300},
    ])
    buyers = [(f"u{n}", "d2", "purchase") for n in range(3)]
    engine = Engine.fit(items, make_interactions(buyers))
    shown, _ = engine.recommend(mode="search", filters=Filters(category="dress"), k=2,
                                query="适合约会的连衣裙", shopper_id=None)
    reasons = {s.item_id: s.reasons for s in shown}
    assert reasons["d1"]["zh"] == "适合「约会」场合" and "date" in reasons["d1"]["en"].lower()
    # d2 matches only the category asked for: the reason is its popularity (three buyers), not "is a dress"
    assert reasons["d2"]["en"] == "Popular right now"
    # one buyer is no evidence of popularity: the card says what it matched instead
    engine = Engine.fit(items, make_interactions(buyers[:1]))
    shown, _ = engine.recommend(mode="search", filters=Filters(category="dress"), k=2,
                                query="适合约会的连衣裙", shopper_id=None)
    d2 = next(s for s in shown if s.item_id == "d2")
    assert d2.reason_code != "popular" and "Popular" not in d2.reasons["en"], d2.reasons


def test_two_item_rule_reason_names_both_items(make_items, make_interactions) -> None:
    from recommender.engine import Engine, Filters

    names = {"shirt": ("衬衫", "Shirt"), "trousers": ("西裤", "Trousers"), "belt": ("皮带", "Belt"),
             "hat": ("帽子", "Hat"), "socks": ("袜子", "Socks")}
    items = make_items([
        {"id": key, "vertical": "fashion", "category": "accessory", "title_zh": zh, "title_en": en}
        for key, (zh, en) in names.items()
    ])
    baskets = [["shirt", "trousers", "belt"]] * 4 + [["shirt", "hat"]] * 4 + [["trousers", "socks"]] * 4
    rows = [(f"s{n}", item, "purchase") for n, basket in enumerate(baskets) for item in basket]
    engine = Engine.fit(items, make_interactions([*rows, ("me", "shirt", "purchase"), ("me", "trousers", "purchase")]))
    engine.blend_weights_ = {"rules": 1.0}
    engine.unsegmented_weights_ = {"rules": 1.0}
    shown, _ = engine.recommend(mode="recommend", filters=Filters(vertical="fashion"), k=3, shopper_id="me")
    belt = next(s for s in shown if s.item_id == "belt")
    # {shirt, trousers} → belt (confidence 1) beats shirt → belt (1/2) and trousers → belt (1/2)
    assert belt.reason_code == "rule"
    assert belt.reasons == explain.bought_with_both(
        {"zh": "衬衫", "en": "Shirt"}, {"zh": "西裤", "en": "Trousers"}
    )
    assert belt.reasons["en"] == "Often bought with Shirt and Trousers together"
