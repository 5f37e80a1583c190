"""The MovieLens benchmark (benchmarks/reco.py): its verdicts, and fast cases on the real data.

The data-backed tests read ../shared/datasets/movielens-100k in place and skip, saying why,
when it is absent. They pin the protocol's split to the sizes in its SOURCE.md and the
headline models to their measured quality, with fixed hyper-parameters (the tuning itself
runs in `make bench-reco`).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from benchmarks import reco
from recommender.evaluation import evaluate, stratified_split
from recommender.models import EASEModel, MultiScaleEASEModel

MOVIELENS = reco.DEFAULT_DATA_DIR / reco.DATASET / "u.data"
REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def split() -> tuple[pd.DataFrame, pd.DataFrame]:
    if not MOVIELENS.is_file():
        pytest.skip(f"MovieLens-100k absent: {MOVIELENS} (the public datasets live in ../shared/datasets)")
    return stratified_split(reco.load_movielens(reco.DEFAULT_DATA_DIR))


def test_target_report_picks_the_model_by_validation_and_flags_misses() -> None:
    results = {
        "a": {"ndcg@10": 0.51, "map": 0.159, "fit_seconds": 0.4},
        "b": {"ndcg@10": 0.49, "map": 0.17, "fit_seconds": 12.0},
        "hybrid": {"ndcg@10": 0.60, "map": 0.20, "fit_seconds": 1.0},
    }
    report = reco.target_report(results, {"a": 0.19, "b": 0.18})
    lines = report.splitlines()
    assert "our best model by validation nDCG@10: a" in lines[0]
    assert lines[1].split()[0] == "ndcg@10" and lines[1].endswith("ok")
    assert lines[2].split()[0] == "map" and lines[2].endswith("MISS")
    assert lines[3].split()[0] == "fit_seconds" and lines[3].endswith("ok")
    # the test split never picks the model: b wins only on validation
    assert ": b" in reco.target_report(results, {"a": 0.17, "b": 0.18}).splitlines()[0]
    assert reco.target_report(results, {}) == "targets: no tuned model in this run"


def test_protocol_split_has_the_published_sizes(split) -> None:
    train, test = split
    assert (len(train), len(test)) == (75_066, 24_934)  # SOURCE.md, "Exact split"
    assert set(test["item_id"]) <= set(train["item_id"])
    assert test["user_id"].nunique() == 943


def test_plain_ease_reproduces_the_source_figure(split) -> None:
    train, test = split
    row = evaluate(EASEModel(l2=400.0).fit(train), test)
    # SOURCE.md: plain EASE, lambda 400 -> MAP 0.151, nDCG@10 0.485, P@10 0.422, R@10 0.230
    assert row["map"] == pytest.approx(0.151, abs=0.002)
    assert row["ndcg@10"] == pytest.approx(0.485, abs=0.004)
    assert row["precision@10"] == pytest.approx(0.422, abs=0.004)
    assert row["recall@10"] == pytest.approx(0.230, abs=0.004)


def test_multiscale_ease_with_its_tuned_setting_meets_the_ndcg_target(split) -> None:
    train, test = split
    plain = evaluate(EASEModel(l2=400.0).fit(train), test)
    # the setting `make bench-reco` chooses on the validation folds (l2 100 x |train| / |inner train|)
    model = MultiScaleEASEModel(l2=111.0, time_scales=(300.0, 3600.0, 86400.0), time_weights=(0.4, 0.2, 0.15))
    row = evaluate(model.fit(train), test)
    assert row["ndcg@10"] >= 0.50
    assert row["map"] > plain["map"] + 0.005 and row["ndcg@10"] > plain["ndcg@10"] + 0.01


def test_quick_run_writes_the_documented_keys(split, tmp_path: Path) -> None:
    output = tmp_path / "reco.json"
    # an earlier run's row for another model: kept, and judged with this run's rows
    earlier = {
        "map": 0.2, "ndcg@10": 0.6, "precision@10": 0.5, "recall@10": 0.3, "fit_seconds": 1.0,
        "p50_ms": 1.0, "p99_ms": 2.0, "coverage": 0.1, "validation_ndcg@10": 0.9,
    }  # fmt: skip
    output.write_text(json.dumps({"other-dataset": {"m": {"rps": 1.0}}, reco.DATASET: {"earlier": earlier}}))
    done = subprocess.run(
        [sys.executable, "benchmarks/reco.py", "--quick", "--models", "popularity", "ease", "--output", str(output)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    written = json.loads(output.read_text())
    assert written["other-dataset"] == {"m": {"rps": 1.0}}  # merged, not overwritten
    rows = written[reco.DATASET]
    assert set(rows) == {"popularity", "ease", "earlier"}
    assert rows["earlier"] == earlier
    for row in (rows["popularity"], rows["ease"]):
        assert {"map", "ndcg@10", "precision@10", "recall@10", "fit_seconds", "p50_ms", "p99_ms"} <= set(row)
        assert 0.0 < row["map"] < row["ndcg@10"] < 1.0
    assert rows["ease"]["ndcg@10"] > rows["popularity"]["ndcg@10"] + 0.1
    # the validation score the model was chosen by is kept (validation folds are 10 % slices: lower)
    assert 0.0 < rows["ease"]["validation_ndcg@10"] < rows["ease"]["ndcg@10"]
    assert "targets (our best model by validation nDCG@10: earlier)" in done.stdout
    assert (tmp_path / "reco_movielens-100k.png").read_bytes()[:4] == b"\x89PNG"
    verdict = done.stdout.split("targets")[1]
    assert "0.2000  >= 0.16   ok" in verdict and "0.6000  >= 0.5    ok" in verdict


def test_plot_ranking_draws_every_model(tmp_path: Path) -> None:
    results = {
        "ease": {"map": 0.150, "ndcg@10": 0.485, "coverage": 0.175},
        "popularity": {"map": 0.056, "ndcg@10": 0.252, "coverage": 0.027},
    }
    path = tmp_path / "reco.png"
    reco.plot_ranking(results, path)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
    with pytest.raises(KeyError):  # a model without its metrics is an error, not a blank bar
        reco.plot_ranking({**results, "broken": {"map": 0.1}}, tmp_path / "bad.png")
