"""Fixtures of the CLV tests: the CDNOW files from ../shared/datasets (skipped when absent)
and a synthetic customer base simulated from known parameters."""

from __future__ import annotations

import pandas as pd
import pytest
from clv_testdata import SYNTHETIC_CUSTOMERS, TRUE_BGNBD, TRUE_GAMMA_GAMMA, cdnow_file

from recommender.clv import simulate_customers


@pytest.fixture(scope="session")
def cdnow_summary() -> pd.DataFrame:
    """The paper's 2,357-customer calibration sample: ID, frequency, recency, T (weeks)."""
    return pd.read_csv(cdnow_file("cdnow_customers_summary.csv"))


@pytest.fixture(scope="session")
def cdnow_spend() -> pd.DataFrame:
    """The same customers with zbar (mean repeat-transaction value), renamed to our columns."""
    frame = pd.read_csv(cdnow_file("cdnow_customers_summary_with_transactions.csv"))
    return frame.rename(columns={"x": "frequency", "t_x": "recency", "zbar": "monetary_value"})


@pytest.fixture(scope="session")
def cdnow_sample_log() -> pd.DataFrame:
    """The raw transactions of the 2,357 sample customers (CDNOW_sample.txt, no header)."""
    return pd.read_csv(cdnow_file("CDNOW_sample.txt"), sep=r"\s+", header=None,
                       names=["master_id", "customer_id", "date", "cds", "amount"])


@pytest.fixture(scope="session")
def synthetic_summary() -> pd.DataFrame:
    """Exact (continuous-time) summary of customers drawn from TRUE_BGNBD / TRUE_GAMMA_GAMMA."""
    return simulate_customers(SYNTHETIC_CUSTOMERS, bgnbd=TRUE_BGNBD, gamma_gamma=TRUE_GAMMA_GAMMA,
                              seed=7).summary()
