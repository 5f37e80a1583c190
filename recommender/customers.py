"""Customer value for the live service: CLV, P(alive) and segments fitted on the orders table.

Fitted with every engine refit (``service.RankingService.refit``), from the orders of
all shoppers (amounts paid in CNY, total − discount, one purchase occasion per shopper and day):

- BG/NBD (purchase frequency, P(alive)) and Gamma-Gamma (spend), by maximum likelihood
  (``recommender.clv``); CLV is the discounted margin-free revenue of the next 12 months,
  and CLV if retained (``CustomerValue.retained_clv``) the same revenue if the shopper is
  still alive: CLV / P(alive), exact for BG/NBD, whose expected purchases are P(alive) ×
  the purchases expected while alive. It depends on how many purchases a shopper made and
  since when, not on how long ago the last one was, which is what lets the offer policy
  give a lapsing shopper who used to buy a lot more room than an active one;
- segments: RFM + K-means (``recommender.clv.RFMSegmenter``) when there are enough
  shoppers to cluster, the clusters named with the fitted P(alive) (a cluster whose median
  shopper is probably gone is ``at_risk`` or ``hibernating``, never ``promising``), else
  the rule-based RFM quintiles of ``engine.segments``.

A shopper who has no orders (or has not consented to personalisation) is valued as a
new customer of the fitted population: BG/NBD's expected purchases of a new customer over
the same discounted 12-month horizon as everyone's CLV, times the population's mean spend,
with P(alive) 1. When the models cannot be fitted
(too few shoppers, degenerate data) ``fitted`` is False and every shopper gets the
population fallback built from the raw order totals, so offers stay margin-capped.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd

from recommender.offers_policy import CustomerValue

logger = logging.getLogger(__name__)

#: Fewer shoppers with orders than this: no model fit (the estimates would be noise).
MIN_CLV_CUSTOMERS = 20
#: K-means needs several shoppers per cluster to give stable segment names.
MIN_KMEANS_CUSTOMERS = 60
#: Fallback order value when there are no orders at all (CNY): a typical small basket.
FALLBACK_ORDER_VALUE = 100.0
#: Horizon of the buy-again (churn) probability, in days.
BUY_HORIZON_DAYS = 90


@dataclass(frozen=True)
class CustomerValues:
    """Per-shopper value and segment, plus the value of an unknown (new) shopper."""

    values: dict[str, CustomerValue] = field(default_factory=dict)
    segments: dict[str, str] = field(default_factory=dict)
    default: CustomerValue = field(
        default_factory=lambda: CustomerValue(clv=0.0, p_alive=1.0, order_value=FALLBACK_ORDER_VALUE)
    )
    fitted: bool = False  # True when BG/NBD and Gamma-Gamma were fitted
    segmenter: str = "none"  # "kmeans", "quintiles" or "none"
    #: P(at least one purchase in the next BUY_HORIZON_DAYS) per shopper, from BG/NBD
    #: (``clv.churn.probability_buy_within``); empty when the models were not fitted
    p_buy: dict[str, float] = field(default_factory=dict)

    def value_of(self, shopper_id: str | None) -> CustomerValue:
        """The shopper's value, or the new-customer default."""
        if shopper_id is None:
            return self.default
        return self.values.get(shopper_id, self.default)


def _transactions(orders: pd.DataFrame) -> pd.DataFrame:
    """Orders frame (shopper_id, order_id, amount, ordered_at) → CLV transaction log."""
    dates = pd.to_datetime(orders["ordered_at"], utc=True).dt.tz_localize(None)
    return pd.DataFrame(
        {
            "customer_id": orders["shopper_id"].astype(str),
            "date": dates.dt.normalize(),
            "amount": orders["amount"].astype(float).clip(lower=0.0),
        }
    )


def _discounted_new_purchases(purchases: object) -> float:
    """Expected purchases of a new customer over the CLV horizon, discounted per period as
    every known shopper's are (``_discounted_purchases``), so their values compare."""
    from recommender.clv.constants import CLV_DISCOUNT_RATE, CLV_PERIOD_LENGTH, CLV_PERIODS

    value = previous = 0.0
    for step in range(1, CLV_PERIODS + 1):
        cumulative = float(purchases.expected_purchases_new_customer(step * CLV_PERIOD_LENGTH))  # type: ignore[attr-defined]
        value += (cumulative - previous) / (1 + CLV_DISCOUNT_RATE) ** step
        previous = cumulative
    return value


def _discounted_purchases(purchases: object, summary: pd.DataFrame) -> np.ndarray:
    """Expected purchases of each shopper over the CLV horizon, discounted per period.

    The same sum as ``GammaGammaModel.expected_customer_lifetime_value`` with a spend of 1.
    """
    from recommender.clv.constants import CLV_DISCOUNT_RATE, CLV_PERIOD_LENGTH, CLV_PERIODS

    value = np.zeros(len(summary))
    previous = np.zeros(len(summary))
    for step in range(1, CLV_PERIODS + 1):
        cumulative = purchases.expected_purchases(summary, step * CLV_PERIOD_LENGTH)  # type: ignore[attr-defined]
        value += (cumulative - previous) / (1 + CLV_DISCOUNT_RATE) ** step
        previous = cumulative
    return value


