"""Outfit completion: one item per missing slot, compatible colours, matching occasion."""

from __future__ import annotations

import pytest

from recommender.engine import Engine, Filters, InvalidRequestError
from recommender.engine.outfit import colour_compatibility, missing_slots

W = "fashion"


@pytest.fixture
def wardrobe(make_items):
    return make_items(
        [
            {
                "id": "white_shirt",
                "vertical": W,
                "category": "shirt",
                "slot": "top",
                "colour": "white",
                "title_zh": "白衬衫",
                "title_en": "white shirt",
                "occasions": ["work"],
                "price": 200,
                "sizes": ["S", "M"],
            },
            {
                "id": "red_top",
                "vertical": W,
                "category": "t_shirt",
                "slot": "top",
                "colour": "red",
                "title_zh": "红T恤",
                "title_en": "red tee",
                "occasions": ["casual"],
                "price": 80,
                "sizes": ["M"],
            },
            {
                "id": "navy_trousers",
                "vertical": W,
                "category": "trousers",
                "slot": "bottom",
                "colour": "navy",
                "title_zh": "藏青西裤",
                "title_en": "navy trousers",
                "occasions": ["work"],
                "price": 260,
                "sizes": ["M"],
            },
            {
                "id": "green_trousers",
                "vertical": W,
                "category": "trousers",
                "slot": "bottom",
                "colour": "green",
                "title_zh": "绿裤",
                "title_en": "green trousers",
                "occasions": ["work", "casual"],
                "price": 90,
                "sizes": ["M"],
            },
            {
                "id": "party_skirt",
                "vertical": W,
                "category": "skirt",
                "slot": "bottom",
                "colour": "black",
                "title_zh": "派对短裙",
                "title_en": "party skirt",
                "occasions": ["party"],
                "price": 210,
                "sizes": ["L"],
            },
            {
                "id": "dress",
                "vertical": W,
                "category": "dress",
                "slot": "one_piece",
                "colour": "blue",
                "title_zh": "蓝色连衣裙",
                "title_en": "blue dress",
                "occasions": ["date"],
                "price": 400,
                "sizes": ["M"],
            },
            {
                "id": "loafers",
                "vertical": W,
                "category": "flats",
                "slot": "shoes",
                "colour": "brown",
                "title_zh": "乐福鞋",
                "title_en": "loafers",
                "occasions": ["work"],
                "price": 300,
                "sizes": ["38"],
            },
            {
                "id": "heels",
                "vertical": W,
                "category": "heels",
                "slot": "shoes",
                "colour": "black",
                "title_zh": "高跟鞋",
                "title_en": "heels",
                "occasions": ["date", "party"],
                "price": 350,
            },
            {
                "id": "blazer",
                "vertical": W,
                "category": "jacket",
                "slot": "outerwear",
                "colour": "grey",
                "title_zh": "灰色西装外套",
                "title_en": "grey blazer",
                "occasions": ["work"],
                "price": 500,
                "sizes": ["M"],
            },
            {
                "id": "bag",
                "vertical": W,
                "category": "bag",
                "slot": "accessory",
                "colour": "beige",
                "title_zh": "米色手提包",
                "title_en": "beige bag",
                "occasions": ["work", "date"],
                "price": 350,
            },
            {"id": "chips", "vertical": "product", "category": "snacks", "title_zh": "薯片", "price": 8},
        ]
    )


def test_one_item_per_missing_slot_around_a_top(wardrobe) -> None:
    engine = Engine.fit(wardrobe, None)
    looks, relaxed = engine.recommend(mode="outfit", anchor_item_id="white_shirt")
    by_id = {s.item_id: s for s in looks}
    assert list(by_id) == ["navy_trousers", "loafers", "blazer", "bag"]  # bottom, shoes, outerwear, accessory
    assert not relaxed
    assert all(s.reason_code == "outfit" and s.algorithm == "outfit" for s in looks)
    assert by_id["loafers"].reasons == {"zh": "搭配你选的「白衬衫」", "en": "Goes with your white shirt"}


def test_one_piece_replaces_top_and_bottom(wardrobe) -> None:
    engine = Engine.fit(wardrobe, None)
    looks, _ = engine.recommend(mode="outfit", anchor_item_id="dress", k=5)
    assert [s.item_id for s in looks] == ["heels", "blazer", "bag"]  # date occasion prefers heels


def test_clashing_colour_is_never_chosen(wardrobe) -> None:
    engine = Engine.fit(wardrobe, None)
    looks, _ = engine.recommend(mode="outfit", anchor_item_id="red_top", filters=Filters(occasion="casual"))
    ids = [s.item_id for s in looks]
    assert "green_trousers" not in ids  # red + green clash, even though it is the casual one
    assert ids[0] in {"navy_trousers", "party_skirt"}


def test_k_limits_the_number_of_slots(wardrobe) -> None:
    engine = Engine.fit(wardrobe, None)
    looks, _ = engine.recommend(mode="outfit", anchor_item_id="white_shirt", k=2)
    assert [s.item_id for s in looks] == ["navy_trousers", "loafers"]


