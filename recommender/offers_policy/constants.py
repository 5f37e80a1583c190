"""Defaults of the learning offer policy (one place, no magic values elsewhere)."""

from __future__ import annotations

#: Never grant a discount worth more than this share of the customer's expected margin.
DEFAULT_MAX_MARGIN_SHARE = 0.2
#: Gross margin rate applied to revenue (predicted CLV, order values) to get the margin.
DEFAULT_MARGIN_RATE = 0.3
#: Share of the cap a customer certain to stay (P(alive) = 1) may get; at-risk ones get up to all of it.
DEFAULT_LOYAL_BUDGET_SHARE = 0.25
#: P(alive) below this marks a customer as at risk.
AT_RISK_P_ALIVE = 0.5
#: Relative slack when checking that CLV if retained is at least the unconditional CLV.
RETAINED_TOLERANCE = 1e-9
#: Beta(1, 1) prior: uniform acceptance rate before any answer.
PRIOR_ALPHA = 1.0
PRIOR_BETA = 1.0
DEFAULT_SEED = 42
DISCOUNT_TYPES = ("percent", "amount")
PERCENT = 100.0