def _fallback(orders: pd.DataFrame) -> CustomerValues:
    """No model: every shopper valued at their historic spend, P(alive) unknown (0.5).

    Without a model there is no CLV if retained either: it is the same historic spend, so
    the cap stays a share of the margin the shopper has actually brought.
    """
    mean_order = float(orders["amount"].mean()) if len(orders) else FALLBACK_ORDER_VALUE
    mean_order = mean_order if math.isfinite(mean_order) and mean_order > 0 else FALLBACK_ORDER_VALUE
    default = CustomerValue(clv=mean_order, p_alive=1.0, order_value=mean_order)
    values = {}
    if len(orders):
        per_shopper = orders.groupby(orders["shopper_id"].astype(str))["amount"].agg(["mean", "sum"])
        for shopper, row in per_shopper.iterrows():
            order_value = float(row["mean"]) if row["mean"] > 0 else mean_order
            values[str(shopper)] = CustomerValue(
                clv=float(row["sum"]), p_alive=0.5, order_value=order_value, retained_clv=float(row["sum"])
            )
    return CustomerValues(values=values, default=default, fitted=False)


def _segments(
    orders: pd.DataFrame, summary: pd.DataFrame | None, now: datetime, p_alive: np.ndarray | None = None
) -> tuple[dict[str, str], str]:
    """RFM + K-means (named with P(alive) when fitted) when there are enough shoppers, else RFM quintiles."""
    if summary is not None and len(summary) >= MIN_KMEANS_CUSTOMERS:
        from recommender.clv import RFMSegmenter

        try:
            labels = RFMSegmenter().fit(summary, p_alive=p_alive).labels_
            return {str(k): str(v) for k, v in labels.items()}, "kmeans"
        except ValueError:
            logger.exception("RFM + K-means failed; falling back to RFM quintiles")
    if not len(orders):
        return {}, "none"
    from recommender.engine.segments import rfm_segments

    table = rfm_segments(orders, now)
    return dict(zip(table["shopper_id"].astype(str), table["segment"].astype(str), strict=True)), "quintiles"


def _retained(clv: np.ndarray, alive: np.ndarray) -> np.ndarray:
    """CLV if alive: CLV / P(alive) (BG/NBD: expected purchases = P(alive) × purchases if alive).

    P(alive) is at least ~1e-304 for BG/NBD (the dropout odds are clamped), so the ratio is
    finite; an exact 0 (a degenerate input) keeps CLV, and the result is never below CLV.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(alive > 0, clv / np.where(alive > 0, alive, 1.0), clv)
    return np.maximum(np.where(np.isfinite(ratio), ratio, clv), clv)


def _unfitted(orders: pd.DataFrame, summary: pd.DataFrame, now: datetime) -> CustomerValues:
    """Order-average values and segments without P(alive) (the models could not be fitted)."""
    segments, segmenter = _segments(orders, summary, now)
    result = _fallback(orders)
    return CustomerValues(result.values, segments, result.default, False, segmenter)


def fit_customer_values(orders: pd.DataFrame, now: datetime) -> CustomerValues:
    """Fit CLV models and segments on the orders table (see the module docstring)."""
    if not len(orders):
        return _fallback(orders)
    from recommender.clv import BetaGeoModel, FitError, GammaGammaModel, summarise_transactions
    from recommender.clv.churn import probability_buy_within
    from recommender.clv.constants import UNIT_DAYS

    log = _transactions(orders)
    end = pd.Timestamp(now)
    end = (end.tz_convert("UTC").tz_localize(None) if end.tzinfo else end).normalize()
    end = max(end, log["date"].max())
    summary = summarise_transactions(log, observation_end=end)
    if len(summary) < MIN_CLV_CUSTOMERS or int((summary["frequency"] > 0).sum()) < 2:
        return _unfitted(orders, summary, now)
    try:
        with np.errstate(all="ignore"):
            purchases = BetaGeoModel().fit(summary)
            alive = purchases.expected_probability_alive(summary)
            p_buy = probability_buy_within(purchases, summary, BUY_HORIZON_DAYS / UNIT_DAYS)
            new_purchases = _discounted_new_purchases(purchases)
            spend = GammaGammaModel().fit(summary)
            if spend.params_["q"] > 1:
                order_value = spend.expected_customer_spend(summary)
                clv = spend.expected_customer_lifetime_value(purchases, summary)
                population_spend = spend.expected_population_spend()
            else:
                # q <= 1: the fitted spend distribution has no finite mean (a few very large
                # orders, e.g. fund purchases). Use each shopper's own mean order instead.
                logger.info(
                    "Gamma-Gamma q=%.3f <= 1; CLV uses observed mean order values", spend.params_["q"]
                )
                order_value = summary["total_spend"].to_numpy(float) / (
                    summary["frequency"].to_numpy(float) + 1
                )
                clv = _discounted_purchases(purchases, summary) * order_value
                population_spend = float(orders["amount"].mean())
    except (FitError, ValueError, FloatingPointError, RuntimeError) as exc:
        logger.warning("CLV models could not be fitted (%s); using order averages", exc)
        return _unfitted(orders, summary, now)
    good = np.isfinite(clv) & np.isfinite(alive) & np.isfinite(order_value)
    if not good.all() or not math.isfinite(new_purchases) or not math.isfinite(population_spend):
        logger.warning("CLV models gave non-finite values; using order averages")
        return _unfitted(orders, summary, now)
    alive = np.clip(alive, 0.0, 1.0)
    clv = np.maximum(clv, 0.0)
    retained = _retained(clv, alive)
    segments, segmenter = _segments(orders, summary, now, alive)
    values = {
        str(shopper): CustomerValue(
            clv=float(c), p_alive=float(a), order_value=max(float(m), 0.0), retained_clv=float(k)
        )
        for shopper, c, a, m, k in zip(summary.index, clv, alive, order_value, retained, strict=True)
    }
    new_clv = max(new_purchases * population_spend, 0.0)
    default = CustomerValue(
        clv=new_clv, p_alive=1.0, order_value=max(population_spend, 0.0), retained_clv=new_clv
    )
    buy = {str(shopper): float(p) for shopper, p in zip(summary.index, np.nan_to_num(p_buy), strict=True)}
    return CustomerValues(values, segments, default, True, segmenter, buy)
