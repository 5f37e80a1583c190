"""The margin cap is never exceeded, and at-risk valuable customers are favoured.

The at-risk preference is checked with CLV and P(alive) from the BG/NBD and Gamma-Gamma
models (the published CDNOW parameters), not hand-set numbers: with those models CLV
already shrinks as P(alive) falls, which is what the cap must not be based on.
"""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

from recommender.clv import BetaGeoModel, GammaGammaModel
from recommender.offers_policy import (
    CustomerValue,
    Grant,
    MarginRule,
    OfferArm,
    OfferPolicy,
    rank_customers,
)

ARMS = [
    OfferArm("FREESHIP", "amount", 8, 49),
    OfferArm("TEN", "amount", 10, 59),
    OfferArm("PCT15", "percent", 15, 99),
    OfferArm("PCT40", "percent", 40, 0),
    OfferArm("BIG100", "amount", 100, 500),
]

# Fader, Hardie & Lee's CDNOW estimates (BG/NBD r, alpha, a, b; Gamma-Gamma p, q, v).
CDNOW_BGNBD = (0.243, 4.414, 0.793, 2.426)
CDNOW_GAMMA_GAMMA = (6.25, 3.74, 15.44)


def test_cap_never_exceeded_on_random_customers_rules_and_real_orders():
    rng = random.Random(2024)
    granted = 0
    for trial in range(3000):
        rule = MarginRule(
            max_margin_share=rng.uniform(0, 1), margin_rate=rng.uniform(0, 1), loyal_share=rng.uniform(0, 1)
        )
        p_alive = rng.uniform(0, 1)
        retained = rng.choice([0.0, rng.uniform(0, 50), rng.uniform(0, 10_000)])
        customer = CustomerValue(
            clv=retained * p_alive,
            p_alive=p_alive,
            order_value=rng.uniform(0, 1_000),
            retained_clv=retained,
        )
        policy = OfferPolicy(ARMS, rule, seed=trial)
        decision = policy.choose(rng.choice(["new", "at_risk"]), customer)
        cap = rule.max_margin_share * rule.margin_rate * retained  # the rule, restated
        for arm in policy.eligible_arms(customer):
            assert arm.cost(customer.order_value) <= cap + 1e-9
        # in expectation: only a living customer redeems, so at most the share of the expected margin
        assert rule.expected_cost_bound(customer) == pytest.approx(
            rule.max_margin_share * rule.margin_rate * customer.clv
        )
        if decision is not None:
            granted += 1
            assert decision.cost <= decision.max_discount + 1e-9
            assert decision.max_discount <= decision.budget <= decision.cap + 1e-9
            assert decision.cap == pytest.approx(cap)
            for real_order in (0.0, customer.order_value, 10 * customer.order_value + 1_000, 1e7):
                assert decision.discount_on(real_order) <= decision.max_discount <= cap + 1e-9
    assert granted > 500  # the check exercised real offers, not only refusals


def test_the_grant_carries_its_maximum_discount():
    rule = MarginRule(max_margin_share=0.2, margin_rate=0.3, loyal_share=0.25)
    customer = CustomerValue(clv=1000.0, p_alive=0.5, order_value=100.0, retained_clv=2000.0)
    budget = 0.2 * 0.3 * 2000 * (0.25 + 0.75 * 0.5)  # 75
    assert rule.budget(customer) == pytest.approx(budget)
    percent = OfferPolicy([OfferArm("PCT20", "percent", 20, 0)], rule).choose("x", customer)
    assert percent.cost == pytest.approx(20.0) and percent.max_discount == pytest.approx(budget)
    assert percent.arm.discount_on(5_000.0) == pytest.approx(1_000.0)  # the bare offer: far over the cap
    assert percent.discount_on(5_000.0) == pytest.approx(budget)  # the grant: capped
    assert percent.discount_on(200.0) == pytest.approx(40.0)  # below the cap: the offer's terms
    amount = OfferPolicy([OfferArm("TEN", "amount", 10, 59)], rule).choose("x", customer)
    assert amount.max_discount == 10.0
    assert amount.discount_on(58.0) == 0.0 and amount.discount_on(59.0) == 10.0


