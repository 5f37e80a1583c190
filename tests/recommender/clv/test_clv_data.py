"""Transaction log → frequency / recency / T / monetary summary, as the BG/NBD paper builds it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from clv_testdata import cdnow_file

from recommender.clv import calibration_and_holdout, summarise_transactions

LOG = pd.DataFrame({
    "customer_id": ["a", "a", "a", "a", "b", "c", "d"],
    "date": ["2024-01-01", "2024-01-01", "2024-01-08", "2024-01-22", "2024-01-15", "2024-02-10",
             "2024-01-20"],
    "amount": [10.0, 5.0, 20.0, 40.0, 7.0, 99.0, 3.0],
})


def test_summary_of_a_hand_checked_log() -> None:
    summary = summarise_transactions(LOG, observation_end="2024-01-29")
    assert list(summary.index) == ["a", "b", "d"]            # c starts after the end
    a, b = summary.loc["a"], summary.loc["b"]
    # a: two rows on 1 Jan are one occasion (15.0), repeats on 8 and 22 Jan.
    assert (a["frequency"], a["recency"], a["T"]) == (2, 3.0, 4.0)
    assert a["monetary_value"] == 30.0 and a["total_spend"] == 75.0
    assert (b["frequency"], b["recency"], b["T"], b["monetary_value"]) == (0, 0.0, 2.0, 0.0)


def test_calibration_and_holdout_split() -> None:
    split = calibration_and_holdout(LOG, calibration_end="2024-01-15", observation_end="2024-01-29")
    assert list(split.index) == ["a", "b"]                   # d's first purchase is in the holdout
    assert split.loc["a", ["frequency", "recency", "T", "frequency_holdout"]].tolist() == [1, 1.0, 2.0, 1]
    assert split.loc["b", ["frequency", "T", "frequency_holdout"]].tolist() == [0, 0.0, 0]
    assert (split["duration_holdout"] == 2.0).all()
    with pytest.raises(ValueError, match="observation_end must be after calibration_end"):
        calibration_and_holdout(LOG, calibration_end="2024-01-15", observation_end="2024-01-10")


def test_integer_dates_and_no_amount_column() -> None:
    log = pd.DataFrame({"customer_id": [1, 1, 2], "date": [20240101, 20240115, 20240110]})
    summary = summarise_transactions(log, amount_col=None)
    assert summary.loc[1, ["frequency", "recency", "T"]].tolist() == [1, 2.0, 2.0]
    assert summary.loc[2, "T"] == pytest.approx(5 / 7)
    assert (summary["monetary_value"] == 0).all()


def test_missing_column_and_bad_dates_are_named() -> None:
    with pytest.raises(ValueError, match="required column 'amount' missing"):
        summarise_transactions(LOG.drop(columns="amount"))
    with pytest.raises(ValueError, match="required column 'customer_id' missing"):
        summarise_transactions(LOG.rename(columns={"customer_id": "user"}))
    with pytest.raises(ValueError, match="column 'date' must be a date"):
        summarise_transactions(LOG.assign(date=["not a date"] * len(LOG)))
    with pytest.raises(ValueError, match="column 'amount' must be a finite number"):
        summarise_transactions(LOG.assign(amount=["x"] * len(LOG)))


def test_cdnow_sample_log_reproduces_the_published_summary(cdnow_sample_log: pd.DataFrame,
                                                           cdnow_spend: pd.DataFrame) -> None:
    summary = summarise_transactions(cdnow_sample_log, observation_end="1997-09-30")
    published = cdnow_spend.set_index("ID").loc[summary.index]
    assert len(summary) == 2357
    np.testing.assert_array_equal(summary["frequency"], published["frequency"])
    np.testing.assert_array_equal(summary["recency"].round(2), published["recency"])
    np.testing.assert_array_equal(summary["T"].round(2), published["T"])
    # zbar is published rounded to cents
    assert (summary["monetary_value"] - published["monetary_value"]).abs().max() <= 0.005 + 1e-9


def test_cdnow_master_log_size() -> None:
    raw = pd.read_csv(cdnow_file("CDNOW_master.txt"), sep=r"\s+")
    summary = summarise_transactions(raw.rename(columns={"dollar_value": "amount"}))
    assert len(raw) == 69_659 and len(summary) == 23_570
    assert summary["T"].max() == pytest.approx(545 / 7)       # 1997-01-01 .. 1998-06-30
