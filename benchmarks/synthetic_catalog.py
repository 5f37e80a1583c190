"""A large synthetic bilingual catalog and interaction log for the serving benchmark.

Items are variants of the 429 demo items (``recommender.demo.catalog``): each synthetic item
copies a demo item's vertical, category, slot, tastes, dietary, allergens, occasions, risk level
and zh/en text, then gets its own id, a line name in both languages, a brand from a pool of
synthetic brands, a jittered price and stock, and (fashion) a colour. So every demo request
(``category=dress``, ``tastes=[spicy]``, ``risk_max=2`` ...) finds items, in the same proportions.

Interactions follow a long-tailed item popularity inside shopper taste groups: each shopper
has a home (vertical, category) group and draws ``HOME_SHARE`` of their interactions from it
(popular items of the group more often), the rest from the whole catalog, with the type mix
of the demo history. Every shopper consents, so every interaction reaches the engine.

Everything is vectorised with numpy and seeded: the same arguments give the same data.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

SEED = 7
ID_PREFIX = "syn-"
SHOPPER_PREFIX = "syn-s"
SOURCE = "synthetic"
HOME_SHARE = 0.8  # share of a shopper's interactions drawn from their home category
POPULARITY_SKEW = 3.0  # item rank within a group ~ u ** skew: a few items get most interactions
INTERACTIONS_PER_SHOPPER = 20
HISTORY_DAYS = 180
START = datetime(2024, 1, 1, tzinfo=UTC)
TYPES = ("view", "click", "like", "dislike", "cart", "purchase", "rating")
TYPE_SHARES = (0.5, 0.2, 0.08, 0.02, 0.08, 0.1, 0.02)
BRANDS = 800
COLOURS = ("black", "white", "red", "blue", "navy", "green", "beige", "pink", "grey", "yellow")
# Line names (zh, en) appended to the template's title so titles differ across variants.
LINES = (
    ("经典款", "Classic"),
    ("轻享版", "Lite"),
    ("臻选", "Select"),
    ("家庭装", "Family Pack"),
    ("限定", "Limited"),
    ("新品", "New"),
    ("升级版", "Plus"),
    ("旅行装", "Travel Size"),
    ("礼盒", "Gift Box"),
    ("基础款", "Basic"),
    ("复刻", "Retro"),
    ("季节款", "Seasonal"),
)


def synthetic_items(n_items: int, seed: int = SEED) -> list[dict[str, Any]]:
    """``n_items`` item rows in the import format (``recommender.importers``), ids ``syn-0`` ..."""
    from recommender.demo.catalog import build_catalog

    templates = build_catalog()
    rng = np.random.default_rng(seed)
    pick = rng.integers(0, len(templates), size=n_items)
    line = rng.integers(0, len(LINES), size=n_items)
    brand = rng.integers(0, BRANDS, size=n_items)
    price_factor = rng.uniform(0.6, 1.6, size=n_items)
    stock = rng.integers(0, 400, size=n_items)
    stock[rng.random(n_items) < 0.05] = 0  # some sold out
    colour = rng.integers(0, len(COLOURS), size=n_items)
    rows: list[dict[str, Any]] = []
    for n in range(n_items):
        template = templates[pick[n]]
        zh, en = LINES[line[n]]
        row = {key: value for key, value in template.items() if key != "image_url"}
        row.update(
            id=f"{ID_PREFIX}{n}",
            title_zh=f"{template['title_zh']} {zh} {n}",
            title_en=f"{template['title_en']} {en} {n}",
            brand=f"brand_{brand[n]}",
            price=round(float(template["price"]) * float(price_factor[n]), 2),
            stock=int(stock[n]),
            group_id=None,  # each row is its own product (its template's variants are other rows)
        )
        if template["vertical"] == "fashion":
            row["colour"] = COLOURS[colour[n]]
        rows.append(row)
    return rows


def synthetic_interactions(
    items: list[dict[str, Any]], n_interactions: int, seed: int = SEED
) -> dict[str, np.ndarray]:
    """Column arrays ``shopper_id, item_id, type, value, created_at`` of ``n_interactions`` rows."""
    rng = np.random.default_rng(seed + 1)
    n_items = len(items)
    n_shoppers = max(1, n_interactions // INTERACTIONS_PER_SHOPPER)
    groups: dict[tuple[str, str], list[int]] = {}
    for position, item in enumerate(items):
        groups.setdefault((item["vertical"], item.get("category") or ""), []).append(position)
    members = [np.array(g, dtype=np.int64) for g in groups.values()]
    rng.shuffle(members)  # popularity order inside a group: random, fixed by the seed
    sizes = np.array([len(m) for m in members])
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    flat = np.concatenate(members)
    home = rng.choice(len(members), size=n_shoppers, p=sizes / sizes.sum())
    shopper = rng.integers(0, n_shoppers, size=n_interactions)
    in_home = rng.random(n_interactions) < HOME_SHARE
    group = home[shopper]
    rank_in_group = np.floor(sizes[group] * rng.random(n_interactions) ** POPULARITY_SKEW).astype(np.int64)
    global_rank = np.floor(n_items * rng.random(n_interactions) ** POPULARITY_SKEW).astype(np.int64)
    global_order = rng.permutation(n_items)
    item = np.where(in_home, flat[offsets[group] + rank_in_group], global_order[global_rank])
    kind = rng.choice(len(TYPES), size=n_interactions, p=TYPE_SHARES)
    value = np.where(np.array(TYPES)[kind] == "rating", rng.integers(1, 6, size=n_interactions), np.nan)
    seconds = rng.integers(0, HISTORY_DAYS * 86400, size=n_interactions)
    order = np.argsort(seconds, kind="stable")  # rows in time order, like a real log
    ids = np.array([item["id"] for item in items], dtype=object)
    return {
        "shopper_id": np.char.add(SHOPPER_PREFIX, shopper[order].astype(str)).astype(object),
        "item_id": ids[item[order]],
        "type": np.array(TYPES, dtype=object)[kind[order]],
        "value": value[order],
        "created_at": seconds[order],
    }


def interaction_rows(columns: dict[str, np.ndarray], chunk: int) -> Iterator[list[dict[str, Any]]]:
    """Chunks of interaction rows for a bulk insert into the ``interactions`` table."""
    n = len(columns["item_id"])
    for start in range(0, n, chunk):
        stop = min(n, start + chunk)
        yield [
            {
                "shopper_id": shopper,
                "item_id": item,
                "type": kind,
                "value": None if value != value else float(value),
                "source": SOURCE,
                "used_for_personalisation": True,
                "created_at": START + timedelta(seconds=int(seconds)),
            }
            for shopper, item, kind, value, seconds in zip(
                columns["shopper_id"][start:stop],
                columns["item_id"][start:stop],
                columns["type"][start:stop],
                columns["value"][start:stop],
                columns["created_at"][start:stop],
                strict=True,
            )
        ]