def test_a_stored_grant_gives_the_same_discount_as_the_decision():
    """At checkout the grant is read back from storage as a Grant (terms + max_discount)."""
    rule = MarginRule(max_margin_share=0.2, margin_rate=0.3, loyal_share=0.25)
    customer = CustomerValue(clv=1000.0, p_alive=0.5, order_value=100.0, retained_clv=2000.0)
    for arm in (OfferArm("PCT20", "percent", 20, 50), OfferArm("TEN", "amount", 10, 59)):
        decision = OfferPolicy([arm], rule).choose("x", customer)
        assert decision.max_discount == rule.max_discount(arm, customer)
        stored = Grant(OfferArm(arm.code, arm.discount_type, arm.discount_value, arm.min_spend), decision.max_discount)
        for total in (0.0, 49.0, 50.0, 58.0, 59.0, 200.0, 100_000.0):
            assert stored.discount_on(total) == decision.discount_on(total) <= min(decision.max_discount, total)
    assert Grant(OfferArm("PCT20", "percent", 20, 0), 75.0).discount_on(100_000.0) == 75.0
    assert Grant(OfferArm("ALL", "percent", 100, 0), 75.0).discount_on(30.0) == 30.0  # never more than the order
    assert Grant(OfferArm("TEN", "amount", 10, 0), 0.0).discount_on(100.0) == 0.0
    # at checkout the order's own margin bounds it too: no order loses money to a coupon
    assert Grant(OfferArm("TEN", "amount", 10, 0), 10.0).discount_on(25.0, margin_rate=0.3) == pytest.approx(7.5)
    assert Grant(OfferArm("TEN", "amount", 10, 0), 10.0).discount_on(100.0, margin_rate=0.3) == 10.0


def test_zero_value_gets_no_offer():
    policy = OfferPolicy(ARMS, seed=1)
    assert policy.choose("new", CustomerValue(clv=0.0, p_alive=0.1, order_value=100.0)) is None


def test_cost_net_value_and_real_discount_of_an_arm():
    assert OfferArm("PCT15", "percent", 15, 99).cost(50.0) == pytest.approx(0.15 * 99)
    assert OfferArm("PCT15", "percent", 15, 99).cost(200.0) == pytest.approx(30.0)
    assert OfferArm("TEN", "amount", 10, 59).cost(1000.0) == 10.0
    # an accept means an order of at least min_spend: margin of that order minus the discount
    assert OfferArm("TEN", "amount", 10, 59).net_value(40.0, 0.3) == pytest.approx(0.3 * 59 - 10)
    assert OfferArm("PCT15", "percent", 15, 99).net_value(200.0, 0.3) == pytest.approx(0.15 * 200)
    assert OfferArm("BIG", "amount", 100, 0).net_value(100.0, 0.3) == pytest.approx(-70.0)
    assert OfferArm("TEN", "amount", 10, 0).discount_on(4.0) == 4.0  # never more than the order


def _cdnow_value(
    recency: float, frequency: int = 10, age: float = 39.0, spend: float = 80.0
) -> CustomerValue:
    """CLV, P(alive) and CLV if retained of one shopper from the published CDNOW models."""
    purchases = BetaGeoModel.from_params(*CDNOW_BGNBD)
    spending = GammaGammaModel.from_params(*CDNOW_GAMMA_GAMMA)
    row = pd.DataFrame(
        {"frequency": [frequency], "recency": [recency], "T": [age], "monetary_value": [spend]}
    )
    p_alive = float(purchases.expected_probability_alive(row)[0])
    clv = float(spending.expected_customer_lifetime_value(purchases, row)[0])
    retained = clv / p_alive if p_alive > 0 else clv
    return CustomerValue(clv=clv, p_alive=p_alive, order_value=spend, retained_clv=retained)


def test_with_fitted_cdnow_models_a_lapsing_valuable_shopper_gets_more_not_less():
    """One history (10 repeat purchases of $80 over 39 weeks), last purchase ever longer ago."""
    rule = MarginRule(max_margin_share=0.2, margin_rate=0.3, loyal_share=0.25)
    stages = {"active": 38.0, "lapsing": 30.0, "lapsed": 20.0, "gone": 5.0}
    values = {stage: _cdnow_value(recency) for stage, recency in stages.items()}
    alive = [values[s].p_alive for s in stages]
    assert alive == pytest.approx([0.919, 0.572, 0.038, 0.0], abs=0.005)
    clv = [values[s].clv for s in stages]
    assert clv == sorted(clv, reverse=True) and clv[-1] < 0.01 * clv[0]  # CLV collapses with P(alive)
    # the value if retained depends on how much and since when, not on how long ago the last purchase was
    retained = [values[s].value_if_retained for s in stages]
    assert retained == pytest.approx([retained[0]] * 4, rel=1e-6)
    budgets = [rule.budget(values[s]) for s in stages]
    assert budgets == sorted(budgets) and budgets[2] > 3 * budgets[0]
    assert budgets == pytest.approx([12.55, 23.08, 39.24, 40.40], abs=0.01)
    for stage in stages:
        value = values[stage]
        assert rule.budget(value) <= rule.cap(value) == pytest.approx(0.2 * 0.3 * value.value_if_retained)
        assert rule.expected_cost_bound(value) <= 0.2 * 0.3 * value.clv + 1e-9
    # what the cap must not be: a share of CLV, which reverses the preference (11.5 → 13.2 → 1.5 → 0)
    on_clv = [0.2 * 0.3 * v.clv * (0.25 + 0.75 * (1 - v.p_alive)) for v in values.values()]
    assert on_clv[2] < on_clv[0] and on_clv[3] < 0.01
    # so the win-back offer a lapsed shopper can now get is out of reach of an active one
    policy = OfferPolicy(
        [OfferArm("FREESHIP", "amount", 8, 49), OfferArm("COMEBACK30", "amount", 30, 150)], rule
    )
    assert [a.code for a in policy.eligible_arms(values["active"])] == ["FREESHIP"]
    assert [a.code for a in policy.eligible_arms(values["lapsed"])] == ["FREESHIP", "COMEBACK30"]