def test_size_applies_to_clothes_not_shoes(wardrobe) -> None:
    engine = Engine.fit(wardrobe, None)
    looks, _ = engine.recommend(mode="outfit", anchor_item_id="white_shirt", filters=Filters(size="L"))
    ids = [s.item_id for s in looks]
    assert "party_skirt" in ids and "navy_trousers" not in ids and "blazer" not in ids
    assert "loafers" in ids  # shoes are sized 38, not S/M/L


def test_outfit_needs_a_fashion_anchor(wardrobe) -> None:
    engine = Engine.fit(wardrobe, None)
    with pytest.raises(InvalidRequestError):
        engine.recommend(mode="outfit", anchor_item_id="chips")
    with pytest.raises(InvalidRequestError):
        engine.recommend(mode="outfit")


@pytest.mark.parametrize(
    ("first", "second", "goes"),
    [
        ("red", "navy", True),
        ("red", "blue", True),
        ("blue", "red", True),
        ("red", "green", False),
        ("purple", "brown", False),
        ("pink", "pink", True),
        ("", "green", True),
    ],
)
def test_colour_table(first, second, goes) -> None:
    assert (colour_compatibility(first, second) > 0) is goes


def test_missing_slots() -> None:
    assert "top" not in missing_slots("one_piece") and "bottom" not in missing_slots("one_piece")
    assert missing_slots("top")[0] == "bottom"
    assert missing_slots("hat") == ()


def piece(item_id: str, slot: str, colour: str, **fields):
    return {
        "id": item_id,
        "vertical": W,
        "category": slot,
        "slot": slot,
        "colour": colour,
        "title_zh": item_id,
        "title_en": item_id,
        "occasions": ["work"],
        "price": 200,
        **fields,
    }


def test_every_piece_goes_with_the_pieces_already_chosen(make_items) -> None:
    # the anchor is white (goes with anything); the only bottom is red, so green shoes, which
    # go with white, would clash with the trousers the look already has
    items = make_items(
        [
            piece("white_shirt", "top", "white"),
            piece("red_trousers", "bottom", "red"),
            piece("green_shoes", "shoes", "green", price=200),
            piece("black_shoes", "shoes", "black", price=900),
        ]
    )
    looks, _ = Engine.fit(items, None).recommend(mode="outfit", anchor_item_id="white_shirt")
    assert [s.item_id for s in looks] == ["red_trousers", "black_shoes"]
    assert colour_compatibility("white", "green") > 0  # it is the trousers that rule the green shoes out


def test_items_bought_with_the_anchor_win_their_slot_and_say_so(make_items, make_interactions) -> None:
    items = make_items(
        [
            piece("white_shirt", "top", "white"),
            piece("navy_a", "bottom", "navy"),
            piece("navy_b", "bottom", "navy"),
            piece("loafers", "shoes", "brown"),
        ]
    )
    plain, _ = Engine.fit(items, None).recommend(mode="outfit", anchor_item_id="white_shirt")
    # with nothing to tell them apart, the seeded tie-break picks one of the twins
    twin = plain[0].item_id
    other = "navy_b" if twin == "navy_a" else "navy_a"
    history = [(f"s{i}", "white_shirt", "purchase") for i in range(3)]
    history += [(f"s{i}", other, "purchase") for i in range(3)]  # bought together, same day
    history += [(f"t{i}", twin, "purchase") for i in range(3)]  # as popular, but alone
    looks, _ = Engine.fit(items, make_interactions(history)).recommend(
        mode="outfit", anchor_item_id="white_shirt"
    )
    by_id = {s.item_id: s for s in looks}
    assert looks[0].item_id == other
    assert by_id[other].reasons["en"] == "Goes with your white_shirt, and is often bought with it"
    assert by_id["loafers"].reasons["en"] == "Goes with your white_shirt"


def test_a_colour_asked_for_is_preferred_per_slot_and_reported_when_no_piece_has_it(wardrobe) -> None:
    engine = Engine.fit(wardrobe, None)
    plain, _ = engine.recommend(mode="outfit", anchor_item_id="white_shirt")
    green, relaxed = engine.recommend(mode="outfit", anchor_item_id="white_shirt", filters=Filters(colour="green"))
    assert [s.item_id for s in green] == ["green_trousers", "loafers", "blazer", "bag"]  # green where a slot has it
    assert not relaxed and [s.item_id for s in plain][0] == "navy_trousers"
    purple, relaxed = engine.recommend(mode="outfit", anchor_item_id="white_shirt", filters=Filters(colour="purple"))
    assert relaxed and [s.item_id for s in purple] == [s.item_id for s in plain]  # no purple piece: said so
    # a colour that clashes with the look is still never chosen: red tee + green trousers
    clash, _ = engine.recommend(mode="outfit", anchor_item_id="red_top", filters=Filters(colour="green"))
    assert "green_trousers" not in [s.item_id for s in clash]
