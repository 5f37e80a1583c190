"""The Groceries rules benchmark (benchmarks/rules.py): its row in reco.json.

The real run reads ../shared/datasets/retail-baskets in place and is skipped, saying why,
when it is absent.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DATASETS = REPO_ROOT / ".." / "shared" / "datasets"
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks import rules  # noqa: E402

OTHERS = {"movielens-100k": {"ease": {"map": 0.15}}, "groceries": {"apriori": {"rules": 1.0}}}


def _run_rules(*args: str) -> subprocess.CompletedProcess[str]:
    if not (DATASETS / rules.GROCERIES).is_file():
        pytest.skip(f"Groceries absent: {(DATASETS / rules.GROCERIES).resolve()} (see retail-baskets/SOURCE.md)")
    return subprocess.run(
        [sys.executable, "benchmarks/rules.py", "--datasets", str(DATASETS), *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_headline_takes_the_published_case() -> None:
    case = {
        "min_support": 0.001, "min_confidence": 0.6, "itemsets": 10, "rules_single_consequent": 7,
        "rules_any_consequent": 8, "match": False, "fpgrowth_seconds": 0.5, "rules_seconds": 0.25,
    }
    other = {**case, "min_support": 0.006, "min_confidence": 0.25, "rules_single_consequent": 3, "match": True}
    row = rules.headline({"cases": [other, case], "read_seconds": 0.01, "baskets": 5, "items": 4})
    assert row["rules"] == 7 and row["itemsets"] == 10 and row["rules_any_consequent"] == 8
    assert row["fit_seconds"] == pytest.approx(0.75)
    assert row["rules@0.006/0.25"] == 3 and row["rules@0.001/0.6"] == 7
    assert (row["cases"], row["cases_matched"]) == (2, 1)


def test_run_merges_the_counts_into_reco_json(tmp_path: Path) -> None:
    reco_json = tmp_path / "reco.json"
    reco_json.write_text(json.dumps(OTHERS))
    done = _run_rules("--output", str(tmp_path / "rules.json"))
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    written = json.loads(reco_json.read_text())
    assert written["movielens-100k"] == OTHERS["movielens-100k"]
    assert written["groceries"]["apriori"] == {"rules": 1.0}
    row = written[rules.DATASET][rules.MODEL]
    assert all(isinstance(value, float) for value in row.values())
    assert row["rules"] == 2918 and row["rules_any_consequent"] == 2961  # SOURCE.md
    assert row["itemsets"] == 13_492 and row["baskets"] == 9835 and row["items"] == 169
    assert row["cases_matched"] == row["cases"] == len(rules.EXPECTED_RULES)
    assert 0 < row["fit_seconds"] < 60 and row["read_seconds"] > 0
    assert row["rules@0.001/0.5"] == 5668 and row["rules@0.006/0.25"] == 463
    report = json.loads((tmp_path / "rules.json").read_text())  # its own file, unchanged in shape
    assert report["all_match"] is True and len(report["cases"]) == len(rules.EXPECTED_RULES)


def test_a_broken_reco_json_stops_the_run_before_it_starts(tmp_path: Path) -> None:
    broken = tmp_path / "elsewhere.json"
    broken.write_text("[1, 2")
    done = _run_rules("--output", str(tmp_path / "rules.json"), "--results", str(broken))
    assert done.returncode != 0 and "not valid JSON" in done.stderr
    assert broken.read_text() == "[1, 2"
    assert not (tmp_path / "rules.json").exists()
