"""The synthetic history: deterministic, well-formed, RFM variety and real CF signal."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np
import pytest

from recommender.demo.history import REFERENCE_DATE, generate_history

Items = list[dict[str, Any]]


def test_history_is_deterministic_for_a_seed(catalog: Items, history: dict) -> None:
    assert generate_history(catalog, n_shoppers=400, seed=42) == history
    other = generate_history(catalog, n_shoppers=400, seed=7)
    assert other["orders"] != history["orders"]


def test_history_rejects_bad_arguments(catalog: Items) -> None:
    with pytest.raises(ValueError, match="n_shoppers"):
        generate_history(catalog, n_shoppers=0)
    with pytest.raises(ValueError, match="catalog"):
        generate_history([], n_shoppers=5)


def test_shoppers(history: dict) -> None:
    shoppers = history["shoppers"]
    assert len(shoppers) == 400
    assert len({s["id"] for s in shoppers}) == 400
    assert all(s["channel"] == "demo" and s["consent"] is True for s in shoppers)
    assert all(s["profile"]["synthetic"] is True for s in shoppers)
    languages = Counter(s["language"] for s in shoppers)
    assert set(languages) == {"zh", "en"} and languages["zh"] > languages["en"] > 40


def _parse(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    assert parsed.tzinfo is not None, value
    return parsed


def test_orders_are_import_format_rows(history: dict, items_by_id: dict) -> None:
    shoppers = {s["id"] for s in history["shoppers"]}
    earliest = REFERENCE_DATE - timedelta(days=365)
    for row in history["orders"]:
        assert set(row) == {"order_id", "shopper_id", "item_id", "quantity", "price", "ordered_at"}
        assert row["shopper_id"] in shoppers and row["item_id"] in items_by_id
        assert isinstance(row["quantity"], int) and row["quantity"] >= 1
        assert row["price"] >= items_by_id[row["item_id"]]["price"]
        assert earliest <= _parse(row["ordered_at"]) < REFERENCE_DATE
    lines_per_order = Counter(row["order_id"] for row in history["orders"])
    assert len(lines_per_order) >= 1500
    assert max(lines_per_order.values()) >= 3  # baskets, not single-item orders only
    keys = [(row["order_id"], row["item_id"]) for row in history["orders"]]
    assert len(keys) == len(set(keys))  # an item appears once per order


def test_orders_of_one_id_share_shopper_and_time(history: dict) -> None:
    seen: dict[str, tuple[str, str]] = {}
    for row in history["orders"]:
        key = (row["shopper_id"], row["ordered_at"])
        assert seen.setdefault(row["order_id"], key) == key


def test_interactions(history: dict, items_by_id: dict) -> None:
    earliest = REFERENCE_DATE - timedelta(days=365)
    types = Counter()
    for row in history["interactions"]:
        assert row["item_id"] in items_by_id
        assert earliest <= _parse(row["created_at"]) < REFERENCE_DATE
        types[row["type"]] += 1
    assert set(types) == {"view", "click", "like", "cart"}
    assert types["view"] > types["click"] > types["cart"] > 0


def test_rfm_variety(history: dict) -> None:
    """Recency, frequency and spend vary enough for every RFM segment to appear."""
    orders_by_shopper: dict[str, set[str]] = defaultdict(set)
    last: dict[str, datetime] = {}
    spend: Counter = Counter()
    for row in history["orders"]:
        shopper = row["shopper_id"]
        orders_by_shopper[shopper].add(row["order_id"])
        at = _parse(row["ordered_at"])
        last[shopper] = max(last.get(shopper, at), at)
        spend[shopper] += row["price"] * row["quantity"]
    days_since = {s: (REFERENCE_DATE - at).days for s, at in last.items()}
    frequency = {s: len(o) for s, o in orders_by_shopper.items()}
    new = [s for s in frequency if frequency[s] == 1 and days_since[s] <= 30]
    loyal = [s for s in frequency if frequency[s] >= 10 and days_since[s] <= 30]
    at_risk = [s for s in frequency if frequency[s] >= 5 and days_since[s] > 120]
    hibernating = [s for s in frequency if frequency[s] <= 2 and days_since[s] > 180]
    promising = [s for s in frequency if 2 <= frequency[s] <= 3 and days_since[s] <= 60]
    for segment in (new, loyal, at_risk, hibernating, promising):
        assert len(segment) >= 20
    assert len(frequency) >= 390  # (almost) every shopper bought something
    amounts = sorted(spend.values())
    assert amounts[9 * len(amounts) // 10] > 5 * amounts[len(amounts) // 10]  # spend varies widely


def _item_vectors(history: dict) -> tuple[list[str], np.ndarray]:
    shoppers = sorted({row["shopper_id"] for row in history["orders"]})
    items = sorted({row["item_id"] for row in history["orders"]})
    s_index = {s: n for n, s in enumerate(shoppers)}
    i_index = {i: n for n, i in enumerate(items)}
    matrix = np.zeros((len(items), len(shoppers)))
    for row in history["orders"]:
        matrix[i_index[row["item_id"]], s_index[row["shopper_id"]]] = 1.0
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return items, matrix / norms


def test_item_item_cf_signal_within_personas(history: dict) -> None:
    """Items bought mostly by one persona are far more co-purchased than items of two personas."""
    primary = {s["id"]: s["profile"]["personas"][0] for s in history["shoppers"]}
    buyers: dict[str, Counter] = defaultdict(Counter)
    for row in history["orders"]:
        buyers[row["item_id"]][primary[row["shopper_id"]]] += 1
    items, vectors = _item_vectors(history)
    dominant = [buyers[item].most_common(1)[0][0] for item in items]
    similarity = vectors @ vectors.T
    same = np.array([[a == b for b in dominant] for a in dominant])
    off_diagonal = ~np.eye(len(items), dtype=bool)
    within = similarity[same & off_diagonal].mean()
    across = similarity[~same].mean()
    assert within > 3 * across


def test_outfit_orders_share_an_occasion(history: dict, items_by_id: dict) -> None:
    baskets: dict[str, list[dict]] = defaultdict(list)
    for row in history["orders"]:
        item = items_by_id[row["item_id"]]
        if item["vertical"] == "fashion":
            baskets[row["order_id"]].append(item)
    outfits = [b for b in baskets.values() if len(b) >= 2]
    assert len(outfits) >= 200
    coherent = [b for b in outfits if set.intersection(*(set(i["occasions"]) for i in b))]
    assert len(coherent) == len(outfits)
    has_shoes = [b for b in outfits if any(i["slot"] == "shoes" for i in b)]
    assert len(has_shoes) >= 0.9 * len(outfits)


def test_reference_date_moves_the_same_history_in_time(catalog) -> None:
    from recommender.demo.history import demo_reference_date

    base = generate_history(catalog, n_shoppers=30, seed=42)
    later = REFERENCE_DATE + timedelta(days=100, hours=5)
    moved = generate_history(catalog, n_shoppers=30, seed=42, reference_date=later)
    assert moved["shoppers"] == base["shoppers"]
    for kind, column in (("orders", "ordered_at"), ("interactions", "created_at")):
        assert len(moved[kind]) == len(base[kind])
        for old, new in zip(base[kind], moved[kind], strict=True):
            assert _parse(new[column]) - _parse(old[column]) == timedelta(days=100, hours=5)
            assert {k: v for k, v in new.items() if k != column} == {k: v for k, v in old.items() if k != column}
    now = datetime(2027, 3, 9, 15, 30, tzinfo=timezone.utc)
    assert demo_reference_date(now) == datetime(2027, 3, 8, tzinfo=timezone.utc)
