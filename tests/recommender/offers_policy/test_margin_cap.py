"""The margin cap is never exceeded, and at-risk valuable customers are favoured."""

from __future__ import annotations

import random

import pytest

from recommender.offers_policy import CustomerValue, MarginRule, OfferArm, OfferPolicy, rank_customers

ARMS = [
    OfferArm("FREESHIP", "amount", 8, 49),
    OfferArm("TEN", "amount", 10, 59),
    OfferArm("PCT15", "percent", 15, 99),
    OfferArm("PCT40", "percent", 40, 0),
    OfferArm("BIG100", "amount", 100, 500),
]


def test_cap_never_exceeded_on_random_customers_and_rules():
    rng = random.Random(2024)
    granted = 0
    for trial in range(3000):
        rule = MarginRule(
            max_margin_share=rng.uniform(0, 1), margin_rate=rng.uniform(0, 1), loyal_share=rng.uniform(0, 1)
        )
        customer = CustomerValue(
            clv=rng.choice([0.0, rng.uniform(0, 50), rng.uniform(0, 10_000)]),
            p_alive=rng.uniform(0, 1),
            order_value=rng.uniform(0, 1_000),
        )
        policy = OfferPolicy(ARMS, rule, seed=trial)
        decision = policy.choose(rng.choice(["new", "at_risk"]), customer)
        cap = rule.max_margin_share * rule.margin_rate * customer.clv  # the rule, restated
        for arm in policy.eligible_arms(customer):
            assert arm.cost(customer.order_value) <= cap + 1e-9
        if decision is not None:
            granted += 1
            assert decision.cost <= decision.budget <= decision.cap + 1e-9
            assert decision.cap == pytest.approx(cap)
    assert granted > 500  # the check exercised real offers, not only refusals


def test_zero_clv_gets_no_offer():
    policy = OfferPolicy(ARMS, seed=1)
    assert policy.choose("new", CustomerValue(clv=0.0, p_alive=0.1, order_value=100.0)) is None


def test_percent_cost_uses_min_spend_floor():
    assert OfferArm("PCT15", "percent", 15, 99).cost(50.0) == pytest.approx(0.15 * 99)
    assert OfferArm("PCT15", "percent", 15, 99).cost(200.0) == pytest.approx(30.0)
    assert OfferArm("TEN", "amount", 10, 59).cost(1000.0) == 10.0


def test_at_risk_customer_gets_a_larger_budget_than_a_loyal_one_of_equal_value():
    rule = MarginRule(max_margin_share=0.2, margin_rate=0.3, loyal_share=0.25)
    loyal = CustomerValue(clv=2000.0, p_alive=0.95, order_value=150.0)
    at_risk = CustomerValue(clv=2000.0, p_alive=0.2, order_value=150.0)
    # cap = 0.2 * 0.3 * 2000 = 120; budget = 120 * (0.25 + 0.75 * (1 - p_alive))
    assert rule.cap(loyal) == pytest.approx(120.0)
    assert rule.budget(loyal) == pytest.approx(120.0 * (0.25 + 0.75 * 0.05))
    assert rule.budget(at_risk) == pytest.approx(120.0 * (0.25 + 0.75 * 0.8))
    policy = OfferPolicy(ARMS, rule)
    assert {a.code for a in policy.eligible_arms(loyal)} < {a.code for a in policy.eligible_arms(at_risk)}


def test_rank_customers_puts_valuable_at_risk_first():
    customers = {
        "loyal_rich": CustomerValue(clv=5000.0, p_alive=0.98, order_value=200.0),
        "lapsing_rich": CustomerValue(clv=3000.0, p_alive=0.2, order_value=200.0),
        "lapsing_poor": CustomerValue(clv=100.0, p_alive=0.1, order_value=50.0),
    }
    assert rank_customers(customers) == ["lapsing_rich", "loyal_rich", "lapsing_poor"]
    assert customers["lapsing_rich"].at_risk and not customers["loyal_rich"].at_risk


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"clv": -1.0, "p_alive": 0.5, "order_value": 10.0}, "clv"),
        ({"clv": 1.0, "p_alive": 1.5, "order_value": 10.0}, "p_alive"),
        ({"clv": float("nan"), "p_alive": 0.5, "order_value": 10.0}, "clv"),
        ({"clv": 1.0, "p_alive": 0.5, "order_value": -3.0}, "order_value"),
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