def test_with_fitted_cdnow_models_value_still_counts():
    """At the same recency, a shopper of two purchases gets less room than one of ten."""
    rule = MarginRule()
    frequent, occasional = _cdnow_value(20.0, frequency=10), _cdnow_value(20.0, frequency=2)
    assert occasional.p_alive > frequent.p_alive  # two purchases, then quiet: not much evidence of dropout
    assert rule.cap(occasional) < rule.cap(frequent)
    one_time = _cdnow_value(0.0, frequency=0, spend=0.0)  # BG/NBD: P(alive) = 1 for one-time buyers
    assert one_time.p_alive == 1.0 and rule.budget(one_time) < rule.budget(frequent)


def test_rank_customers_puts_valuable_at_risk_first():
    customers = {
        "loyal_rich": CustomerValue(clv=4900.0, p_alive=0.98, order_value=200.0, retained_clv=5000.0),
        "lapsing_rich": CustomerValue(clv=600.0, p_alive=0.2, order_value=200.0, retained_clv=3000.0),
        "lapsing_poor": CustomerValue(clv=10.0, p_alive=0.1, order_value=50.0, retained_clv=100.0),
    }
    # value at risk = CLV if retained × (1 − P(alive)): 2400, 100, 90
    assert rank_customers(customers) == ["lapsing_rich", "loyal_rich", "lapsing_poor"]
    assert customers["lapsing_rich"].value_at_risk == pytest.approx(2400.0)
    assert customers["lapsing_rich"].at_risk and not customers["loyal_rich"].at_risk


def test_unknown_retained_value_is_the_cautious_clv():
    value = CustomerValue(clv=500.0, p_alive=0.1, order_value=50.0)
    assert value.value_if_retained == 500.0
    assert MarginRule().cap(value) == pytest.approx(0.2 * 0.3 * 500.0)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"clv": -1.0, "p_alive": 0.5, "order_value": 10.0}, "clv"),
        ({"clv": 1.0, "p_alive": 1.5, "order_value": 10.0}, "p_alive"),
        ({"clv": float("nan"), "p_alive": 0.5, "order_value": 10.0}, "clv"),
        ({"clv": 1.0, "p_alive": 0.5, "order_value": -3.0}, "order_value"),
        ({"clv": 100.0, "p_alive": 0.5, "order_value": 10.0, "retained_clv": 50.0}, "retained_clv"),
        ({"clv": 1.0, "p_alive": 0.5, "order_value": 10.0, "retained_clv": float("inf")}, "retained_clv"),
    ],
)
def test_bad_customer_values_are_clear_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        CustomerValue(**kwargs)


def test_bad_arms_and_rules_are_clear_errors():
    with pytest.raises(ValueError, match="discount_type"):
        OfferArm("X", "bogo", 1)
    with pytest.raises(ValueError, match="exceeds 100"):
        OfferArm("X", "percent", 120)
    with pytest.raises(ValueError, match="max_margin_share"):
        MarginRule(max_margin_share=1.5)
    with pytest.raises(ValueError, match="unique"):
        OfferPolicy([ARMS[0], ARMS[0]])
    with pytest.raises(ValueError, match="unknown offer code"):
        OfferPolicy(ARMS).record("new", "NOPE", True)


def test_arm_from_contract_offer_dict():
    arm = OfferArm.from_offer(
        {
            "code": "COMEBACK30",
            "discount_type": "amount",
            "discount_value": 30,
            "min_spend": 150,
            "segment": "at_risk",
        }
    )
    assert arm == OfferArm("COMEBACK30", "amount", 30.0, 150.0)
    assert np.isinf(OfferArm("P", "percent", 10).nominal_max) and arm.nominal_max == 30.0
