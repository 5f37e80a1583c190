"""Raw transaction log → per-customer summary (frequency, recency, T, monetary value).

Follows Fader, Hardie & Lee (2005): purchases on the same day are one purchase
occasion; the first occasion is the "trial", ``frequency`` counts the repeat
occasions, ``recency`` is the time from the first to the last occasion, ``T`` the time
from the first occasion to the end of the calibration period, all in model units
(``unit_days``, weeks by default). ``monetary_value`` is the mean value of the repeat
occasions (0 for a customer without one), the z̄ of the Gamma-Gamma model.
Vectorised with numpy: one stable sort of the log, no per-customer Python loop.

Examples
--------
>>> summary = summarise_transactions(log, observation_end="1997-09-30")
>>> cal = calibration_and_holdout(log, calibration_end="1997-09-30", observation_end="1998-06-30")
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .constants import (
    AMOUNT,
    CUSTOMER_ID,
    DATE,
    DURATION_HOLDOUT,
    FREQUENCY,
    FREQUENCY_HOLDOUT,
    MONETARY_VALUE,
    RECENCY,
    TOTAL_SPEND,
    UNIT_DAYS,
    T,
)
from .validation import numeric_column, require_columns

NANOSECONDS_PER_DAY = 86_400 * 10**9


@dataclass(frozen=True)
class _Occasions:
    """Purchase occasions (one per customer and day), sorted by customer then day."""

    customer_codes: np.ndarray  # int, index into ``customers``
    customers: pd.Index
    days: np.ndarray  # int64 days since the epoch
    amounts: np.ndarray


def _parse_dates(values: pd.Series, what: str) -> np.ndarray:
    """Dates (datetime-like, ISO strings or yyyymmdd integers) as int64 days since the epoch."""
    if pd.api.types.is_integer_dtype(values):
        ymd = values.to_numpy(dtype=np.int64)
        parsed = pd.to_datetime(pd.DataFrame({"year": ymd // 10_000, "month": ymd // 100 % 100,
                                              "day": ymd % 100}), errors="coerce")
    elif pd.api.types.is_datetime64_any_dtype(values):
        parsed = values
    else:  # ISO 8601 text is parsed fast; anything else element by element
        parsed = pd.to_datetime(values, errors="coerce", format="ISO8601")
        if parsed.isna().any():
            parsed = pd.to_datetime(values, errors="coerce", format="mixed")
    if parsed.isna().any():
        raise ValueError(f"{what}: column '{DATE}' must be a date in every row")
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_convert("UTC").dt.tz_localize(None)
    return parsed.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)


def _to_day(value: str | pd.Timestamp | np.datetime64) -> int:
    """A cut-off date as days since the epoch (the whole day is included)."""
    return int(np.datetime64(pd.Timestamp(value).normalize().to_datetime64(), "D").astype(np.int64))


def _occasions(transactions: pd.DataFrame, customer_col: str, date_col: str, amount_col: str | None,
               what: str) -> _Occasions:
    """Collapse the log to one row per (customer, day), amounts summed."""
    columns = [customer_col, date_col] + ([amount_col] if amount_col else [])
    require_columns(transactions, columns, what)
    codes, customers = pd.factorize(transactions[customer_col], sort=True)
    if (codes < 0).any():
        raise ValueError(f"{what}: column '{customer_col}' must not be empty")
    days = _parse_dates(transactions[date_col].rename(DATE), what)
    amounts = (numeric_column(transactions, amount_col, what) if amount_col
               else np.zeros(len(transactions)))
    first_day = days.min() if days.size else 0
    key = codes.astype(np.int64) * (int(days.max() - first_day) + 1 if days.size else 1) + (days - first_day)
    order = np.argsort(key, kind="stable")
    key = key[order]
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if key.size else np.array([], dtype=int)
    summed = np.add.reduceat(amounts[order], starts) if key.size else np.array([])
    return _Occasions(codes[order][starts], pd.Index(customers), days[order][starts], summed)


def _per_customer(occ: _Occasions, end_day: int, unit_days: float) -> tuple[pd.DataFrame, np.ndarray]:
    """frequency / recency / T / monetary_value from occasions up to ``end_day`` inclusive,
    and the customer codes of the rows."""
    keep = occ.days <= end_day
    codes, days, amounts = occ.customer_codes[keep], occ.days[keep], occ.amounts[keep]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if codes.size else np.array([], int)
    ends = np.r_[starts[1:], codes.size] - 1
    count = ends - starts + 1
    first, last = days[starts], days[ends]
    total_spend = np.add.reduceat(amounts, starts) if codes.size else np.array([])
    repeat_spend = total_spend - amounts[starts] if codes.size else np.array([])
    frequency = count - 1
    monetary = np.divide(repeat_spend, frequency, out=np.zeros(frequency.size), where=frequency > 0)
    frame = pd.DataFrame(
        {FREQUENCY: frequency.astype(np.int64), RECENCY: (last - first) / unit_days,
         T: (end_day - first) / unit_days, MONETARY_VALUE: monetary, TOTAL_SPEND: total_spend},
        index=pd.Index(occ.customers[codes[starts]], name=CUSTOMER_ID),
    )
    return frame, codes[starts]


def summarise_transactions(
    transactions: pd.DataFrame, *, observation_end: str | pd.Timestamp | None = None,
    customer_col: str = CUSTOMER_ID, date_col: str = DATE, amount_col: str | None = AMOUNT,
    unit_days: float = UNIT_DAYS,
) -> pd.DataFrame:
    """One row per customer (index ``customer_id``): frequency, recency, T, monetary_value, total_spend.

    Parameters
    ----------
    transactions : DataFrame with columns customer_id, date and (unless ``amount_col`` is
        None) amount. Dates may be datetimes, ISO strings or yyyymmdd integers.
    observation_end : last day of the observation (calibration) period, inclusive;
        default the last date in the log. Later transactions are ignored, and so are
        customers whose first purchase is later.
    unit_days : length of one model time unit in days (7: weeks, as in the paper).
    """
    occ = _occasions(transactions, customer_col, date_col, amount_col, "summarise_transactions")
    end_day = int(occ.days.max()) if observation_end is None and occ.days.size else _to_day(observation_end)
    return _per_customer(occ, end_day, unit_days)[0]


def calibration_and_holdout(
    transactions: pd.DataFrame, *, calibration_end: str | pd.Timestamp,
    observation_end: str | pd.Timestamp | None = None, customer_col: str = CUSTOMER_ID,
    date_col: str = DATE, amount_col: str | None = AMOUNT, unit_days: float = UNIT_DAYS,
) -> pd.DataFrame:
    """Calibration summary plus what happened next, as the paper splits CDNOW (39 + 39 weeks).

    Adds ``frequency_holdout`` (purchase occasions in (calibration_end, observation_end])
    and ``duration_holdout`` (the holdout length in model units) to the calibration
    columns, for every customer whose first purchase falls in the calibration period.
    """
    what = "calibration_and_holdout"
    occ = _occasions(transactions, customer_col, date_col, amount_col, what)
    cal_day = _to_day(calibration_end)
    end_day = int(occ.days.max()) if observation_end is None else _to_day(observation_end)
    if end_day <= cal_day:
        raise ValueError(f"{what}: observation_end must be after calibration_end")
    summary, codes = _per_customer(occ, cal_day, unit_days)
    holdout = (occ.days > cal_day) & (occ.days <= end_day)
    counts = np.bincount(occ.customer_codes[holdout], minlength=len(occ.customers))
    summary[FREQUENCY_HOLDOUT] = counts[codes]
    summary[DURATION_HOLDOUT] = (end_day - cal_day) / unit_days
    return summary
