"""A shop simulator with a known best offer per segment, to measure a policy's regret.

Each round a segment is drawn, then a customer of that segment (CLV, P(alive), order
value uniform in the segment's ranges); the policy proposes an offer and the customer
accepts with the segment's true rate for that offer. Regret of a round is the true rate
of the best offer the policy was allowed to make minus the true rate of the one it
made (expected, so the curve is not noise); a round with no allowed offer has none.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .arms import OfferArm
from .policy import OfferPolicy
from .value import CustomerValue


@dataclass(frozen=True)
class SegmentProfile:
    """True behaviour of one segment: acceptance rate per offer code and customer ranges."""

    name: str
    accept_rates: Mapping[str, float]
    clv: tuple[float, float]
    p_alive: tuple[float, float]
    order_value: tuple[float, float]
    weight: float = 1.0

    @property
    def best_code(self) -> str:
        """The offer with the highest true acceptance rate (ties: first in the mapping)."""
        return max(self.accept_rates, key=lambda code: self.accept_rates[code])


@dataclass
class SimulationResult:
    """Per-round record of one run."""

    segments: list[str] = field(default_factory=list)
    chosen: list[str | None] = field(default_factory=list)
    accepted: list[bool] = field(default_factory=list)
    regret: list[float] = field(default_factory=list)
    best_allowed: list[str | None] = field(default_factory=list)
    max_cost_to_cap: float = 0.0  # highest cost / cap seen (must stay <= 1)

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
    """Draws customers and answers from known segment profiles (seeded)."""

    def __init__(self, arms: Sequence[OfferArm], profiles: Sequence[SegmentProfile], seed: int = 0) -> None:
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
        weights = np.array([profile.weight for profile in profiles], dtype=float)
        self._weights = weights / weights.sum()

    def _customer(self, rng: np.random.Generator, profile: SegmentProfile) -> CustomerValue:
        return CustomerValue(
            clv=float(rng.uniform(*profile.clv)),
            p_alive=float(rng.uniform(*profile.p_alive)),
            order_value=float(rng.uniform(*profile.order_value)),
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
            decision = policy.choose(profile.name, customer)
            result.segments.append(profile.name)
            if decision is None:
                result.chosen.append(None)
                result.best_allowed.append(None)
                result.accepted.append(False)
                result.regret.append(0.0)
                continue
            rates = profile.accept_rates
            best = max((arm.code for arm in allowed), key=lambda code: rates[code])
            accepted = answer < rates[decision.arm.code]
            policy.record(profile.name, decision.arm.code, accepted)
            result.chosen.append(decision.arm.code)
            result.best_allowed.append(best)
            result.accepted.append(accepted)
            result.regret.append(rates[best] - rates[decision.arm.code])
            if decision.cap > 0:
                result.max_cost_to_cap = max(result.max_cost_to_cap, decision.cost / decision.cap)
            elif decision.cost > 0:
                result.max_cost_to_cap = float("inf")
        return result
