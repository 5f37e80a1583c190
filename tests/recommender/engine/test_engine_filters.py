"""Hard filters and the relaxation ladder: safety constraints are never relaxed."""

from __future__ import annotations

import itertools

import pytest

from recommender.engine import Filters, InvalidRequestError
from recommender.engine.catalog import Catalog
from recommender.engine.filters import select


def ids(catalog: Catalog, mask) -> set[str]:
    return {str(catalog.ids[i]) for i, keep in enumerate(mask) if keep}


@pytest.fixture
def menu(dishes) -> Catalog:
    return Catalog.from_frame(dishes)


def test_allergen_excludes_every_item_containing_it(menu) -> None:
    selection = select(menu, Filters(allergens=("peanut",)))
    assert ids(menu, selection.mask) == {"mapo", "mala", "tomato_egg", "veg_soup"}


def test_allergen_never_comes_back_through_relaxation(menu) -> None:
    # Every spicy dish has peanut or soy; the ladder may drop occasion/brand (never price)
    # but must keep the allergens out, so the answer is empty, not a relaxed match.
    filters = Filters(
        tastes=("spicy",), allergens=("peanut", "soy"), occasion="wedding", brand="Nope", price_max=1
    )
    selection = select(menu, filters)
    assert not selection.mask.any() and not selection.relaxed


@pytest.mark.parametrize(
    "soft",
    [
        dict(s)
        for n in range(1, 4)
        for s in itertools.combinations([("occasion", "party"), ("colour", "red"), ("brand", "X")], n)
    ],
)
def test_relaxation_of_any_soft_filter_keeps_allergens_and_dietary(menu, soft) -> None:
    selection = select(menu, Filters(allergens=("egg", "soy"), dietary=("vegetarian",), **soft))
    assert selection.relaxed
    assert ids(menu, selection.mask) == {"veg_soup"}  # the only vegetarian (vegan) dish without egg/soy


def test_risk_ceiling_and_unrated_products(funds) -> None:
    catalog = Catalog.from_frame(funds)
    assert ids(catalog, select(catalog, Filters(risk_max=2)).mask) == {"mm", "bond"}
    assert "unrated" in ids(catalog, select(catalog, Filters()).mask)


def test_risk_ceiling_survives_relaxation(funds) -> None:
    catalog = Catalog.from_frame(funds)
    selection = select(catalog, Filters(risk_max=1, brand="Nobody", occasion="work"))
    assert selection.relaxed and selection.dropped == ("occasion", "brand")
    assert ids(catalog, selection.mask) == {"mm"}


def test_budget_is_never_relaxed(funds) -> None:
    catalog = Catalog.from_frame(funds)
    prices = dict(zip(funds["id"], funds["price"], strict=True))
    cheapest = min(prices.values())
    selection = select(catalog, Filters(price_max=cheapest - 0.01, brand="Nobody"))
    assert not ids(catalog, selection.mask), "nothing within budget: no item over it either"
    within = select(catalog, Filters(price_max=cheapest, brand="Nobody"))
    assert within.relaxed and within.dropped == ("brand",)
    assert all(prices[i] <= cheapest for i in ids(catalog, within.mask))


def test_horizon_keeps_finance_items_that_fit(funds) -> None:
    catalog = Catalog.from_frame(funds)
    assert ids(catalog, select(catalog, Filters(horizon_months=12)).mask) == {"mm", "bond", "unrated"}


def test_taste_all_present_and_mild_excludes_spicy(make_items) -> None:
    catalog = Catalog.from_frame(
        make_items(
            [
                {"id": "a", "tastes": ["spicy", "sour"]},
                {"id": "b", "tastes": ["spicy"]},
                {"id": "c", "tastes": ["mild", "sour"]},
                {"id": "d", "tastes": ["mild", "spicy"]},  # contradictory data: never shown for either
            ]
        )
    )
    assert ids(catalog, select(catalog, Filters(tastes=("spicy", "sour"))).mask) == {"a"}
    assert ids(catalog, select(catalog, Filters(tastes=("mild",))).mask) == {"c"}
    assert ids(catalog, select(catalog, Filters(tastes=("spicy",))).mask) == {"a", "b"}


def test_dietary_vegetarian_accepts_vegan(menu) -> None:
    assert ids(menu, select(menu, Filters(dietary=("vegetarian",))).mask) == {"veg_soup"}
    assert not select(menu, Filters(dietary=("halal",))).mask.any()


def test_ladder_drops_occasion_first_then_colour(make_items) -> None:
    catalog = Catalog.from_frame(
        make_items(
            [
                {"id": "red_work", "colour": "red", "occasions": ["work"], "brand": "A", "price": 100},
                {"id": "blue_party", "colour": "blue", "occasions": ["party"], "brand": "A", "price": 100},
            ]
        )
    )
    # colour red + party: nobody; dropping occasion gives red_work
    selection = select(catalog, Filters(colour="red", occasion="party"))
    assert selection.dropped == ("occasion",) and ids(catalog, selection.mask) == {"red_work"}
    # green + party: dropping occasion is not enough, colour goes next
    selection = select(catalog, Filters(colour="green", occasion="party", brand="A"))
    assert selection.dropped == ("occasion", "colour")
    assert ids(catalog, selection.mask) == {"red_work", "blue_party"}


def test_category_and_vertical_are_never_relaxed(menu) -> None:
    selection = select(menu, Filters(category="dress", occasion="date"))
    assert not selection.mask.any()
    selection = select(menu, Filters(vertical="fashion", price_max=1))
    assert not selection.mask.any()


def test_stock_size_exclusions(make_items) -> None:
    catalog = Catalog.from_frame(
        make_items(
            [
                {"id": "m", "sizes": ["S", "M"], "brand": "Uniq", "colour": "black"},
                {"id": "l", "sizes": ["L"], "brand": "Zed", "colour": "white"},
                {"id": "one_size", "sizes": [], "brand": "Zed", "colour": "red"},
                {"id": "sold_out", "sizes": ["M"], "stock": 0},
            ]
        )
    )
    assert ids(catalog, select(catalog, Filters(size="m")).mask) == {"m", "one_size"}
    assert "sold_out" in ids(catalog, select(catalog, Filters(size="M", in_stock_only=False)).mask)
    assert ids(catalog, select(catalog, Filters(exclude_brands=("zed",))).mask) == {"m"}
    assert ids(catalog, select(catalog, Filters(exclude_colours=("black", "red"))).mask) == {"l"}
    assert ids(catalog, select(catalog, Filters(exclude_item_ids=("m", "unknown"))).mask) == {"l", "one_size"}


def test_price_range_is_inclusive(make_items) -> None:
    catalog = Catalog.from_frame(make_items([{"id": str(p), "price": p} for p in (10, 20, 30)]))
    assert ids(catalog, select(catalog, Filters(price_min=10, price_max=20)).mask) == {"10", "20"}


@pytest.mark.parametrize(
    "bad",
    [
        Filters(risk_max=6),
        Filters(risk_max=0),
        Filters(price_min=-1),
        Filters(price_min=50, price_max=10),
        Filters(allergens="peanut"),
        Filters(price_max="cheap"),
    ],
)
def test_bad_filters_are_rejected_clearly(menu, bad) -> None:
    with pytest.raises(InvalidRequestError):
        select(menu, bad)
