"""Customer value inputs of the offer policy: predicted CLV and P(alive), and what they allow.

CLV and P(alive) come from the CLV models (BG/NBD + Gamma-Gamma) and are passed in;
this package does not fit them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .constants import (
    AT_RISK_P_ALIVE,
    DEFAULT_LOYAL_BUDGET_SHARE,
    DEFAULT_MARGIN_RATE,
    DEFAULT_MAX_MARGIN_SHARE,
)


@dataclass(frozen=True)
class CustomerValue:
    """What the policy knows about one customer.

    clv : predicted customer lifetime value (revenue over the model's horizon, CNY, ≥ 0)
    p_alive : probability the customer is still active, in [0, 1]
    order_value : expected value of the next order (CNY, ≥ 0): prices percent discounts
    """

    clv: float
    p_alive: float
    order_value: float

    def __post_init__(self) -> None:
        for name in ("clv", "p_alive", "order_value"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or math.isnan(value) or math.isinf(value):
                raise ValueError(f"{name} must be a finite number, got {value!r}")
        if self.clv < 0:
            raise ValueError(f"clv must be >= 0, got {self.clv}")
        if not 0.0 <= self.p_alive <= 1.0:
            raise ValueError(f"p_alive must be in [0, 1], got {self.p_alive}")
        if self.order_value < 0:
            raise ValueError(f"order_value must be >= 0, got {self.order_value}")

    @property
    def at_risk(self) -> bool:
        """P(alive) below AT_RISK_P_ALIVE."""
        return self.p_alive < AT_RISK_P_ALIVE

    @property
    def value_at_risk(self) -> float:
        """CLV × (1 − P(alive)): what is lost if the customer lapses; ranks who to win back first."""
        return self.clv * (1.0 - self.p_alive)


@dataclass(frozen=True)
class MarginRule:
    """The hard cap and the at-risk preference.

    cap = max_margin_share × margin_rate × clv (never exceeded);
    budget = cap × (loyal_share + (1 − loyal_share) × (1 − p_alive)), so a customer sure
    to stay gets loyal_share of the cap and a lapsing one nearly all of it.
    """

    max_margin_share: float = DEFAULT_MAX_MARGIN_SHARE
    margin_rate: float = DEFAULT_MARGIN_RATE
    loyal_share: float = DEFAULT_LOYAL_BUDGET_SHARE

    def __post_init__(self) -> None:
        for name in ("max_margin_share", "margin_rate", "loyal_share"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be in [0, 1], got {value}")

    def expected_margin(self, customer: CustomerValue) -> float:
        """Margin the customer is expected to bring: margin_rate × CLV."""
        return self.margin_rate * customer.clv

    def cap(self, customer: CustomerValue) -> float:
        """Largest discount value ever granted to this customer."""
        return self.max_margin_share * self.expected_margin(customer)

    def budget(self, customer: CustomerValue) -> float:
        """Discount value offered now: the cap, scaled up the more the customer is at risk."""
        weight = self.loyal_share + (1.0 - self.loyal_share) * (1.0 - customer.p_alive)
        return min(self.cap(customer), self.cap(customer) * weight)


def rank_customers(customers: dict[str, CustomerValue]) -> list[str]:
    """Customer ids, most valuable at-risk first (value at risk, then CLV, then id)."""
    return sorted(customers, key=lambda cid: (-customers[cid].value_at_risk, -customers[cid].clv, cid))
