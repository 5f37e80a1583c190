"""Offers that learn: margin-capped, at-risk-first offers chosen by Thompson sampling on profit per segment.

    from recommender.offers_policy import CustomerValue, OfferArm, OfferPolicy
    policy = OfferPolicy([OfferArm("COMEBACK30", "amount", 30, 150), ...], seed=42)
    value = CustomerValue(clv=540.0, p_alive=0.3, order_value=160.0, retained_clv=1800.0)
    decision = policy.choose("at_risk", value)   # None when no offer fits the margin cap
    decision.discount_on(order_total)            # never more than decision.max_discount <= cap
    policy.record("at_risk", decision.arm.code, accepted=True)

The cap is a share of the margin of the customer's value if retained (see ``value.py``),
so a lapsing customer who used to buy a lot gets more room than an active one; the bandit
learns acceptance per segment and picks the offer with the highest sampled acceptance ×
(order margin − discount). CLV and P(alive) are inputs (from the CLV models); nothing here
fits them.
"""

from .arms import OfferArm
from .policy import Grant, OfferDecision, OfferPolicy, UniformRandomPolicy
from .simulator import OfferSimulator, SegmentProfile, SimulationResult
from .thompson import BetaThompson
from .value import CustomerValue, MarginRule, rank_customers

__all__ = [
    "BetaThompson",
    "CustomerValue",
    "Grant",
    "MarginRule",
    "OfferArm",
    "OfferDecision",
    "OfferPolicy",
    "OfferSimulator",
    "SegmentProfile",
    "SimulationResult",
    "UniformRandomPolicy",
    "rank_customers",
]
