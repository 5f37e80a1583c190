"""Churn / buy-again prediction: the BG/NBD closed form against simulation, and the
cross-validated classifiers on simulated and CDNOW customers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from clv_testdata import TRUE_BGNBD, cdnow_file

from recommender.clv import BetaGeoModel, calibration_and_holdout, churn, simulate_customers

CALIBRATION_END = "2024-07-01"  # half of the simulated year (the start is 2024-01-01)


@pytest.fixture(scope="module")
def simulated() -> pd.DataFrame:
    """20,000 customers from known BG/NBD parameters: 26 weeks of calibration, 26 of holdout."""
    log = simulate_customers(20_000, bgnbd=TRUE_BGNBD, observation_days=364, seed=11).transactions()
    return calibration_and_holdout(log, calibration_end=CALIBRATION_END)


def test_closed_form_matches_the_share_that_bought_in_the_simulation(simulated: pd.DataFrame) -> None:
    truth = BetaGeoModel.from_params(**TRUE_BGNBD)
    horizon = float(simulated["duration_holdout"].iloc[0])
    predicted = churn.probability_buy_within(truth, simulated, horizon)
    observed = churn.buy_again_labels(simulated)
    # overall, and among customers with no repeat yet vs with several (different formula branches)
    assert predicted.mean() == pytest.approx(observed.mean(), abs=0.01)
    for mask in (simulated["frequency"] == 0, simulated["frequency"] >= 3):
        assert predicted[mask].mean() == pytest.approx(observed[mask].mean(), abs=0.025)


def test_closed_form_limits() -> None:
    model = BetaGeoModel.from_params(**TRUE_BGNBD)
    one = pd.DataFrame({"frequency": [0, 4], "recency": [0.0, 5.0], "T": [30.0, 30.0]})
    assert np.all(churn.probability_buy_within(model, one, 0.0) == 0.0)
    # over an endless horizon, everyone still alive buys again: the limit is P(alive)
    np.testing.assert_allclose(
        churn.probability_buy_within(model, one, 1e40), model.expected_probability_alive(one), rtol=1e-6
    )
    # no repeat purchase: P(alive) = 1 and the NBD's P(at least one arrival) remains
    r, alpha = TRUE_BGNBD["r"], TRUE_BGNBD["alpha"]
    expected = 1 - ((alpha + 30.0) / (alpha + 30.0 + 10.0)) ** r
    assert churn.probability_buy_within(model, one.iloc[:1], 10.0)[0] == pytest.approx(expected)


def test_cross_validation_beats_the_majority_class(simulated: pd.DataFrame) -> None:
    scores = churn.cross_validate_buyers(simulated, folds=3)
    assert set(scores) == {"bgnbd", "majority_class", "logistic_regression", "decision_tree", "random_forest"}
    floor = scores["majority_class"]
    assert floor["roc_auc"] == 0.5 and floor["f1"] == 0.0
    for name in ("bgnbd", "logistic_regression", "decision_tree", "random_forest"):
        assert scores[name]["roc_auc"] > 0.65, name
        assert scores[name]["f1"] > 0.3, name
        assert scores[name]["accuracy"] > floor["accuracy"], name
    # data drawn from BG/NBD itself: the fitted BG/NBD is the right model, and a classifier
    # trained on the labels can at best match it
    for name in ("logistic_regression", "decision_tree", "random_forest"):
        assert scores[name]["roc_auc"] < scores["bgnbd"]["roc_auc"] + 0.01, name


def test_out_of_fold_probabilities_cover_every_customer(simulated: pd.DataFrame) -> None:
    probabilities = churn.cross_validated_probabilities(simulated.iloc[:3000], folds=3)
    assert probabilities.index.equals(simulated.index[:3000])
    assert probabilities.notna().all().all()
    assert ((probabilities >= 0) & (probabilities <= 1)).all().all()


def test_bad_inputs_are_clear_errors(simulated: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="frequency_holdout"):
        churn.cross_validate_buyers(simulated.drop(columns=["frequency_holdout"]))
    with pytest.raises(ValueError, match="folds must be >= 2"):
        churn.cross_validate_buyers(simulated, folds=1)
    nobody_bought = simulated.assign(frequency_holdout=0)
    with pytest.raises(ValueError, match="churned customers"):
        churn.cross_validate_buyers(nobody_bought)
    with pytest.raises(RuntimeError, match="fit the BetaGeoModel"):
        churn.probability_buy_within(BetaGeoModel(), simulated, 1.0)


def test_cdnow_buy_again_prediction() -> None:
    """CDNOW_master (23,570 customers): 39 weeks of calibration, 39 of holdout, as in the paper."""
    from benchmarks.clv import read_cdnow_master

    log = read_cdnow_master(cdnow_file("CDNOW_master.txt"))
    summary = calibration_and_holdout(log, calibration_end="1997-09-30", observation_end="1998-06-30")
    scores = churn.cross_validate_buyers(
        summary, classifiers={"logistic_regression": churn.default_classifiers()["logistic_regression"]}
    )
    floor = scores["majority_class"]["accuracy"]
    assert floor == pytest.approx(1 - churn.buy_again_labels(summary).mean())  # 70 % never came back
    for name in ("bgnbd", "logistic_regression"):
        assert scores[name]["roc_auc"] > 0.72, name
        assert scores[name]["accuracy"] > floor + 0.05, name
    # learning from the labels recovers more of the returning buyers than the untrained model
    assert scores["logistic_regression"]["recall"] > scores["bgnbd"]["recall"]
