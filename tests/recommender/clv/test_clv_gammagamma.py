"""Gamma-Gamma: recovery of known parameters, the published CDNOW fit, spend and CLV."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from clv_testdata import TRUE_GAMMA_GAMMA

from recommender.clv import BetaGeoModel, GammaGammaModel

# Fader & Hardie (2013) on the 946 CDNOW sample customers with a repeat purchase (SOURCE.md).
PUBLISHED = {"p": 6.25, "q": 3.74, "v": 15.44}
PUBLISHED_LL = -4055.9177


def test_recovers_known_parameters(synthetic_summary: pd.DataFrame) -> None:
    params = GammaGammaModel().fit(synthetic_summary).params_
    for name, true in TRUE_GAMMA_GAMMA.items():
        assert params[name] == pytest.approx(true, rel=0.15), name


def test_cdnow_parameters_match_published(cdnow_spend: pd.DataFrame) -> None:
    model = GammaGammaModel().fit(cdnow_spend)
    assert model.n_customers_ == 946
    for name, published in PUBLISHED.items():
        assert f"{model.params_[name]:.3g}" == f"{published:.3g}", name
    assert model.params_["v"] == pytest.approx(15.44, abs=0.01)
    assert model.log_likelihood_ == pytest.approx(PUBLISHED_LL, abs=0.01)


def test_expected_spend_shrinks_towards_the_population_mean() -> None:
    model = GammaGammaModel.from_params(**PUBLISHED)
    population = model.expected_population_spend()
    frame = pd.DataFrame({"frequency": [0, 1, 10, 100], "monetary_value": [0.0, 100.0, 100.0, 100.0]})
    spend = model.expected_customer_spend(frame)
    assert spend[0] == pytest.approx(population)
    assert population < spend[1] < spend[2] < spend[3] < 100.0   # more evidence, closer to z̄


def test_clv_is_the_discounted_sum_of_expected_purchases_times_spend() -> None:
    purchases = BetaGeoModel.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    spend = GammaGammaModel.from_params(**PUBLISHED)
    frame = pd.DataFrame({"frequency": [2, 0], "recency": [30.43, 0.0], "T": [38.86, 20.0],
                          "monetary_value": [22.35, 0.0]})
    clv = spend.expected_customer_lifetime_value(purchases, frame, periods=3, period_length=4.0,
                                                 discount_rate=0.1, margin=0.5)
    cumulative = [purchases.expected_purchases(frame, 4.0 * i) for i in range(4)]
    manual = sum((cumulative[i] - cumulative[i - 1]) / 1.1**i for i in range(1, 4))
    np.testing.assert_allclose(clv, 0.5 * spend.expected_customer_spend(frame) * manual)
    cheaper_money = spend.expected_customer_lifetime_value(purchases, frame, periods=3, period_length=4.0,
                                                           discount_rate=0.0, margin=0.5)
    assert (cheaper_money > clv).all()


def test_missing_column_is_named() -> None:
    with pytest.raises(ValueError, match="required column 'monetary_value' missing"):
        GammaGammaModel().fit(pd.DataFrame({"frequency": [1, 2]}))


def test_needs_repeat_customers_and_positive_spend() -> None:
    with pytest.raises(ValueError, match="frequency > 0"):
        GammaGammaModel().fit(pd.DataFrame({"frequency": [0, 0], "monetary_value": [0.0, 0.0]}))
    with pytest.raises(ValueError, match="'monetary_value' must be >= 0"):
        GammaGammaModel().fit(pd.DataFrame({"frequency": [1, 2], "monetary_value": [10.0, -1.0]}))
    free = pd.DataFrame({"frequency": [1, 2, 3], "monetary_value": [10.0, 0.0, 30.0]})
    assert GammaGammaModel().fit(free).n_customers_ == 2         # a free repeat carries no density
