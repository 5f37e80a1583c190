"""Offers that learn: margin-capped, at-risk-first offers chosen by Thompson sampling per segment.

    from recommender.offers_policy import CustomerValue, OfferArm, OfferPolicy
    policy = OfferPolicy([OfferArm("COMEBACK30", "amount", 30, 150), ...], seed=42)
    decision = policy.choose("at_risk", CustomerValue(clv=1800.0, p_alive=0.3, order_value=160.0))
    policy.record("at_risk", decision.arm.code, accepted=True)

CLV and P(alive) are inputs (from the CLV models); nothing here fits them.
"""

from .arms import OfferArm
from .policy import OfferDecision, OfferPolicy, UniformRandomPolicy
from .simulator import OfferSimulator, SegmentProfile, SimulationResult
from .thompson import BetaThompson
from .value import CustomerValue, MarginRule, rank_customers

__all__ = [
    "BetaThompson",
    "CustomerValue",
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
