"""Churn and purchase-intent prediction: will a customer buy again in the next period?

The seed material names churn prediction and purchase-intent prediction with logistic
regression, decision trees and random forests, judged by accuracy, recall, F1 and
cross-validation. Both are one question asked of a calibration summary
(``calibration_and_holdout``): does the customer make at least one purchase in the
holdout period (``frequency_holdout > 0``)? "Churned" is the negative answer.

Two kinds of answer, compared on the same folds:

- ``BuyAgainBGNBD``: no training on labels. The BG/NBD model fitted on the calibration
  summary gives P(at least one purchase in the next ``t``) in closed form: in BG/NBD a
  customer can only drop out right after a purchase, so one who is alive now makes a next
  purchase at rate λ, whose posterior is Gamma(r + x, α + T). Hence
  P(buy in t) = P(alive) × (1 − ((α + T) / (α + T + t))^(r + x)).
- scikit-learn classifiers (logistic regression, a decision tree, a random forest) on
  RFM features plus the BG/NBD quantities (P(alive), expected purchases), trained on the
  labels of the training folds.

``cross_validate_buyers`` scores the out-of-fold probabilities of stratified k-fold
cross-validation: accuracy, precision, recall and F1 of "will buy" at probability 0.5, ROC
AUC of the probability, and the majority-class baseline for reference.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import ClassifierMixin, clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, precision_score, recall_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeClassifier

from .bgnbd import BetaGeoModel
from .constants import DURATION_HOLDOUT, FREQUENCY, FREQUENCY_HOLDOUT, MONETARY_VALUE, RECENCY, T
from .validation import require_columns

#: Features of the trained classifiers, in column order.
FEATURES = (
    "frequency",
    "recency",
    "T",
    "weeks_since_last",
    "monetary_value",
    "p_alive",
    "expected_purchases",
)
#: Scores reported per model by ``cross_validate_buyers``.
SCORES = ("accuracy", "precision", "recall", "f1", "roc_auc")
#: Probability above which a customer is predicted to buy again.
THRESHOLD = 0.5
DEFAULT_FOLDS = 5
DEFAULT_SEED = 42


def buy_again_labels(summary: pd.DataFrame) -> np.ndarray:
    """1 where the customer bought at least once in the holdout period, else 0 (churned)."""
    require_columns(summary, [FREQUENCY_HOLDOUT], "buy_again_labels")
    return (summary[FREQUENCY_HOLDOUT].to_numpy() > 0).astype(np.int64)


def probability_buy_within(model: BetaGeoModel, summary: pd.DataFrame, t: float | np.ndarray) -> np.ndarray:
    """P(at least one purchase in the next ``t`` time units | frequency, recency, T) under BG/NBD."""
    if not model.params_:
        raise RuntimeError("probability_buy_within: fit the BetaGeoModel first")
    r, alpha = model.params_["r"], model.params_["alpha"]
    x = summary[FREQUENCY].to_numpy(dtype=np.float64)
    big_t = summary[T].to_numpy(dtype=np.float64)
    alive = model.expected_probability_alive(summary)
    none_yet = ((alpha + big_t) / (alpha + big_t + np.asarray(t, dtype=np.float64))) ** (r + x)
    return np.clip(alive * (1.0 - none_yet), 0.0, 1.0)


def buyer_features(summary: pd.DataFrame, model: BetaGeoModel, horizon: float) -> pd.DataFrame:
    """The classifiers' inputs: RFM of the calibration period plus BG/NBD's view of the customer."""
    require_columns(summary, [FREQUENCY, RECENCY, T, MONETARY_VALUE], "buyer_features")
    return pd.DataFrame(
        {
            "frequency": summary[FREQUENCY].to_numpy(dtype=np.float64),
            "recency": summary[RECENCY].to_numpy(dtype=np.float64),
            "T": summary[T].to_numpy(dtype=np.float64),
            "weeks_since_last": (summary[T] - summary[RECENCY]).to_numpy(dtype=np.float64),
            "monetary_value": summary[MONETARY_VALUE].fillna(0.0).to_numpy(dtype=np.float64),
            "p_alive": model.expected_probability_alive(summary),
            "expected_purchases": model.expected_purchases(summary, horizon),
        },
        index=summary.index,
        columns=list(FEATURES),
    )


def default_classifiers(seed: int = DEFAULT_SEED, n_jobs: int | None = None) -> dict[str, ClassifierMixin]:
    """The three model families the seed material names, with settings that need no tuning loop."""
    return {
        "logistic_regression": make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000)),
        "decision_tree": DecisionTreeClassifier(max_depth=5, min_samples_leaf=50, random_state=seed),
        "random_forest": RandomForestClassifier(
            n_estimators=200, min_samples_leaf=20, random_state=seed, n_jobs=n_jobs
        ),
    }


def score_predictions(labels: np.ndarray, probability: np.ndarray) -> dict[str, float]:
    """Accuracy, precision, recall and F1 of "will buy" at ``THRESHOLD``; ROC AUC of the probability."""
    labels = np.asarray(labels)
    probability = np.asarray(probability, dtype=np.float64)
    predicted = (probability >= THRESHOLD).astype(np.int64)
    both = len(np.unique(labels)) == 2
    return {
        "accuracy": float(accuracy_score(labels, predicted)),
        "precision": float(precision_score(labels, predicted, zero_division=0)),
        "recall": float(recall_score(labels, predicted, zero_division=0)),
        "f1": float(f1_score(labels, predicted, zero_division=0)),
        "roc_auc": float(roc_auc_score(labels, probability)) if both else float("nan"),
    }


def cross_validated_probabilities(
    summary: pd.DataFrame,
    *,
    classifiers: Mapping[str, ClassifierMixin] | None = None,
    folds: int = DEFAULT_FOLDS,
    seed: int = DEFAULT_SEED,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Out-of-fold P(buys again) of every customer from BG/NBD and each classifier.

    ``summary`` comes from ``calibration_and_holdout``. Stratified k-fold over customers: in
    each fold BG/NBD is fitted on the training customers' calibration columns only (it never
    sees a holdout column), the features of both sides come from that fit, and the
    classifiers learn the training customers' labels. Also ``majority_class``: the most
    frequent label of the training fold, the floor to beat. One row per customer, one
    column per model.
    """
    require_columns(summary, [FREQUENCY, RECENCY, T, MONETARY_VALUE, FREQUENCY_HOLDOUT, DURATION_HOLDOUT])
    if folds < 2:
        raise ValueError(f"folds must be >= 2, got {folds}")
    labels = buy_again_labels(summary)
    if np.bincount(labels, minlength=2).min() < folds:
        raise ValueError(f"need at least {folds} buyers and {folds} churned customers for {folds} folds")
    horizon = float(summary[DURATION_HOLDOUT].iloc[0])
    classifiers = dict(classifiers if classifiers is not None else default_classifiers(seed))
    columns = ["bgnbd", "majority_class", *classifiers]
    out = pd.DataFrame(np.nan, index=summary.index, columns=columns)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for fold, (train, test) in enumerate(splitter.split(np.zeros(len(labels)), labels), start=1):
        fit_on, scored = summary.iloc[train], summary.iloc[test]
        bgnbd = BetaGeoModel().fit(fit_on)
        rows = out.index[test]
        out.loc[rows, "bgnbd"] = probability_buy_within(bgnbd, scored, horizon)
        out.loc[rows, "majority_class"] = float(np.bincount(labels[train], minlength=2).argmax())
        x_train = buyer_features(fit_on, bgnbd, horizon).to_numpy()
        x_test = buyer_features(scored, bgnbd, horizon).to_numpy()
        for name, estimator in classifiers.items():
            out.loc[rows, name] = clone(estimator).fit(x_train, labels[train]).predict_proba(x_test)[:, 1]
        if progress is not None:
            progress(f"fold {fold}/{folds} done")
    return out


def cross_validate_buyers(summary: pd.DataFrame, **kwargs: Any) -> dict[str, dict[str, float]]:
    """Model → ``score_predictions`` of its out-of-fold probabilities (``cross_validated_probabilities``)."""
    probabilities = cross_validated_probabilities(summary, **kwargs)
    labels = buy_again_labels(summary)
    result = {name: score_predictions(labels, probabilities[name].to_numpy()) for name in probabilities}
    result["majority_class"]["roc_auc"] = 0.5  # a constant score ranks no one above anyone
    return result


def feature_importance(summary: pd.DataFrame, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """Random-forest impurity importances of ``FEATURES`` fitted on the whole summary (for reading)."""
    labels = buy_again_labels(summary)
    horizon = float(summary[DURATION_HOLDOUT].iloc[0])
    bgnbd = BetaGeoModel().fit(summary)
    forest = default_classifiers(seed)["random_forest"].fit(
        buyer_features(summary, bgnbd, horizon).to_numpy(), labels
    )
    return dict(zip(FEATURES, (float(v) for v in forest.feature_importances_), strict=True))
