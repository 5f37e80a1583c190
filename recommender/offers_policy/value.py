"""Customer value inputs of the offer policy, and the margin cap they allow.

CLV and P(alive) come from the CLV models (BG/NBD + Gamma-Gamma) and are passed in;
this package does not fit them.

Why the cap is based on the value *if retained*: BG/NBD's expected purchases are
P(alive) × (purchases expected if alive), so predicted CLV already shrinks as P(alive)
falls. A cap proportional to CLV therefore shrinks for exactly the lapsing customers the
policy should try to win back, and an at-risk bonus on top of it cannot undo that (a
lapsed shopper of ten orders got a smaller budget than an active one). The discount of
a grant is only ever paid on an order, and a shopper who places an order is alive, so
the margin that pays for it is the margin expected from a *retained* customer:
``margin_rate × CLV if retained`` (= CLV / P(alive) for BG/NBD). Two guarantees follow:

1. every grant: discount ≤ max_discount ≤ budget ≤ cap =
   ``max_margin_share × margin_rate × CLV if retained``;
2. in expectation: only a customer who is alive can redeem, so the expected discount paid
   is at most P(alive) × cap = ``max_margin_share × margin_rate × CLV`` — never more than
   the configured share of the (unconditional) expected margin either.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .constants import (
    AT_RISK_P_ALIVE,
    DEFAULT_LOYAL_BUDGET_SHARE,
    DEFAULT_MARGIN_RATE,
    DEFAULT_MAX_MARGIN_SHARE,
    RETAINED_TOLERANCE,
)

if TYPE_CHECKING:
    from .arms import OfferArm


@dataclass(frozen=True)
class CustomerValue:
    """What the policy knows about one customer.

    clv : predicted customer lifetime value (revenue over the model's horizon, CNY, ≥ 0);
        already weighted by the chance that the customer is still alive
    p_alive : probability the customer is still active, in [0, 1]
    order_value : expected value of the next order (CNY, ≥ 0): prices percent discounts
    retained_clv : CLV if the customer is alive (BG/NBD: clv / p_alive), ≥ clv; None when
        unknown, and then taken to be ``clv`` (the cautious choice: no win-back boost)
    """

    clv: float
    p_alive: float
    order_value: float
    retained_clv: float | None = None

    def __post_init__(self) -> None:
        names = ("clv", "p_alive", "order_value") + (() if self.retained_clv is None else ("retained_clv",))
        for name in names:
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or math.isnan(value) or math.isinf(value):
                raise ValueError(f"{name} must be a finite number, got {value!r}")
        if self.clv < 0:
            raise ValueError(f"clv must be >= 0, got {self.clv}")
        if not 0.0 <= self.p_alive <= 1.0:
            raise ValueError(f"p_alive must be in [0, 1], got {self.p_alive}")
        if self.order_value < 0:
            raise ValueError(f"order_value must be >= 0, got {self.order_value}")
        if self.retained_clv is not None and self.retained_clv < self.clv * (1 - RETAINED_TOLERANCE):
            raise ValueError(
                f"retained_clv (CLV if alive, {self.retained_clv}) cannot be below the expected CLV {self.clv}"
            )

    @property
    def value_if_retained(self) -> float:
        """CLV if the customer is (still) alive: ``retained_clv``, or ``clv`` when unknown."""
        return self.clv if self.retained_clv is None else max(self.retained_clv, self.clv)

    @property
    def at_risk(self) -> bool:
        """P(alive) below AT_RISK_P_ALIVE."""
        return self.p_alive < AT_RISK_P_ALIVE

    @property
    def value_at_risk(self) -> float:
        """CLV if retained × (1 − P(alive)): the value lost to churn; ranks who to win back first."""
        return self.value_if_retained * (1.0 - self.p_alive)


@dataclass(frozen=True)
class MarginRule:
    """The hard cap and the at-risk preference.

    expected_margin = margin_rate × CLV if retained (the margin that pays for a redeemed
    discount, see the module docstring); cap = max_margin_share × expected_margin, never
    exceeded; budget = cap × (loyal_share + (1 − loyal_share) × (1 − p_alive)), so a
    customer sure to stay gets loyal_share of the cap and a lapsing one nearly all of it.
    For one customer history (same purchases, same tenure) the value if retained does not
    depend on how long ago the last purchase was, so the budget grows as P(alive) falls.
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
        """Margin the customer brings if retained: margin_rate × CLV if retained."""
        return self.margin_rate * customer.value_if_retained

    def cap(self, customer: CustomerValue) -> float:
        """Largest discount value ever granted to this customer (on any order)."""
        return self.max_margin_share * self.expected_margin(customer)

    def expected_cost_bound(self, customer: CustomerValue) -> float:
        """Upper bound of the expected discount paid: P(alive) × cap (only the living redeem)."""
        return customer.p_alive * self.cap(customer)

    def budget(self, customer: CustomerValue) -> float:
        """Discount value offered now: a share of the cap, larger the more the customer is at risk."""
        weight = self.loyal_share + (1.0 - self.loyal_share) * (1.0 - customer.p_alive)
        return min(self.cap(customer), self.cap(customer) * weight)

    def max_discount(self, arm: OfferArm, customer: CustomerValue) -> float:
        """Most a grant of ``arm`` to this customer may take off any order: the offer's own
        maximum, but never above the budget (so never above the cap)."""
        return min(arm.nominal_max, self.budget(customer))

    def order_margin(self, order_value: float) -> float:
        """Margin of one order before any discount: margin_rate × order value."""
        return self.margin_rate * max(float(order_value), 0.0)


def rank_customers(customers: dict[str, CustomerValue]) -> list[str]:
    """Customer ids, most valuable at-risk first (value at risk, then CLV, then id)."""
    return sorted(customers, key=lambda cid: (-customers[cid].value_at_risk, -customers[cid].clv, cid))
