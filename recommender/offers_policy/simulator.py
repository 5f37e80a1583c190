"""A shop simulator with a known most profitable offer per segment, to measure a policy's regret.

Each round a segment is drawn, then a customer of that segment (CLV if retained,
P(alive) and expected order value uniform in the segment's ranges; CLV = P(alive) ×
CLV if retained, as in BG/NBD); the policy proposes an offer and the customer accepts
with the segment's true rate for that offer. What an offer earns is its expected profit:
true acceptance × (margin of the redeeming order − discount). Regret of a round is the
expected profit of the most profitable offer the policy was allowed to make minus that of
the one it made (expected, so the curve is not noise; in CNY); a round with no allowed
offer has none. An accepted offer is applied to a real order drawn around the expected
one (log-normal), to check that the discount stays within the grant's cap.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .arms import OfferArm
from .constants import DEFAULT_MARGIN_RATE
from .policy import OfferDecision, OfferPolicy
from .value import CustomerValue

#: Spread (log-scale standard deviation) of a real order around the expected one.
ORDER_SPREAD = 0.6


@dataclass(frozen=True)
class SegmentProfile:
    """True behaviour of one segment: acceptance rate per offer code and customer ranges."""

    name: str
    accept_rates: Mapping[str, float]
    retained_clv: tuple[float, float]
    p_alive: tuple[float, float]
    order_value: tuple[float, float]
    weight: float = 1.0

    @property
    def typical_order(self) -> float:
        """Middle of the segment's expected order values."""
        return float(np.mean(self.order_value))

    @property
    def most_accepted(self) -> str:
        """The offer with the highest true acceptance rate (ties: first in the mapping)."""
        return max(self.accept_rates, key=lambda code: self.accept_rates[code])


@dataclass
class SimulationResult:
    """Per-round record of one run."""

    segments: list[str] = field(default_factory=list)
    chosen: list[str | None] = field(default_factory=list)
    accepted: list[bool] = field(default_factory=list)
    regret: list[float] = field(default_factory=list)
    profit: list[float] = field(default_factory=list)  # expected profit of the offer made
    best_allowed: list[str | None] = field(default_factory=list)
    max_cost_to_cap: float = 0.0  # highest cost on the expected order / cap seen (must stay <= 1)
    max_discount_to_cap: float = 0.0  # highest discount on a real order / cap seen (must stay <= 1)
    uncapped_over_cap: int = (
        0  # accepted offers whose own terms would have exceeded the cap on the real order
    )

    def cumulative_regret(self) -> np.ndarray:
        """Running sum of the per-round regret."""
        return np.cumsum(np.asarray(self.regret, dtype=float))

    def best_arm_share(self, segment: str, last: int | None = None) -> float:
        """Share of the segment's rounds (optionally only its `last` ones) where the best allowed arm was chosen."""
        picks = [
            chosen == best
            for seg, chosen, best in zip(self.segments, self.chosen, self.best_allowed, strict=True)
            if seg == segment and best is not None
        ]
        picks = picks[-last:] if last else picks
        return float(np.mean(picks)) if picks else float("nan")


class OfferSimulator:
    """Draws customers and answers from known segment profiles (seeded).

    margin_rate : the shop's gross margin on orders, which prices what an accept earns
        (the policies under test should use the same rate in their MarginRule).
    """

    def __init__(
        self,
        arms: Sequence[OfferArm],
        profiles: Sequence[SegmentProfile],
        seed: int = 0,
        margin_rate: float = DEFAULT_MARGIN_RATE,
    ) -> None:
        codes = {arm.code for arm in arms}
        for profile in profiles:
            unknown = set(profile.accept_rates) ^ codes
            if unknown:
                raise ValueError(
                    f"segment {profile.name!r} rates must cover exactly the arms; differ on {sorted(unknown)}"
                )
            if not all(0.0 <= rate <= 1.0 for rate in profile.accept_rates.values()):
                raise ValueError(f"segment {profile.name!r} has a rate outside [0, 1]")
        if not profiles:
            raise ValueError("the simulator needs at least one segment profile")
        self.arms = tuple(arms)
        self.profiles = tuple(profiles)
        self.seed = seed
        self.margin_rate = margin_rate
        weights = np.array([profile.weight for profile in profiles], dtype=float)
        self._weights = weights / weights.sum()

    def expected_profit(self, profile: SegmentProfile, arm: OfferArm, order_value: float) -> float:
        """True acceptance × (margin of the redeeming order − discount)."""
        return profile.accept_rates[arm.code] * arm.net_value(order_value, self.margin_rate)

    def best_code(self, profile: SegmentProfile, order_value: float | None = None) -> str:
        """The known best offer of a segment: the most profitable at its typical order (all offers allowed)."""
        value = profile.typical_order if order_value is None else order_value
        return max(self.arms, key=lambda arm: self.expected_profit(profile, arm, value)).code

    def _customer(self, rng: np.random.Generator, profile: SegmentProfile) -> CustomerValue:
        retained = float(rng.uniform(*profile.retained_clv))
        p_alive = float(rng.uniform(*profile.p_alive))
        return CustomerValue(
            clv=retained * p_alive,
            p_alive=p_alive,
            order_value=float(rng.uniform(*profile.order_value)),
            retained_clv=retained,
        )

    def run(self, policy: OfferPolicy, rounds: int) -> SimulationResult:
        """Play `rounds` rounds against `policy`, which learns as it goes."""
        if rounds < 0:
            raise ValueError(f"rounds must be >= 0, got {rounds}")
        rng = np.random.default_rng(self.seed)
        result = SimulationResult()
        for _ in range(rounds):
            profile = self.profiles[int(rng.choice(len(self.profiles), p=self._weights))]
            customer = self._customer(rng, profile)
            allowed = policy.eligible_arms(customer)
            answer = float(rng.random())  # drawn every round so runs stay aligned across policies
            real_order = customer.order_value * float(rng.lognormal(0.0, ORDER_SPREAD))
            decision = policy.choose(profile.name, customer)
            result.segments.append(profile.name)
            if decision is None:
                result.chosen.append(None)
                result.best_allowed.append(None)
                result.accepted.append(False)
                result.regret.append(0.0)
                result.profit.append(0.0)
                continue
            profits = {arm.code: self.expected_profit(profile, arm, customer.order_value) for arm in allowed}
            best = max(profits, key=lambda code: profits[code])
            accepted = answer < profile.accept_rates[decision.arm.code]
            policy.record(profile.name, decision.arm.code, accepted)
            result.chosen.append(decision.arm.code)
            result.best_allowed.append(best)
            result.accepted.append(accepted)
            result.regret.append(profits[best] - profits[decision.arm.code])
            result.profit.append(profits[decision.arm.code])
            if accepted:
                self._check_discount(result, decision, real_order)
            if decision.cap > 0:
                result.max_cost_to_cap = max(result.max_cost_to_cap, decision.cost / decision.cap)
            elif decision.cost > 0:
                result.max_cost_to_cap = float("inf")
        return result

    @staticmethod
    def _check_discount(result: SimulationResult, decision: OfferDecision, real_order: float) -> None:
        """Apply the accepted grant to the real order and record how close it came to the cap."""
        discount = decision.discount_on(real_order)
        cap = decision.cap
        if decision.arm.discount_on(real_order) > cap:
            result.uncapped_over_cap += 1
        if cap > 0:
            result.max_discount_to_cap = max(result.max_discount_to_cap, discount / cap)
        elif discount > 0:
            result.max_discount_to_cap = float("inf")
