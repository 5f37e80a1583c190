"""Input checks shared by the CLV modules: every error names the offending column."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd


def require_columns(data: pd.DataFrame, columns: Iterable[str], what: str = "data") -> None:
    """Raise ``ValueError("<what>: required column 'X' missing")`` for the first absent column."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"{what}: expected a pandas DataFrame, got {type(data).__name__}")
    for column in columns:
        if column not in data.columns:
            raise ValueError(f"{what}: required column '{column}' missing")


def numeric_column(data: pd.DataFrame, column: str, what: str = "data") -> np.ndarray:
    """A column as a float array; non-numeric, missing or infinite values are an error."""
    values = pd.to_numeric(data[column], errors="coerce").to_numpy(dtype=float)
    if not np.isfinite(values).all():
        raise ValueError(f"{what}: column '{column}' must be a finite number in every row")
    return values


def rfm_arrays(
    data: pd.DataFrame, what: str = "data", *, frequency: str = "frequency", recency: str = "recency",
    age: str = "T",
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Validated ``(frequency, recency, T)`` arrays of a customer summary.

    frequency is a whole number >= 0, 0 <= recency <= T, recency = 0 when frequency = 0.
    """
    require_columns(data, (frequency, recency, age), what)
    x = numeric_column(data, frequency, what)
    t_x = numeric_column(data, recency, what)
    big_t = numeric_column(data, age, what)
    if (x < 0).any() or (x != np.round(x)).any():
        raise ValueError(f"{what}: column '{frequency}' must be a whole number >= 0")
    if (t_x < 0).any() or (t_x > big_t * (1 + 1e-9) + 1e-9).any():
        raise ValueError(f"{what}: column '{recency}' must lie between 0 and '{age}'")
    if (big_t < 0).any():
        raise ValueError(f"{what}: column '{age}' must be >= 0")
    if ((x == 0) & (t_x > 0)).any():
        raise ValueError(f"{what}: column '{recency}' must be 0 where '{frequency}' is 0")
    return x, t_x, big_t
