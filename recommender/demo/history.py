"""Synthetic shopper history for the demo: shoppers, orders and interactions.

THIS DATA IS SYNTHETIC. No real person, order or behaviour is described. Shoppers are drawn
from latent personas (see ``personas.py``: spicy lover, vegetarian, office wear, date-night
dresser, conservative investor, ...) that buy coherent baskets, so item-item collaborative
filtering has real signal to find; each shopper also gets a lifecycle (new, promising,
regular, loyal high spender, at risk, hibernating) that shapes how often, how recently and
how much they buy, so that every RFM segment appears. The output is deterministic for a seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from .personas import PERSONAS, PERSONAS_BY_NAME, Pools, build_pools

REFERENCE_DATE = datetime(2026, 11, 1, tzinfo=timezone.utc)
HISTORY_DAYS = 365
ZH_SHARE = 0.75  # share of shoppers who chat in Chinese
SECONDARY_PERSONA_CHANCE = 0.3
SECONDARY_BASKET_SHARE = 0.25
NOISE_INTERACTION_SHARE = 0.15
INTERACTION_TYPES = (("view", 0.55), ("click", 0.25), ("cart", 0.12), ("like", 0.08))
FINANCE_AMOUNTS = (1000, 2000, 5000, 10000, 20000, 50000)
CITIES = ("上海", "北京", "杭州", "成都", "广州", "深圳", "长沙", "西安", "南京", "武汉")
AGE_BANDS = ("18-24", "25-34", "35-44", "45-54", "55+")


@dataclass(frozen=True)
class Lifecycle:
    """How often, how recently and how generously one kind of shopper buys."""

    name: str
    weight: float
    orders: tuple[int, int]  # inclusive range of the number of orders
    window: tuple[int, int]  # orders fall between these many days before the reference date
    latest: tuple[int, int] | None  # the most recent order falls in this range of days ago
    quantity_boost: int  # extra units a product line may have


LIFECYCLES: tuple[Lifecycle, ...] = (
    Lifecycle("loyal_high_spender", 0.12, (10, 24), (1, 365), (1, 20), 2),
    Lifecycle("regular", 0.25, (4, 9), (1, 365), (5, 75), 0),
    Lifecycle("promising", 0.14, (2, 3), (1, 60), None, 0),
    Lifecycle("new", 0.12, (1, 1), (1, 30), None, 0),
    Lifecycle("at_risk", 0.19, (5, 12), (121, 365), (121, 170), 1),
    Lifecycle("hibernating", 0.18, (1, 2), (200, 365), None, 0),
)


def _weighted(rng: random.Random, choices: list[Any], weights: list[float]) -> Any:
    return rng.choices(choices, weights=weights, k=1)[0]


def _timestamp(days_ago: float) -> str:
    """ISO 8601 time ``days_ago`` days before the reference date, kept inside the history window."""
    days_ago = min(max(days_ago, 0.0), HISTORY_DAYS - 0.001)
    return (REFERENCE_DATE - timedelta(days=days_ago)).replace(microsecond=0).isoformat()


def _order_days(rng: random.Random, lifecycle: Lifecycle) -> list[float]:
    """Days-ago of each order of one shopper, most recent first."""
    count = rng.randint(*lifecycle.orders)
    low, high = lifecycle.window
    days = sorted((rng.uniform(low, high) for _ in range(count)))
    if lifecycle.latest is not None:
        days[0] = rng.uniform(*lifecycle.latest)
        days.sort()
    return days


def _quantity(rng: random.Random, item: dict[str, Any], lifecycle: Lifecycle) -> int:
    if item["vertical"] == "product":
        return rng.randint(1, 3 + lifecycle.quantity_boost)
    if item["vertical"] == "dish":
        return 2 if rng.random() < 0.1 else 1
    return 1


def _unit_price(rng: random.Random, item: dict[str, Any]) -> float:
    """Catalog price; for finance, the amount invested (at least the minimum purchase)."""
    if item["vertical"] == "finance":
        return float(max(item["price"], rng.choice(FINANCE_AMOUNTS)))
    return float(item["price"])


def _basket(rng: random.Random, personas: list[str], pools: Pools) -> list[dict[str, Any]]:
    """One basket from the shopper's primary persona (sometimes the secondary), no repeats."""
    name = personas[1] if len(personas) > 1 and rng.random() < SECONDARY_BASKET_SHARE else personas[0]
    persona = PERSONAS_BY_NAME[name]
    seen: set[str] = set()
    basket = []
    for item in persona.build_basket(rng, pools):
        if item["id"] not in seen:
            seen.add(item["id"])
            basket.append(item)
    return basket


