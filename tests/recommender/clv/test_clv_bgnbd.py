"""BG/NBD: recovery of known parameters, the published CDNOW fit, predictions, validation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from clv_testdata import TRUE_BGNBD

from recommender.clv import BetaGeoModel

# Fader, Hardie & Lee (2005) on the CDNOW calibration sample (SOURCE.md).
PUBLISHED = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_LL = -9582.4
# E[X(t)] of a new customer (lifetimes' test against Hardie's spreadsheet), t in weeks.
EXPECTED_T = [0.1429, 1, 3, 31.8571, 32, 78]
EXPECTED_X = [0.0078, 0.0532, 0.1506, 1.0405, 1.0437, 1.8576]


def _sig3(value: float) -> float:
    return float(f"{value:.3g}")


def test_recovers_known_parameters(synthetic_summary: pd.DataFrame) -> None:
    params = BetaGeoModel().fit(synthetic_summary).params_
    for name, true in TRUE_BGNBD.items():
        assert params[name] == pytest.approx(true, rel=0.10), name


@pytest.fixture(scope="module")
def cdnow_model(cdnow_summary: pd.DataFrame) -> BetaGeoModel:
    return BetaGeoModel().fit(cdnow_summary)


def test_cdnow_parameters_match_published_to_three_significant_figures(cdnow_model: BetaGeoModel) -> None:
    for name, published in PUBLISHED.items():
        assert _sig3(cdnow_model.params_[name]) == _sig3(published), name
    assert cdnow_model.log_likelihood_ == pytest.approx(PUBLISHED_LL, abs=0.05)
    assert cdnow_model.n_customers_ == 2357


def test_cdnow_expected_purchases_of_a_new_customer(cdnow_model: BetaGeoModel) -> None:
    actual = cdnow_model.expected_purchases_new_customer(np.array(EXPECTED_T))
    # decimal=3 as numpy counts it: the 78-week value from the spreadsheet is 1.8576, the
    # exact hypergeometric series gives 1.8580 (both 1.86 to three significant figures).
    np.testing.assert_array_almost_equal(actual, EXPECTED_X, decimal=3)
    # The others match to the four decimals given.
    np.testing.assert_array_equal(np.round(actual[:-1], 4), EXPECTED_X[:-1])


def test_cdnow_conditional_expectation_of_customer_one(cdnow_model: BetaGeoModel) -> None:
    customer = pd.DataFrame({"frequency": [2], "recency": [30.43], "T": [38.86]})
    assert cdnow_model.expected_purchases(customer, 39)[0] == pytest.approx(1.226, abs=5e-4)


def test_probability_alive_behaves() -> None:
    model = BetaGeoModel.from_params(**PUBLISHED)
    frame = pd.DataFrame({"frequency": [0, 3, 3, 3], "recency": [0.0, 30.0, 10.0, 10.0],
                          "T": [38.0, 38.0, 38.0, 60.0]})
    alive = model.expected_probability_alive(frame)
    assert alive[0] == 1.0                     # no repeat purchase: never observed dropping out
    assert alive[1] > alive[2] > alive[3]      # longer silence, lower P(alive)
    assert ((alive > 0) & (alive <= 1)).all()
    purchases = model.expected_purchases(frame, 10)
    assert purchases[1] > purchases[2] > purchases[3] > 0


def test_expected_purchases_grow_with_the_horizon() -> None:
    model = BetaGeoModel.from_params(**PUBLISHED)
    values = model.expected_purchases_new_customer(np.array([1.0, 10.0, 100.0]))
    assert np.all(np.diff(values) > 0)


def test_missing_column_is_named() -> None:
    with pytest.raises(ValueError, match="required column 'recency' missing"):
        BetaGeoModel().fit(pd.DataFrame({"frequency": [1], "T": [3.0]}))


def test_invalid_values_are_rejected() -> None:
    with pytest.raises(ValueError, match="'recency' must lie between 0 and 'T'"):
        BetaGeoModel().fit(pd.DataFrame({"frequency": [1], "recency": [5.0], "T": [3.0]}))
    with pytest.raises(ValueError, match="'frequency' must be a whole number"):
        BetaGeoModel().fit(pd.DataFrame({"frequency": [1.5], "recency": [1.0], "T": [3.0]}))
    with pytest.raises(RuntimeError, match="fit"):
        BetaGeoModel().expected_purchases_new_customer(1.0)
