"""The churn benchmark (benchmarks/churn.py): a short real run on CDNOW, its rows and ROC chart.

The run reads ../shared/datasets/cdnow in place and is skipped, saying why, when it is absent.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CDNOW = REPO_ROOT / ".." / "shared" / "datasets" / "cdnow"


def test_two_fold_run_merges_its_rows_and_draws_the_roc(tmp_path: Path) -> None:
    if not (CDNOW / "CDNOW_master.txt").is_file():
        pytest.skip(f"CDNOW absent: {CDNOW.resolve()} (the public datasets live in ../shared/datasets)")
    output = tmp_path / "reco.json"
    output.write_text(json.dumps({"cdnow": {"bgnbd+gammagamma": {"fit_seconds": 0.1}}}))
    done = subprocess.run(
        [sys.executable, "benchmarks/churn.py", "--folds", "2", "--output", str(output)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    written = json.loads(output.read_text())
    assert written["cdnow"] == {"bgnbd+gammagamma": {"fit_seconds": 0.1}}  # merged, not overwritten
    rows = written["cdnow-churn"]
    assert set(rows) == {"bgnbd", "majority_class", "logistic_regression", "decision_tree", "random_forest"}
    assert rows["majority_class"]["roc_auc"] == 0.5 and rows["majority_class"]["recall"] == 0.0
    for name in ("bgnbd", "logistic_regression", "decision_tree", "random_forest"):
        assert rows[name]["roc_auc"] > 0.7
        assert rows[name]["accuracy"] > rows["majority_class"]["accuracy"]
    assert (tmp_path / "churn_cdnow.png").read_bytes()[:4] == b"\x89PNG"
    assert "2-fold cross-validation" in done.stdout and "fold 2/2 done" in done.stdout


def test_bad_folds_is_a_usage_error() -> None:
    done = subprocess.run(
        [sys.executable, "benchmarks/churn.py", "--folds", "1"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2 and "--folds must be >= 2" in done.stderr
