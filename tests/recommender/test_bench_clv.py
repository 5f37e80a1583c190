"""The CLV benchmark (benchmarks/clv.py): its row in reco.json, from a short real run.

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
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks import clv  # noqa: E402

OTHERS = {
    "movielens-100k": {"ease": {"map": 0.15, "ndcg@10": 0.48}},
    "cdnow": {"other-model": {"fit_seconds": 9.0}, "bgnbd+gammagamma": {"fit_seconds@1m": 99.0}},
}


def _run_clv(*args: str) -> subprocess.CompletedProcess[str]:
    if not (CDNOW / "CDNOW_master.txt").is_file():
        pytest.skip(f"CDNOW absent: {CDNOW.resolve()} (the public datasets live in ../shared/datasets)")
    return subprocess.run(
        [sys.executable, "-m", "benchmarks.clv", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_size_tag_names_the_synthetic_size() -> None:
    assert [clv.size_tag(n) for n in (1_000_000, 2_000_000, 100_000, 2000, 1500, 0)] == [
        "1m", "2m", "100k", "2k", "1500", "0"
    ]


def test_small_run_merges_the_headline_into_reco_json(tmp_path: Path) -> None:
    reco_json = tmp_path / "reco.json"
    reco_json.write_text(json.dumps(OTHERS))
    done = _run_clv("--customers", "2000", "--output", str(tmp_path / "clv.json"))
    assert done.returncode == 0, done.stderr[-2000:]
    written = json.loads(reco_json.read_text())
    assert written["movielens-100k"] == OTHERS["movielens-100k"]  # other datasets survive
    assert written["cdnow"]["other-model"] == {"fit_seconds": 9.0}  # and other models of this one
    row = written[clv.DATASET][clv.MODEL]
    assert "fit_seconds@1m" not in row  # the stale 1M figure is replaced by this run's row, not kept
    assert all(isinstance(value, float) for value in row.values())
    # raw log to CLV for every customer of CDNOW_master (SOURCE.md: 23,570 customers)
    assert 0 < row["fit_seconds"] < 30 and row["customers"] == 23_570 and row["transactions"] > 60_000
    assert 0 < row["fit_seconds_full_log"] < 30  # the service's path: the whole log, no holdout
    # the paper's calibration sample reproduces the published parameters to 3 s.f.
    for key, value in {**clv.PUBLISHED_BGNBD, **clv.PUBLISHED_GG}.items():
        assert row[key] == pytest.approx(value, rel=2e-3), key
    assert row["params_match_3sf"] == 7 and row["expected_purchases_max_abs_diff"] < 1.5e-3
    assert row["bgnbd_log_likelihood"] == pytest.approx(clv.PUBLISHED_BGNBD_LL, abs=0.1)
    assert 0 < row["mean_p_alive"] < 1 and row["mean_clv"] > 0
    assert row["holdout_actual_purchases"] > 0 and row["holdout_predicted_purchases"] > 0
    # the synthetic run is named by its size
    assert 0 < row["fit_seconds@2k"] < 30 and 0 < row["peak_rss_mb@2k"] < clv.TARGET_RSS_MB
    assert row["generate_seconds@2k"] > 0 and 0 <= row["max_param_rel_error@2k"] < 1
    # its own file is still written with its own structure
    report = json.loads((tmp_path / "clv.json").read_text())
    assert {"cdnow_published", "cdnow_master", "cdnow_segments", "synthetic"} <= set(report)
    assert report["synthetic"]["customers"] == 2000


def test_a_broken_reco_json_stops_the_run_before_it_starts(tmp_path: Path) -> None:
    broken = tmp_path / "elsewhere.json"
    broken.write_text("{not json")
    done = _run_clv("--customers", "0", "--output", str(tmp_path / "clv.json"), "--results", str(broken))
    assert done.returncode != 0 and "not valid JSON" in done.stderr
    assert broken.read_text() == "{not json"
    assert not (tmp_path / "clv.json").exists()
