"""Offer arms: the discounts the policy chooses between, and what each costs."""

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

    def cost(self, order_value: float) -> float:
        """Value given away on an order: the amount, or the percent of the order (at least min_spend)."""
        if self.discount_type == "amount":
            return float(self.discount_value)
        return self.discount_value / PERCENT * max(float(order_value), self.min_spend)
