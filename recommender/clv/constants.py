"""Defaults of the customer-value models, kept in one place.

Time in the models is measured in *periods* of ``UNIT_DAYS`` days (weeks, as in
Fader, Hardie & Lee 2005); money in the currency of the transaction log.
"""

from __future__ import annotations

import numpy as np

#: Length of one model time unit in days (the BG/NBD paper works in weeks).
UNIT_DAYS = 7.0
#: Transactions on the same calendar period (a day) are one purchase occasion.
AGGREGATION_PERIOD = "D"

# Column names of a raw transaction log and of the per-customer summary.
CUSTOMER_ID = "customer_id"
DATE = "date"
AMOUNT = "amount"
FREQUENCY = "frequency"
RECENCY = "recency"
T = "T"
MONETARY_VALUE = "monetary_value"
TOTAL_SPEND = "total_spend"
FREQUENCY_HOLDOUT = "frequency_holdout"
DURATION_HOLDOUT = "duration_holdout"
SUMMARY_COLUMNS = (FREQUENCY, RECENCY, T, MONETARY_VALUE)

# Maximum-likelihood fitting.
#: Parameters are optimised on the log scale (they must stay positive); start at 1.
INITIAL_LOG_PARAMS = 0.0
MAX_ITER = 500
#: Gradient tolerance of L-BFGS-B on the mean (per-customer) negative log-likelihood.
GTOL = 1e-9
FTOL = 1e-15
#: Bounds of the log-parameters: exp(±LOG_BOUND) keeps the optimiser out of overflow.
LOG_BOUND = 12.0

# Customer lifetime value.
#: Number of discounting steps, the length of one step in model units (a month of weeks),
#: and the discount rate per step (lifetimes' defaults: 12 monthly steps at 1 %).
CLV_PERIODS = 12
CLV_PERIOD_LENGTH = 365.25 / 12 / UNIT_DAYS
CLV_DISCOUNT_RATE = 0.01

# RFM + K-means segmentation.
SEGMENT_CLUSTERS = 6
SEGMENT_SEED = 42
SEGMENT_N_INIT = 4
#: OpenMP threads for K-means: three features are cheap, and on a busy machine more
#: threads spin-wait (measured 20x slower with 2 threads than 1 on 23,570 customers).
SEGMENT_THREADS = 1
#: Segment codes (same vocabulary as the engine's rule-based RFM segments) and labels.
SEGMENT_LABELS = {
    "loyal_high_spender": "loyal high spender",
    "at_risk": "at risk",
    "new": "new",
    "promising": "promising",
    "hibernating": "hibernating",
    "regular": "regular",
}
#: Percentile thresholds (0..1) of a cluster's median against the whole population.
HIGH_SCORE = 0.6
LOW_SCORE = 0.4

#: Smallest positive float used to keep logarithms finite.
TINY = np.finfo(float).tiny
