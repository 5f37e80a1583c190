"""Churn / buy-again benchmark on CDNOW: who buys again in the 39 weeks after calibration?

Run from the repository root::

    .venvs/reco/bin/python benchmarks/churn.py [--folds 5]

Data: ``../shared/datasets/cdnow/CDNOW_master.txt`` (23,570 customers), split as in the
BG/NBD paper: 39 weeks of calibration (to 1997-09-30), 39 weeks of holdout (to 1998-06-30).
A customer "buys again" with at least one purchase in the holdout; "churned" otherwise.

Models (``recommender.clv.churn``): the untrained BG/NBD closed form P(buy within 39 weeks),
and logistic regression, a decision tree and a random forest on RFM + BG/NBD features,
trained on the labels, plus the majority-class floor. Stratified 5-fold cross-validation
over customers; accuracy, precision, recall and F1 of "buys again" at probability 0.5 and
ROC AUC of the out-of-fold probabilities. Merged into ``benchmarks/results/reco.json`` under
``cdnow-churn`` → model, and drawn as ROC curves in ``benchmarks/results/churn_cdnow.png``.
Skips with a message (exit 0) when the data set is absent.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks.clv import CALIBRATION_END, CDNOW_DIR, OBSERVATION_END, read_cdnow_master  # noqa: E402
from benchmarks.results import merge_models, read_results  # noqa: E402
from recommender.clv import calibration_and_holdout, churn  # noqa: E402

DATASET = "cdnow-churn"
DEFAULT_OUTPUT = REPO_ROOT / "benchmarks" / "results" / "reco.json"
COLUMNS = (*churn.SCORES, "seconds")


def run(folds: int) -> tuple[dict[str, dict[str, float]], dict[str, np.ndarray], np.ndarray]:
    """(model → scores and cross-validation seconds, out-of-fold probabilities, labels)."""
    log = read_cdnow_master(CDNOW_DIR / "CDNOW_master.txt")
    summary = calibration_and_holdout(log, calibration_end=CALIBRATION_END, observation_end=OBSERVATION_END)
    labels = churn.buy_again_labels(summary)
    print(
        f"{DATASET}: {len(summary):,} customers, {labels.mean():.1%} bought again in the "
        f"{summary['duration_holdout'].iloc[0]:.0f}-week holdout; {folds}-fold cross-validation ...",
        flush=True,
    )
    started = time.perf_counter()
    probabilities = churn.cross_validated_probabilities(
        summary,
        folds=folds,
        progress=lambda text: print(f"  {text} ({time.perf_counter() - started:.1f} s)", flush=True),
    )
    seconds = time.perf_counter() - started
    results = {}
    for name in probabilities:
        results[name] = churn.score_predictions(labels, probabilities[name].to_numpy())
        results[name]["seconds"] = seconds
    results["majority_class"]["roc_auc"] = 0.5
    return results, {name: probabilities[name].to_numpy() for name in probabilities}, labels


def format_table(results: dict[str, dict[str, float]]) -> str:
    """Fixed-width table, best ROC AUC first."""
    header = f"{'model':<22}" + "".join(f"{c:>11}" for c in COLUMNS)
    lines = [header, "-" * len(header)]
    for name, row in sorted(results.items(), key=lambda kv: -kv[1]["roc_auc"]):
        lines.append(f"{name:<22}" + "".join(f"{row[c]:>11.4f}" for c in COLUMNS))
    return "\n".join(lines)


def plot_roc(probabilities: dict[str, np.ndarray], labels: np.ndarray, results: dict, path: Path) -> None:
    """ROC curves of the out-of-fold probabilities, with each model's operating point at 0.5."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import roc_curve

    fig, ax = plt.subplots(figsize=(6.5, 6))
    for name, probability in probabilities.items():
        if name == "majority_class":
            continue
        fpr, tpr, _ = roc_curve(labels, probability)
        line = ax.plot(fpr, tpr, label=f"{name} (AUC {results[name]['roc_auc']:.3f})")[0]
        predicted = probability >= churn.THRESHOLD
        point = (predicted[labels == 0].mean(), predicted[labels == 1].mean())
        ax.plot(*point, "o", color=line.get_color())
    ax.plot([0, 1], [0, 1], ":", color="tab:grey", label="chance / majority class (AUC 0.5)")
    ax.set_xlabel("false positive rate (churned customers predicted to buy)")
    ax.set_ylabel("true positive rate (returning buyers found)")
    ax.set_title("CDNOW: who buys again in the next 39 weeks\n(out-of-fold, dots: threshold 0.5)")
    ax.legend(loc="lower right", fontsize="small")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--folds", type=int, default=churn.DEFAULT_FOLDS, help="cross-validation folds (>= 2)"
    )
    parser.add_argument(
        "--output", type=Path, default=DEFAULT_OUTPUT, help="reco.json to merge the rows into"
    )
    args = parser.parse_args(argv)
    if args.folds < 2:
        parser.error("--folds must be >= 2")
    source = CDNOW_DIR / "CDNOW_master.txt"
    if not source.is_file():
        print(f"skipped: CDNOW data absent ({source}; the public datasets live in ../shared/datasets)")
        return 0
    read_results(args.output)  # a broken reco.json stops the run now, not after it
    results, probabilities, labels = run(args.folds)
    print()
    print(format_table(results))
    merge_models(args.output, DATASET, results)
    png = args.output.parent / "churn_cdnow.png"
    plot_roc(probabilities, labels, results, png)
    print(f"\nwritten {args.output} ({DATASET}) and {png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
