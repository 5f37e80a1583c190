"""Customer value: BG/NBD purchases and P(alive), Gamma-Gamma spend, CLV, RFM segments.

Pure computation (numpy, scipy, pandas, scikit-learn): no database, no HTTP, no I/O.

Example usage::

    from recommender.clv import (BetaGeoModel, GammaGammaModel, RFMSegmenter,
                                 summarise_transactions)
    summary = summarise_transactions(log)          # columns customer_id, date, amount
    purchases = BetaGeoModel().fit(summary)
    spend = GammaGammaModel().fit(summary)
    clv = spend.expected_customer_lifetime_value(purchases, summary, discount_rate=0.01)
    alive = purchases.expected_probability_alive(summary)
    segments = RFMSegmenter(seed=42).fit(summary).labels_
"""

from .bgnbd import BetaGeoModel
from .data import calibration_and_holdout, summarise_transactions
from .gammagamma import GammaGammaModel
from .optimize import FitError
from .segments import RFMSegmenter, rfm_features
from .synthetic import simulate_customers

__all__ = [
    "BetaGeoModel",
    "FitError",
    "GammaGammaModel",
    "RFMSegmenter",
    "calibration_and_holdout",
    "rfm_features",
    "simulate_customers",
    "summarise_transactions",
]
