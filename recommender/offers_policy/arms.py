"""Offer arms: the discounts the policy chooses between, what each costs and what it earns."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .constants import DISCOUNT_TYPES, PERCENT


@dataclass(frozen=True)
class OfferArm:
    """One offer, with the fields of the contracts' Offer (discount in CNY or percent)."""

    code: str
    discount_type: str
    discount_value: float
    min_spend: float = 0.0

    def __post_init__(self) -> None:
        if not self.code:
            raise ValueError("an offer needs a code")
        if self.discount_type not in DISCOUNT_TYPES:
            raise ValueError(f"discount_type must be one of {DISCOUNT_TYPES}, got {self.discount_type!r}")
        for name in ("discount_value", "min_spend"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or math.isnan(value) or value < 0:
                raise ValueError(f"{name} of offer {self.code!r} must be a number >= 0, got {value!r}")
        if self.discount_type == "percent" and self.discount_value > PERCENT:
            raise ValueError(f"percent discount of offer {self.code!r} exceeds 100: {self.discount_value}")

    @classmethod
    def from_offer(cls, offer: Mapping[str, Any]) -> OfferArm:
        """Build from an Offer dict (code, discount_type, discount_value, min_spend)."""
        return cls(
            code=str(offer.get("code") or ""),
            discount_type=str(offer.get("discount_type") or ""),
            discount_value=float(offer.get("discount_value", 0)),
            min_spend=float(offer.get("min_spend") or 0),
        )

    def order_value(self, expected_order: float) -> float:
        """Value of the order that redeems the offer: at least min_spend (the offer requires it)."""
        return max(float(expected_order), self.min_spend)

    def cost(self, order_value: float) -> float:
        """Value given away on an order: the amount, or the percent of the order (at least min_spend)."""
        if self.discount_type == "amount":
            return float(self.discount_value)
        return self.discount_value / PERCENT * self.order_value(order_value)

    def net_value(self, order_value: float, margin_rate: float) -> float:
        """Profit of an accepted offer: margin of the redeeming order minus the discount.

        The order is at least min_spend; the result is negative when the discount is larger
        than the order's margin.
        """
        return margin_rate * self.order_value(order_value) - self.cost(order_value)

    @property
    def nominal_max(self) -> float:
        """Most this offer can take off any order by its own terms (inf for a percent offer)."""
        return float(self.discount_value) if self.discount_type == "amount" else math.inf

    def discount_on(self, order_total: float) -> float:
        """Discount on a real order of ``order_total``: 0 below min_spend, never more than the order."""
        total = max(float(order_total), 0.0)
        if total < self.min_spend:
            return 0.0
        if self.discount_type == "amount":
            return min(float(self.discount_value), total)
        return self.discount_value / PERCENT * total
