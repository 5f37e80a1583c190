"""The learning offer policy: margin-capped arms, at-risk preference, Thompson sampling on profit."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .arms import OfferArm
from .constants import DEFAULT_SEED
from .thompson import BetaThompson
from .value import CustomerValue, MarginRule


@dataclass(frozen=True)
class Grant:
    """An offer as granted to one shopper: its terms, and the most it takes off any order.

    This is what an accepted offer is worth at checkout, whether the grant was just decided
    (:class:`OfferDecision`) or read back from storage when the shopper orders.
    """

    arm: OfferArm
    max_discount: float

    def discount_on(self, order_total: float, margin_rate: float | None = None) -> float:
        """Discount on a real order: the offer's terms (0 below min_spend), capped at ``max_discount``
        and never more than the order.

        With ``margin_rate`` it is also never more than that order's margin (``margin_rate`` ×
        the total): a no-minimum coupon worth more than a small order's margin would otherwise
        make that order lose money, whatever the shopper's expected order was.
        """
        total = max(float(order_total), 0.0)
        ceiling = total if margin_rate is None else min(total, max(float(margin_rate), 0.0) * total)
        return max(min(self.arm.discount_on(total), float(self.max_discount), ceiling), 0.0)


@dataclass(frozen=True)
class OfferDecision:
    """The offer granted to one customer, with the numbers that allowed it.

    ``max_discount`` is part of the grant: whatever order the shopper finally places,
    :meth:`discount_on` never takes more than it off, and it is never above ``budget``
    (so never above ``cap``). A percent offer priced at the expected order could otherwise
    exceed the cap on a much larger real order.
    """

    segment: str
    arm: OfferArm
    cost: float  # discount value on the expected order
    budget: float  # what this customer may get now
    cap: float  # share of expected margin never exceeded (cost <= max_discount <= budget <= cap)
    max_discount: float  # most this grant takes off any order: min(the offer's own maximum, budget)
    net_value: float  # margin of the expected redeeming order minus the discount
    sampled_rate: float  # the Thompson draw of the acceptance rate of the chosen offer

    @property
    def sampled_profit(self) -> float:
        """The score that won: sampled acceptance × net value."""
        return self.sampled_rate * self.net_value

    @property
    def grant(self) -> Grant:
        """What the shopper holds if they accept: the offer's terms capped at ``max_discount``."""
        return Grant(self.arm, self.max_discount)

    def discount_on(self, order_total: float, margin_rate: float | None = None) -> float:
        """Discount this grant gives on a real order: the offer's terms, capped at ``max_discount``
        (and at the order's margin with ``margin_rate``: :meth:`Grant.discount_on`)."""
        return self.grant.discount_on(order_total, margin_rate)


class OfferPolicy:
    """Choose one offer per customer and learn from the answer.

    An arm is eligible when its cost on the customer's expected order fits the budget
    of :class:`MarginRule` (hence never above the cap). Among eligible arms, Thompson
    sampling picks the one with the highest expected profit: a draw from the segment's
    acceptance posterior of each arm times the arm's net value (margin of the redeeming
    order minus the discount), so the policy learns which offer earns most, not which is
    taken most. ``record`` feeds back accept / decline. No eligible arm means no offer (``None``).
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
        """Arms whose cost fits this customer's budget and that earn something when accepted
        (an offer whose discount exceeds the order's margin loses money: no offer beats it),
        in the given order."""
        budget = self.margin_rule.budget(customer)
        return [
            arm
            for arm in self.arms
            if arm.cost(customer.order_value) <= budget and self.net_value(arm, customer) > 0
        ]

    def net_value(self, arm: OfferArm, customer: CustomerValue) -> float:
        """What an accept of `arm` earns on this customer's expected order."""
        return arm.net_value(customer.order_value, self.margin_rule.margin_rate)

    def _pick(self, segment: str, arms: list[OfferArm], customer: CustomerValue) -> tuple[OfferArm, float]:
        values = [self.net_value(arm, customer) for arm in arms]
        code, rate = self.bandit.choose(segment, [arm.code for arm in arms], values)
        return self._by_code[code], rate

    def choose(self, segment: str, customer: CustomerValue) -> OfferDecision | None:
        """The offer for this customer in `segment`, or None when no offer fits the margin."""
        arms = self.eligible_arms(customer)
        if not arms:
            return None
        arm, rate = self._pick(segment, arms, customer)
        budget = self.margin_rule.budget(customer)
        return OfferDecision(
            segment=segment,
            arm=arm,
            cost=arm.cost(customer.order_value),
            budget=budget,
            cap=self.margin_rule.cap(customer),
            max_discount=self.margin_rule.max_discount(arm, customer),
            net_value=self.net_value(arm, customer),
            sampled_rate=rate,
        )

    def record(self, segment: str, code: str, accepted: bool) -> None:
        """Learn from the shopper's answer to offer `code`."""
        if code not in self._by_code:
            raise ValueError(f"unknown offer code {code!r}; known: {sorted(self._by_code)}")
        self.bandit.update(segment, code, bool(accepted))

    def best_guess(
        self, segment: str, codes: Iterable[str] | None = None, customer: CustomerValue | None = None
    ) -> str:
        """The arm with the highest posterior mean acceptance in `segment` (no sampling);
        with a customer, the highest posterior mean × net value on that customer's order."""
        candidates = list(codes) if codes is not None else [arm.code for arm in self.arms]
        scores = [self.bandit.mean(segment, code) for code in candidates]
        if customer is not None:
            scores = [
                s * self.net_value(self._by_code[c], customer)
                for s, c in zip(scores, candidates, strict=True)
            ]
        return candidates[int(np.argmax(scores))]


class UniformRandomPolicy(OfferPolicy):
    """Baseline that never learns: a uniformly random eligible arm (same margin rule)."""

    def __init__(
        self, arms: Sequence[OfferArm], margin_rule: MarginRule | None = None, seed: int | None = DEFAULT_SEED
    ) -> None:
        super().__init__(arms, margin_rule, seed)
        self._rng = np.random.default_rng(seed)

    def _pick(self, segment: str, arms: list[OfferArm], customer: CustomerValue) -> tuple[OfferArm, float]:
        return arms[int(self._rng.integers(len(arms)))], math.nan