def _interactions(rng: random.Random, shopper_id: str, personas: list[str], pools: Pools,
                  items: list[dict[str, Any]], first_day: float, last_day: float,
                  count: int) -> list[dict[str, Any]]:
    """Browsing rows (view/click/cart/like) mostly on persona items, some on random items."""
    rows = []
    kinds = [kind for kind, _ in INTERACTION_TYPES]
    weights = [weight for _, weight in INTERACTION_TYPES]
    for _ in range(count):
        if rng.random() < NOISE_INTERACTION_SHARE:
            item = rng.choice(items)
        else:
            basket = _basket(rng, personas, pools) or [rng.choice(items)]
            item = rng.choice(basket)
        rows.append({
            "shopper_id": shopper_id,
            "item_id": item["id"],
            "type": _weighted(rng, kinds, weights),
            "created_at": _timestamp(rng.uniform(last_day, first_day)),
        })
    return rows


def demo_reference_date(now: datetime | None = None) -> datetime:
    """The reference date ``load-demo`` uses: the start of yesterday (UTC).

    The history then ends when it is loaded, so the segments, P(alive) and offers the
    service computes "now" are those the lifecycles describe, whenever the demo runs (a
    fixed date would turn every loyal shopper "at risk" a few months later). It ends a day
    back so that no demo event falls inside the current chat session's window.
    """
    now = now or datetime.now(timezone.utc)
    return (now - timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)


def _shifted(stamp: str, delta: timedelta) -> str:
    return (datetime.fromisoformat(stamp) + delta).isoformat()


def generate_history(
    items: list[dict[str, Any]], n_shoppers: int = 400, seed: int = 42, reference_date: datetime = REFERENCE_DATE
) -> dict[str, list]:
    """Generate synthetic shoppers, orders and interactions over ``items``, ending at ``reference_date``.

    Parameters
    ----------
    items : list of dict
        Catalog items in import format (e.g. ``build_catalog()``).
    n_shoppers : int
        Number of shoppers to create (>= 1).
    seed : int
        Random seed; the same items, count and seed always give the same history.
    reference_date : datetime
        When the history ends (``load-demo`` passes ``demo_reference_date()``); the same
        history for every date, moved in time.

    Returns
    -------
    dict
        ``{"shoppers": [...], "orders": [...], "interactions": [...]}``; orders are import-format
        order lines (one row per item, rows of one order share ``order_id``).
    """
    if n_shoppers < 1:
        raise ValueError("n_shoppers must be at least 1")
    if not items:
        raise ValueError("generate_history needs a non-empty catalog")
    rng = random.Random(seed)
    pools = build_pools(items)
    persona_names = [p.name for p in PERSONAS]
    persona_weights = [p.weight for p in PERSONAS]
    shoppers: list[dict[str, Any]] = []
    orders: list[dict[str, Any]] = []
    interactions: list[dict[str, Any]] = []
    for number in range(1, n_shoppers + 1):
        shopper_id = f"demo-{number:04d}"
        personas = [_weighted(rng, persona_names, persona_weights)]
        if rng.random() < SECONDARY_PERSONA_CHANCE:
            others = [n for n in persona_names if n != personas[0]]
            personas.append(_weighted(rng, others, [PERSONAS_BY_NAME[n].weight for n in others]))
        lifecycle = _weighted(rng, list(LIFECYCLES), [c.weight for c in LIFECYCLES])
        shoppers.append({
            "id": shopper_id,
            "channel": "demo",
            "language": "zh" if rng.random() < ZH_SHARE else "en",
            "consent": True,
            "profile": {
                "synthetic": True,
                "personas": personas,
                "lifecycle": lifecycle.name,
                "city": rng.choice(CITIES),
                "age_band": rng.choice(AGE_BANDS),
            },
        })
        days = _order_days(rng, lifecycle)
        for order_number, days_ago in enumerate(days, start=1):
            order_id = f"o-{number:04d}-{order_number:02d}"
            ordered_at = _timestamp(days_ago)
            for item in _basket(rng, personas, pools):
                orders.append({
                    "order_id": order_id,
                    "shopper_id": shopper_id,
                    "item_id": item["id"],
                    "quantity": _quantity(rng, item, lifecycle),
                    "price": _unit_price(rng, item),
                    "ordered_at": ordered_at,
                })
                if rng.random() < 0.6:  # the shopper usually looked at it first
                    interactions.append({"shopper_id": shopper_id, "item_id": item["id"], "type": "view",
                                         "created_at": _timestamp(days_ago + rng.uniform(0.01, 2.0))})
        browse_count = rng.randint(3, 8) + 2 * len(days)
        interactions += _interactions(rng, shopper_id, personas, pools, items,
                                      first_day=min(HISTORY_DAYS, days[-1] + 10), last_day=days[0],
                                      count=browse_count)
    delta = reference_date - REFERENCE_DATE
    if delta:  # the same history (for the seed), moved in time as a whole
        orders = [{**row, "ordered_at": _shifted(row["ordered_at"], delta)} for row in orders]
        interactions = [{**row, "created_at": _shifted(row["created_at"], delta)} for row in interactions]
    return {"shoppers": shoppers, "orders": orders, "interactions": interactions}
