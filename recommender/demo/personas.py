"""Latent shopper personas of the synthetic history: what each kind of shopper buys together.

A persona is a name, the item pools it draws from and a basket builder. Baskets are coherent
(an outfit of top + bottom + shoes for one occasion, dishes of one cuisine, snacks with tea),
which is what gives item-item collaborative filtering a real signal to find.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Item = dict[str, Any]
Pools = dict[str, list[Item]]
BasketBuilder = Callable[[random.Random, Pools], list[Item]]


@dataclass(frozen=True)
class Persona:
    """One latent shopper type."""

    name: str
    weight: float  # relative share of shoppers with this primary persona
    build_basket: BasketBuilder


def _is(item: Item, **conditions: Any) -> bool:
    """True when every condition holds: list fields must contain the value, others equal it."""
    for key, wanted in conditions.items():
        value = item.get(key)
        if isinstance(value, list):
            if wanted not in value:
                return False
        elif value != wanted:
            return False
    return True


def build_pools(items: list[Item]) -> Pools:
    """Group catalog items into the pools the personas draw from (catalog order kept)."""
    dishes = [item for item in items if item["vertical"] == "dish"]
    products = [item for item in items if item["vertical"] == "product"]
    fashion = [item for item in items if item["vertical"] == "fashion"]
    finance = [item for item in items if item["vertical"] == "finance"]
    pools: Pools = {
        "dish_spicy_sichuan": [d for d in dishes if _is(d, tastes="spicy", tags="sichuan")],
        "dish_spicy_hunan": [d for d in dishes if _is(d, tastes="spicy", tags="hunan")],
        "dish_cantonese": [d for d in dishes if _is(d, tags="cantonese")],
        "dish_jiangnan": [d for d in dishes if _is(d, tags="jiangnan")],
        "dish_northern": [d for d in dishes if _is(d, tags="northern")],
        "dish_vegetarian_mild": [d for d in dishes if _is(d, dietary="vegetarian") and "spicy" not in d["tastes"]
                                 and d["category"] != "dessert"],
        "dish_dessert": [d for d in dishes if d["category"] == "dessert"],
        "snack_spicy": [p for p in products if "spicy" in p["tastes"]],
        "snack_sweet": [p for p in products if p["category"] in ("chocolate", "biscuits") and "gift" not in p["tags"]],
        "snack_gift": [p for p in products if "gift" in p["tags"] and p["category"] != "tea"],
        "tea": [p for p in products if p["category"] == "tea"],
        "breakfast": [p for p in products if p["category"] in ("dairy", "fruit", "coffee") and "gift" not in p["tags"]],
        "plant_based": [p for p in products if "vegan" in p["dietary"] and p["category"] in ("fruit", "nuts", "drinks")],
        "sport_fuel": [p for p in products if p["category"] in ("drinks", "nuts") and "gift" not in p["tags"]],
        "finance_low": [f for f in finance if f["risk_level"] <= 2 and f["price"] < 100000],
        "finance_high": [f for f in finance if f["risk_level"] >= 4],
        "finance_mid": [f for f in finance if f["risk_level"] == 3 and f["price"] < 10000],
    }
    for occasion in ("date", "work", "interview", "party", "wedding", "casual", "sport", "travel"):
        for slot in ("top", "bottom", "one_piece", "outerwear", "shoes", "accessory"):
            pools[f"fashion_{occasion}_{slot}"] = [
                f for f in fashion if occasion in f["occasions"] and f["slot"] == slot
            ]
    return pools


def _some(rng: random.Random, pool: list[Item], low: int, high: int) -> list[Item]:
    if not pool:
        return []
    return rng.sample(pool, min(len(pool), rng.randint(low, high)))


def _outfit(rng: random.Random, pools: Pools, occasion: str, dress_chance: float) -> list[Item]:
    """One outfit for an occasion: a dress or top + bottom, then shoes and maybe an accessory."""
    def pick(slot: str) -> list[Item]:
        pool = pools[f"fashion_{occasion}_{slot}"]
        return [rng.choice(pool)] if pool else []

    if pools[f"fashion_{occasion}_one_piece"] and rng.random() < dress_chance:
        basket = pick("one_piece")
    else:
        basket = pick("top") + pick("bottom")
    basket += pick("shoes")
    if rng.random() < 0.5:
        basket += pick("accessory")
    if rng.random() < 0.2:
        basket += pick("outerwear")
    return basket


def _spicy_lover(rng: random.Random, pools: Pools) -> list[Item]:
    if rng.random() < 0.3:
        return _some(rng, pools["snack_spicy"], 2, 4)
    cuisine = rng.choice(["dish_spicy_sichuan", "dish_spicy_hunan"])
    return _some(rng, pools[cuisine], 2, 4)


def _vegetarian(rng: random.Random, pools: Pools) -> list[Item]:
    if rng.random() < 0.3:
        return _some(rng, pools["plant_based"], 2, 4)
    return _some(rng, pools["dish_vegetarian_mild"], 2, 4)


def _sweet_tooth(rng: random.Random, pools: Pools) -> list[Item]:
    if rng.random() < 0.5:
        return _some(rng, pools["dish_dessert"], 1, 3)
    return _some(rng, pools["snack_sweet"], 2, 4)


def _cantonese_diner(rng: random.Random, pools: Pools) -> list[Item]:
    return _some(rng, pools["dish_cantonese"], 2, 5)


def _northern_diner(rng: random.Random, pools: Pools) -> list[Item]:
    pool = pools["dish_northern"] if rng.random() < 0.7 else pools["dish_jiangnan"]
    return _some(rng, pool, 2, 4)


def _office_wear(rng: random.Random, pools: Pools) -> list[Item]:
    if rng.random() < 0.2:
        return _some(rng, [p for p in pools["breakfast"] if p["category"] == "coffee"], 1, 2)
    return _outfit(rng, pools, rng.choice(["work", "work", "interview"]), dress_chance=0.25)


def _date_night(rng: random.Random, pools: Pools) -> list[Item]:
    return _outfit(rng, pools, rng.choice(["date", "date", "party"]), dress_chance=0.75)


def _wedding_guest(rng: random.Random, pools: Pools) -> list[Item]:
    return _outfit(rng, pools, rng.choice(["wedding", "party"]), dress_chance=0.6)


def _sporty(rng: random.Random, pools: Pools) -> list[Item]:
    if rng.random() < 0.35:
        return _some(rng, pools["sport_fuel"], 1, 3)
    return _outfit(rng, pools, "sport", dress_chance=0.1)


def _traveller(rng: random.Random, pools: Pools) -> list[Item]:
    return _outfit(rng, pools, rng.choice(["travel", "casual"]), dress_chance=0.3)


def _snack_gifter(rng: random.Random, pools: Pools) -> list[Item]:
    return _some(rng, pools["snack_gift"], 1, 2) + _some(rng, pools["tea"], 1, 2)


def _breakfast_family(rng: random.Random, pools: Pools) -> list[Item]:
    return _some(rng, pools["breakfast"], 2, 4)


def _conservative_investor(rng: random.Random, pools: Pools) -> list[Item]:
    return _some(rng, pools["finance_low"], 1, 2)


def _growth_investor(rng: random.Random, pools: Pools) -> list[Item]:
    pool = pools["finance_high"] if rng.random() < 0.8 else pools["finance_mid"]
    return _some(rng, pool, 1, 2)


PERSONAS: list[Persona] = [
    Persona("spicy_lover", 1.3, _spicy_lover),
    Persona("vegetarian", 0.9, _vegetarian),
    Persona("sweet_tooth", 0.9, _sweet_tooth),
    Persona("cantonese_diner", 0.8, _cantonese_diner),
    Persona("northern_diner", 0.7, _northern_diner),
    Persona("office_wear", 1.1, _office_wear),
    Persona("date_night_dresser", 1.1, _date_night),
    Persona("wedding_guest", 0.5, _wedding_guest),
    Persona("sporty", 0.8, _sporty),
    Persona("traveller", 0.6, _traveller),
    Persona("snack_gifter", 0.8, _snack_gifter),
    Persona("breakfast_family", 0.7, _breakfast_family),
    Persona("conservative_investor", 0.7, _conservative_investor),
    Persona("growth_investor", 0.5, _growth_investor),
]

PERSONAS_BY_NAME: dict[str, Persona] = {persona.name: persona for persona in PERSONAS}
