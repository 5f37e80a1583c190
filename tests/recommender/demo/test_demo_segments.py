"""The demo shoppers through the live customer-value fit: readable segments that agree with
P(alive), and enough margin-capped offers per shopper for the offer bandit to learn."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pandas as pd
import pytest

from recommender.customers import fit_customer_values
from recommender.demo.history import REFERENCE_DATE
from recommender.demo.offers import OFFERS
from recommender.engine.offers import choose_offers
from recommender.offers_policy import MarginRule, OfferArm, OfferPolicy

ACTIVE_NAMES = {"new", "promising", "regular", "loyal_high_spender"}


def _orders(history: dict) -> pd.DataFrame:
    """Order totals as the service reads them (orders table: one row per order)."""
    lines = pd.DataFrame(history["orders"])
    lines["amount"] = lines["price"] * lines["quantity"]
    orders = lines.groupby("order_id").agg(
        shopper_id=("shopper_id", "first"), amount=("amount", "sum"), ordered_at=("ordered_at", "first")
    )
    orders["ordered_at"] = pd.to_datetime(orders["ordered_at"], utc=True)
    return orders.reset_index()


@pytest.fixture(scope="module")
def fitted(history: dict) -> Any:
    return fit_customer_values(_orders(history), REFERENCE_DATE)


def test_demo_segments_have_the_readable_names_and_follow_the_lifecycles(history: dict, fitted: Any) -> None:
    assert fitted.fitted and fitted.segmenter == "kmeans"
    sizes = Counter(fitted.segments.values())
    assert set(sizes) == {"new", "promising", "regular", "loyal_high_spender", "at_risk", "hibernating"}
    assert min(sizes.values()) >= 25
    lifecycle = {s["id"]: s["profile"]["lifecycle"] for s in history["shoppers"]}
    for name in ("new", "at_risk", "hibernating", "loyal_high_spender", "promising", "regular"):
        planted = [s for s in fitted.segments if lifecycle[s] == name]
        named = Counter(fitted.segments[s] for s in planted)
        assert named.most_common(1)[0][0] == name, (name, named)
        assert named[name] >= 0.7 * len(planted), (name, named)


def test_demo_segment_names_do_not_contradict_p_alive(history: dict, fitted: Any) -> None:
    alive = {shopper: value.p_alive for shopper, value in fitted.values.items()}
    contradicting = [s for s, name in fitted.segments.items() if name in ACTIVE_NAMES and alive[s] < 0.5]
    assert len(contradicting) <= 0.02 * len(alive)
    at_risk = sorted(alive[s] for s, name in fitted.segments.items() if name == "at_risk")
    assert at_risk[len(at_risk) // 2] < 0.5
    # one-time buyers have P(alive) = 1 under BG/NBD, so none of them is called at risk
    days = _orders(history).assign(day=lambda f: f["ordered_at"].dt.normalize())
    occasions = days.groupby("shopper_id")["day"].nunique()
    one_time = occasions[occasions == 1].index
    assert len(one_time) >= 50 and all(alive[s] == 1.0 for s in one_time)
    assert {fitted.segments[s] for s in one_time} == {"new", "hibernating"}


def test_most_demo_shoppers_have_two_eligible_offers(fitted: Any) -> None:
    rule = MarginRule()
    eligible: dict[str, list[str]] = {}
    for shopper, value in fitted.values.items():
        segment = fitted.segments[shopper]
        candidates = choose_offers(segment, [dict(o) for o in OFFERS], k=len(OFFERS))
        assert len(candidates) >= 2, segment  # every segment has a choice to learn between
        policy = OfferPolicy([OfferArm.from_offer(o) for o in candidates], rule)
        eligible[shopper] = [arm.code for arm in policy.eligible_arms(value)]
    counts = Counter(len(codes) for codes in eligible.values())
    assert sum(n for k, n in counts.items() if k >= 2) >= 0.75 * len(eligible)
    at_risk = [s for s, name in fitted.segments.items() if name == "at_risk"]
    assert sum("COMEBACK30" in eligible[s] for s in at_risk) >= 0.8 * len(at_risk)
