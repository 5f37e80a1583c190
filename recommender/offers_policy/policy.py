"""The learning offer policy: margin-capped arms, at-risk preference, Thompson sampling per segment."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .arms import OfferArm
from .constants import DEFAULT_SEED
from .thompson import BetaThompson
from .value import CustomerValue, MarginRule


@dataclass(frozen=True)
class OfferDecision:
    """The offer chosen for one customer, with the numbers that allowed it."""

    segment: str
    arm: OfferArm
    cost: float  # discount value on the expected order
    budget: float  # what this customer may get now
    cap: float  # share of expected margin never exceeded (cost <= budget <= cap)
    sampled_rate: float  # the Thompson draw that won


class OfferPolicy:
    """Choose one offer per customer and learn from the answer.

    An arm is eligible when its cost on the customer's expected order fits the budget
    of :class:`MarginRule` (hence never above the cap). Among eligible arms, Thompson
    sampling on the segment's acceptance posteriors picks one; ``record`` feeds back
    accept / decline. No eligible arm means no offer (``None``).
    """

    def __init__(
        self,
        arms: Sequence[OfferArm],
        margin_rule: MarginRule | None = None,
        seed: int | None = DEFAULT_SEED,
    ) -> None:
        if not arms:
            raise ValueError("an offer policy needs at least one arm")
        codes = [arm.code for arm in arms]
        if len(set(codes)) != len(codes):
            raise ValueError(f"offer codes must be unique, got {codes}")
        self.arms = tuple(arms)
        self.margin_rule = margin_rule or MarginRule()
        self.seed = seed
        self.bandit = BetaThompson(seed)
        self._by_code = {arm.code: arm for arm in self.arms}

    def eligible_arms(self, customer: CustomerValue) -> list[OfferArm]:
        """Arms whose cost fits this customer's budget, in the given order."""
        budget = self.margin_rule.budget(customer)
        return [arm for arm in self.arms if arm.cost(customer.order_value) <= budget]

    def _pick(self, segment: str, arms: list[OfferArm]) -> tuple[OfferArm, float]:
        code, rate = self.bandit.choose(segment, [arm.code for arm in arms])
        return self._by_code[code], rate

    def choose(self, segment: str, customer: CustomerValue) -> OfferDecision | None:
        """The offer for this customer in `segment`, or None when no offer fits the margin."""
        arms = self.eligible_arms(customer)
        if not arms:
            return None
        arm, rate = self._pick(segment, arms)
        return OfferDecision(
            segment=segment,
            arm=arm,
            cost=arm.cost(customer.order_value),
            budget=self.margin_rule.budget(customer),
            cap=self.margin_rule.cap(customer),
            sampled_rate=rate,
        )

    def record(self, segment: str, code: str, accepted: bool) -> None:
        """Learn from the shopper's answer to offer `code`."""
        if code not in self._by_code:
            raise ValueError(f"unknown offer code {code!r}; known: {sorted(self._by_code)}")
        self.bandit.update(segment, code, bool(accepted))

    def best_guess(self, segment: str, codes: Iterable[str] | None = None) -> str:
        """The arm with the highest posterior mean in `segment` (no sampling)."""
        candidates = list(codes) if codes is not None else [arm.code for arm in self.arms]
        means = [self.bandit.mean(segment, code) for code in candidates]
        return candidates[int(np.argmax(means))]


class UniformRandomPolicy(OfferPolicy):
    """Baseline that never learns: a uniformly random eligible arm (same margin rule)."""

    def __init__(
        self, arms: Sequence[OfferArm], margin_rule: MarginRule | None = None, seed: int | None = DEFAULT_SEED
    ) -> None:
        super().__init__(arms, margin_rule, seed)
        self._rng = np.random.default_rng(seed)

    def _pick(self, segment: str, arms: list[OfferArm]) -> tuple[OfferArm, float]:
        return arms[int(self._rng.integers(len(arms)))], float("nan")
