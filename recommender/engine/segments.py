"""RFM segmentation: recency, frequency, monetary quintile scores → readable segments."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pandas as pd

from .constants import RFM_BINS

REQUIRED_ORDER_COLUMNS = ("shopper_id", "order_id", "amount", "ordered_at")
OUTPUT_COLUMNS = ["shopper_id", "recency_days", "frequency", "monetary", "segment"]


def _utc(value: datetime | pd.Series) -> pd.Timestamp | pd.Series:
    """Naive timestamps are taken as UTC, aware ones converted to UTC."""
    if isinstance(value, pd.Series):
        parsed = pd.to_datetime(value, errors="coerce")
        if parsed.dt.tz is None:
            return parsed.dt.tz_localize(timezone.utc)
        return parsed.dt.tz_convert(timezone.utc)
    stamp = pd.Timestamp(value)
    return stamp.tz_localize(timezone.utc) if stamp.tzinfo is None else stamp.tz_convert(timezone.utc)


def quantile_scores(values: pd.Series, higher_is_better: bool = True, bins: int = RFM_BINS) -> pd.Series:
    """Score 1..bins by percentile rank; ties share the average rank."""
    ranks = (values if higher_is_better else -values).rank(method="average", pct=True)
    return np.ceil(ranks * bins).clip(1, bins).astype(int)


def segment_name(r: int, f: int, m: int, frequency: int) -> str:
    """Segment of one shopper from R, F, M scores (1..5, 5 best) and order count.

    Rules, first match wins:
    new — a single, recent order (R ≥ 4);
    loyal_high_spender — R ≥ 3, F ≥ 4 and M ≥ 4;
    at_risk — gone quiet (R ≤ 2) after buying often or much (F ≥ 3 or M ≥ 3);
    hibernating — gone quiet, little history;
    promising — recent (R ≥ 4) but not yet loyal;
    regular — everyone else.
    """
    if frequency <= 1 and r >= 4:
        return "new"
    if r >= 3 and f >= 4 and m >= 4:
        return "loyal_high_spender"
    if r <= 2 and (f >= 3 or m >= 3):
        return "at_risk"
    if r <= 2:
        return "hibernating"
    if r >= 4:
        return "promising"
    return "regular"


def rfm_segments(orders: pd.DataFrame, now: datetime) -> pd.DataFrame:
    """One row per shopper: recency_days, frequency, monetary and segment.

    Parameters
    ----------
    orders : DataFrame with columns shopper_id, order_id, amount, ordered_at
        One row per order (or order line: amounts are summed, orders counted once).
    now : datetime
        Reference time for recency (naive means UTC).
    """
    missing = [column for column in REQUIRED_ORDER_COLUMNS if column not in orders.columns]
    if missing:
        raise ValueError(f"orders: required column(s) missing: {', '.join(missing)}")
    if orders.empty:
        return pd.DataFrame({column: [] for column in OUTPUT_COLUMNS})
    frame = orders.assign(
        ordered_at=_utc(orders["ordered_at"]),
        amount=pd.to_numeric(orders["amount"], errors="coerce").fillna(0.0),
        shopper_id=orders["shopper_id"].astype(str),
    )
    if frame["ordered_at"].isna().any():
        raise ValueError("orders: ordered_at must be a date/time in every row")
    grouped = frame.groupby("shopper_id", sort=True)
    table = pd.DataFrame(
        {
            "recency_days": (_utc(now) - grouped["ordered_at"].max()).dt.days.clip(lower=0),
            "frequency": grouped["order_id"].nunique(),
            "monetary": grouped["amount"].sum().astype(float),
        }
    ).reset_index()
    r = quantile_scores(table["recency_days"], higher_is_better=False)
    f = quantile_scores(table["frequency"])
    m = quantile_scores(table["monetary"])
    table["segment"] = [
        segment_name(int(ri), int(fi), int(mi), int(freq))
        for ri, fi, mi, freq in zip(r, f, m, table["frequency"], strict=True)
    ]
    return table[OUTPUT_COLUMNS]
