"""The demo catalog: size, import-format fields, canonical vocabulary and the e2e subsets."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import pytest

from recommender.demo.brands import BRANDS_BY_ID
from recommender.demo.catalog import build_catalog

HAN = re.compile(r"[\u4e00-\u9fff]")
Items = list[dict[str, Any]]


def in_stock(items: Items) -> Items:
    return [item for item in items if item["stock"] > 0]


def test_catalog_size_and_verticals(catalog: Items) -> None:
    counts = Counter(item["vertical"] for item in catalog)
    assert len(catalog) >= 420
    assert counts["product"] >= 110
    assert counts["fashion"] >= 140
    assert counts["dish"] >= 95
    assert counts["finance"] >= 45
    assert set(counts) == {"product", "fashion", "dish", "finance"}


def test_ids_unique_and_url_safe(catalog: Items) -> None:
    ids = [item["id"] for item in catalog]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z]+-\d{3}", item_id) for item_id in ids)


def test_catalog_is_deterministic() -> None:
    assert build_catalog() == build_catalog()
    assert build_catalog(seed=1) != build_catalog(seed=2)  # the seed drives stock levels


def test_import_format_fields(catalog: Items) -> None:
    for item in catalog:
        assert isinstance(item["price"], float) and item["price"] >= 0, item["id"]
        assert isinstance(item["stock"], int) and item["stock"] >= 0, item["id"]
        assert item["currency"] == "CNY"
        for key in ("sizes", "tags", "tastes", "dietary", "allergens", "occasions"):
            assert isinstance(item[key], list), (item["id"], key)


def test_titles_and_descriptions_are_bilingual(catalog: Items) -> None:
    for item in catalog:
        assert HAN.search(item["title_zh"]), item["id"]
        assert HAN.search(item["description_zh"]), item["id"]
        assert item["title_en"] and not HAN.search(item["title_en"]), item["id"]
        assert len(item["description_en"].split()) >= 5 and not HAN.search(item["description_en"]), item["id"]


def test_titles_are_unique_per_language(catalog: Items) -> None:
    for key in ("title_zh", "title_en"):
        titles = Counter(item[key] for item in catalog)
        assert [t for t, n in titles.items() if n > 1] == [], key


@pytest.mark.parametrize(
    ("field", "section"),
    [("colour", "colour"), ("tastes", "taste"), ("dietary", "dietary"), ("allergens", "allergen"),
     ("occasions", "occasion")],
)
def test_values_are_canonical_vocabulary_keys(catalog: Items, vocabulary: dict, field: str, section: str) -> None:
    keys = set(vocabulary[section])
    for item in catalog:
        values = item[field] if isinstance(item[field], list) else [item[field]]
        unknown = [v for v in values if v is not None and v not in keys]
        assert unknown == [], (item["id"], field, unknown)


def test_category_is_canonical_and_matches_vertical(catalog: Items, vocabulary: dict) -> None:
    for item in catalog:
        entry = vocabulary["category"][item["category"]]
        assert entry["vertical"] == item["vertical"], item["id"]


def test_brands_are_known_and_in_their_vertical(catalog: Items) -> None:
    for item in catalog:
        if item["vertical"] == "dish":
            assert item["brand"] is None
            continue
        assert BRANDS_BY_ID[item["brand"]]["vertical"] == item["vertical"], item["id"]
        brand = BRANDS_BY_ID[item["brand"]]
        # the brand, or its stem where the product name carries it (稳盈宝 by 稳盈资管)
        assert brand["zh"][:2] in item["title_zh"], item["id"]
        assert brand["en"].split()[0] in item["title_en"], item["id"]


def test_titles_never_repeat_the_brand(catalog: Items) -> None:
    for item in catalog:
        if item["brand"]:
            brand, words = BRANDS_BY_ID[item["brand"]]["en"].split(), item["title_en"].split()
            assert words[len(brand):2 * len(brand)] != brand, item["title_en"]  # not "Steady Gain Steady Gain ..."


def test_every_vertical_has_some_out_of_stock(catalog: Items) -> None:
    for vertical in ("product", "fashion", "dish", "finance"):
        items = [item for item in catalog if item["vertical"] == vertical]
        sold_out = len(items) - len(in_stock(items))
        assert 1 <= sold_out <= len(items) // 10, vertical


def test_fashion_slots_sizes_colours_prices(catalog: Items, vocabulary: dict) -> None:
    fashion = [item for item in catalog if item["vertical"] == "fashion"]
    sizes = set(vocabulary["size"])
    for item in fashion:
        assert item["slot"] == vocabulary["category"][item["category"]]["slot"], item["id"]
        assert item["colour"] in vocabulary["colour"], item["id"]
        assert item["occasions"], item["id"]
        if item["slot"] in ("top", "bottom", "one_piece", "outerwear"):
            assert item["sizes"] and set(item["sizes"]) <= sizes, item["id"]
    prices = [item["price"] for item in fashion]
    assert min(prices) <= 99 and max(prices) >= 1500


def test_dresses_for_a_date_within_500(catalog: Items) -> None:
    dresses = [i for i in in_stock(catalog)
               if i["category"] == "dress" and "date" in i["occasions"] and i["price"] <= 500]
    assert len(dresses) >= 12
    assert len({d["colour"] for d in dresses}) >= 5  # "another colour" has somewhere to go


@pytest.mark.parametrize("occasion", ["date", "work", "interview", "party", "wedding", "casual", "sport", "travel"])
def test_outfits_can_be_completed_for_each_occasion(catalog: Items, occasion: str) -> None:
    slots = Counter(i["slot"] for i in in_stock(catalog)
                    if i["vertical"] == "fashion" and occasion in i["occasions"])
    assert slots["top"] + slots["one_piece"] >= 2
    assert slots["bottom"] >= 2 or slots["one_piece"] >= 2
    assert slots["shoes"] >= 2
    assert slots["accessory"] >= 1


def test_spicy_vegetarian_dishes_on_both_sides_of_20_dollars(catalog: Items) -> None:
    spicy_veg = [i for i in in_stock(catalog)
                 if i["vertical"] == "dish" and "spicy" in i["tastes"] and "vegetarian" in i["dietary"]]
    assert len([i for i in spicy_veg if i["price"] <= 144]) >= 8
    assert len([i for i in spicy_veg if i["price"] > 144]) >= 2


def test_dish_prices_and_dietary_are_consistent(catalog: Items) -> None:
    dishes = [item for item in catalog if item["vertical"] == "dish"]
    assert all(18 <= d["price"] <= 168 for d in dishes)
    for dish in dishes:
        assert dish["tastes"], dish["id"]
        if "vegan" in dish["dietary"]:
            assert "vegetarian" in dish["dietary"], dish["id"]
            assert not {"egg", "dairy"} & set(dish["allergens"]), dish["id"]
        if "vegetarian" in dish["dietary"]:
            assert not {"fish", "shellfish"} & set(dish["allergens"]), dish["id"]
    cuisines = Counter(d["tags"][0] for d in dishes)
    assert {"sichuan", "hunan", "cantonese", "jiangnan", "northern", "vegetarian", "dessert"} <= set(cuisines)


@pytest.mark.parametrize(
    ("title", "allergen"),
    [("宫保鸡丁", "peanut"), ("麻婆豆腐", "soy"), ("虾饺", "shellfish"), ("担担面", "gluten"),
     ("清蒸鲈鱼", "fish"), ("双皮奶", "dairy"), ("葡式蛋挞", "egg"), ("黑芝麻汤圆", "sesame")],
)
def test_well_known_dishes_carry_their_allergens(catalog: Items, title: str, allergen: str) -> None:
    dish = next(i for i in catalog if i["title_zh"] == title)
    assert allergen in dish["allergens"]


def test_products_allergens_follow_their_category(catalog: Items) -> None:
    products = [item for item in catalog if item["vertical"] == "product"]
    for item in products:
        if item["category"] == "nuts":
            assert {"tree_nut", "peanut"} & set(item["allergens"]), item["id"]
        if item["category"] == "biscuits":
            assert "gluten" in item["allergens"], item["id"]
        if item["category"] == "dairy":
            assert "dairy" in item["allergens"] or "vegan" in item["dietary"], item["id"]
        if "vegan" in item["dietary"]:
            assert "dairy" not in item["allergens"] and "egg" not in item["allergens"], item["id"]
    tags = Counter(tag for item in products for tag in item["tags"])
    assert tags["gift"] >= 10 and tags["low_sugar"] >= 5 and tags["imported"] >= 5


# Risk levels a product type may carry (R1 deposits ... R5 sector equity).
ALLOWED_RISK = {"deposit": {1}, "money_market": {1}, "bond_fund": {1, 2, 3}, "mixed_fund": {3, 4},
                "equity_fund": {4, 5}, "index_fund": {2, 3, 4, 5}, "gold": {3}}


def test_finance_risk_horizon_goals(catalog: Items, vocabulary: dict) -> None:
    finance = [item for item in catalog if item["vertical"] == "finance"]
    goals = set(vocabulary["goal"])
    for item in finance:
        assert item["risk_level"] in ALLOWED_RISK[item["category"]], item["id"]
        assert item["horizon_months"] in (1, 3, 6, 12, 36, 60), item["id"]
        assert set(item["tags"]) & goals, item["id"]
        label = f"R{item['risk_level']}"
        assert label in item["description_zh"] and label in item["description_en"], item["id"]
        assert item["price"] >= 1, item["id"]
    assert {item["risk_level"] for item in finance} == {1, 2, 3, 4, 5}
    assert {item["category"] for item in finance} == set(ALLOWED_RISK)


def test_low_risk_short_horizon_finance_exists(catalog: Items) -> None:
    safe_short = [i for i in in_stock(catalog)
                  if i["vertical"] == "finance" and i["risk_level"] <= 2 and i["horizon_months"] <= 12]
    assert len(safe_short) >= 3
    assert len({i["category"] for i in safe_short}) >= 2
